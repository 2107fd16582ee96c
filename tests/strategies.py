"""Hypothesis strategies for syriabrief's records, shared by the property and stateful tests.

The valid-record strategies build the JSON form (every documented key present,
as ``to_json`` writes it) from small pools of ids, so that generated events
reference the actors and sites of conftest's ACTORS and SITES and filters have
something to match.
"""

from __future__ import annotations

import calendar

from hypothesis import strategies as st

from conftest import ACTORS, SITES
from syriabrief.domain.model import (
    ACTOR_KINDS,
    EVENT_STATUSES,
    EVENT_TYPES,
    LOCATION_PRECISIONS,
    SITE_KINDS,
    STAGES,
)

ACTOR_IDS = [a["id"] for a in ACTORS]
SITE_IDS = [s["id"] for s in SITES]

# Any text a store may hold: every code point but lone surrogates, which the
# validator refuses (no UTF-8 file can hold them). Control characters, escape
# sequences and bidi overrides are data like any other.
any_char = st.characters(exclude_categories=("Cs",))
text = st.text(any_char, min_size=1, max_size=40).filter(lambda s: s.strip())
slug = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)


@st.composite
def stored_dates(draw, min_year: int = 2014, max_year: int = 2027) -> str:
    """A date in a stored form: YYYY, YYYY-MM or YYYY-MM-DD."""
    year = draw(st.integers(min_year, max_year))
    form = draw(st.sampled_from(("year", "month", "day")))
    if form == "year":
        return f"{year:04d}"
    month = draw(st.integers(1, 12))
    if form == "month":
        return f"{year:04d}-{month:02d}"
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    return f"{year:04d}-{month:02d}-{day:02d}"


def _later_or_equal(date: str, other: str) -> bool:
    from syriabrief.domain.dates import parse_stored

    return parse_stored(other).end >= parse_stored(date).start


sources = st.fixed_dictionaries(
    {
        "outlet": text,
        "document": st.none() | text,
        "url": st.none() | text,
        "published": st.none() | stored_dates(),
    }
)
quantity = (
    st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(lambda t: {"low": min(t), "high": max(t)})
)


@st.composite
def event_json(draw, ids=slug) -> dict:
    """A valid event in its full JSON form."""
    date = draw(stored_dates())
    end = draw(st.none() | stored_dates().filter(lambda other: _later_or_equal(date, other)))
    status = draw(st.sampled_from(EVENT_STATUSES))
    return {
        "id": draw(ids),
        "date": date,
        "end_date": end,
        "date_precision": {4: "year", 7: "month"}.get(len(date), "day"),
        "approximate": draw(st.booleans()),
        "type": draw(st.sampled_from(EVENT_TYPES)),
        "stage": draw(st.none() | st.sampled_from(STAGES)),
        "actors": draw(st.lists(st.sampled_from(ACTOR_IDS), max_size=3, unique=True)),
        "site": draw(st.none() | st.sampled_from(SITE_IDS)),
        "origin": draw(st.none() | st.sampled_from(SITE_IDS)),
        "destination": draw(st.none() | st.sampled_from(SITE_IDS)),
        "quantities": draw(st.dictionaries(text, quantity, max_size=3)),
        "status": status,
        "summary": draw(text),
        "sources": draw(st.lists(sources, min_size=1, max_size=3)),
        "disputes": draw(
            st.lists(st.fixed_dictionaries({"claim": text, "sources": st.lists(sources, max_size=2)}), max_size=2)
        ),
        "tags": draw(st.lists(text, max_size=3)),
    }


@st.composite
def actor_json(draw, ids=slug) -> dict:
    return {
        "id": draw(ids),
        "name": draw(text),
        "aliases": draw(st.lists(text, max_size=3)),
        "kind": draw(st.none() | st.sampled_from(ACTOR_KINDS)),
        "country": draw(st.none() | text),
        "parent": None,
        "affiliations": [],
        "joined": None,
    }


@st.composite
def site_json(draw, ids=slug) -> dict:
    located = draw(st.booleans())
    return {
        "id": draw(ids),
        "name": draw(text),
        "aliases": draw(st.lists(text, max_size=3)),
        "kind": draw(st.none() | st.sampled_from(SITE_KINDS)),
        "country": draw(st.none() | text),
        "admin1": draw(st.none() | text),
        "lat": draw(st.floats(-90, 90)) if located else None,
        "lon": draw(st.floats(-180, 180)) if located else None,
        "location_precision": draw(st.sampled_from(LOCATION_PRECISIONS)),
        "parent": None,
    }


def unique_by_id(records: list[dict]) -> list[dict]:
    """The records with the first of each id kept (a store holds each id once)."""
    seen: dict[str, dict] = {}
    for record in records:
        seen.setdefault(record["id"], record)
    return list(seen.values())


# Arbitrary JSON values, with the keys of real records mixed in so that the
# validator's field checks are reached, not only its "not an object" branch.
RECORD_KEYS = sorted(
    {"id", "date", "end_date", "date_precision", "approximate", "type", "stage", "actors", "site", "origin",
     "destination", "quantities", "status", "summary", "sources", "disputes", "tags", "name", "aliases",
     "kind", "country", "parent", "affiliations", "joined", "admin1", "lat", "lon", "location_precision", "outlet",
     "document", "url", "published", "claim", "low", "high", "schema_version", "events", "sites"}
)  # fmt: skip
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats()  # NaN and infinities included: Python's json reads them
    | st.text(st.characters() | st.characters(categories=["Cs"]), max_size=20)  # lone surrogates: JSON allows them
    | stored_dates(1, 9999)
    | st.sampled_from(EVENT_TYPES + EVENT_STATUSES + STAGES + ACTOR_KINDS + SITE_KINDS)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(RECORD_KEYS) | st.text(max_size=8), children, max_size=6),
    max_leaves=25,
)


@st.composite
def damaged_record(draw, kind: str) -> dict:
    """A valid record with a few fields replaced, removed or added at random."""
    record = dict(draw({"event": event_json(), "actor": actor_json(), "site": site_json()}[kind]))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(("replace", "remove", "add")))
        key = draw(st.sampled_from(sorted(record)) if record and action != "add" else st.sampled_from(RECORD_KEYS))
        if action == "remove":
            record.pop(key, None)
        else:
            record[key] = draw(json_values)
    return record


@st.composite
def light_event_json(draw, ids=slug) -> dict:
    """A valid event with only what filters look at varied: quick to generate in bulk.

    Summaries come from a tiny alphabet so that generated searches find something.
    """
    date = draw(stored_dates())
    end = draw(st.none() | stored_dates().filter(lambda other: _later_or_equal(date, other)))
    return {
        "id": draw(ids), "date": date, "end_date": end,
        "date_precision": {4: "year", 7: "month"}.get(len(date), "day"), "approximate": False,
        "type": draw(st.sampled_from(EVENT_TYPES)), "stage": None,
        "actors": draw(st.lists(st.sampled_from(ACTOR_IDS), max_size=3, unique=True)),
        "site": draw(st.none() | st.sampled_from(SITE_IDS)),
        "origin": draw(st.none() | st.sampled_from(SITE_IDS)),
        "destination": draw(st.none() | st.sampled_from(SITE_IDS)),
        "quantities": {}, "status": draw(st.sampled_from(EVENT_STATUSES)),
        "summary": draw(st.text("abAB ", min_size=1, max_size=6).filter(lambda s: s.strip())),
        "sources": [{"outlet": "Reuters", "document": None, "url": None, "published": None}],
        "disputes": [], "tags": [],
    }  # fmt: skip
