"""ACLED's CSV export read as syriabrief events, actors and sites.

ACLED (the Armed Conflict Location & Event Data project) codes one row per
event. Its actor and location names are matched to ours through ACLED's own
spellings (``ACLED_ACTORS``, ``ACLED_SITES``) and then every alias
(``Dataset.actor`` / ``Dataset.site``). A location matches only a site of the
same class — a populated place never a base, and the reverse — within
``MAX_MATCH_KM`` of the row's coordinates: so ``Al Shaddadi`` is the town, not
the base. A name that matches nothing becomes a new actor or site with a slug
id, inside the governorate its ``admin1`` names when that is a known region.
Every name, and what it became and why, is listed in ``Parsed.names``. The
mapping tables below are documented in docs/import-export.md and agree with
the ACLED column of docs/data-model.md.
Rows of ACLED types syriabrief does not keep (protests, riots) are skipped and
counted, not refused.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from syriabrief.domain.dates import numeric_order
from syriabrief.domain.geometry import SAME_PLACE_KM, distance_km
from syriabrief.domain.model import site_class
from syriabrief.domain.validate import Problem
from syriabrief.formats import Entry, NameMatch, Parsed, file_date_order
from syriabrief.formats.csvfmt import csv_stream

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Dataset
    from syriabrief.domain.model import Site

__all__ = ["ACLED_ACTORS", "ACLED_SITES", "COLUMNS", "MAX_MATCH_KM", "REQUIRED_COLUMNS", "SUB_EVENT_TYPES", "read_acled"]

# A known site further than this from a row's coordinates is another place of the same name.
# Generous enough for a city's extent and for our approximate coordinates (a few km off).
MAX_MATCH_KM = SAME_PLACE_KM
# ACLED's own spellings of places the bundled data holds, where the name lookup alone would not
# find them or would find them only loosely (docs/import-export.md lists them): ACLED's location
# as its gazetteer writes it -> our site id. Its other usual spellings (Ar-Raqqa, Deir-ez-Zor,
# Ain Al Arab, Tadmor, Al Thawrah, Menbij...) are aliases or folded spellings of ours already
# (tests/acled/syria-2026-q1.csv checks them).
ACLED_SITES = {
    # Found by the loose transliteration key alone; the city, the most common location in the north-east.
    "Al Hasakeh": "hasakah",
    # ACLED codes the camp's events at the town beside it, which the data does not hold:
    # without these a second al-Hol would appear on top of the camp.
    "Al Hole": "al-hol",
    "Al Hol": "al-hol",
    # No town there: ACLED's point is the garrison and the crossing.
    "Al Tanf": "al-tanf",
    "At Tanf": "al-tanf",
}
# ACLED's actor names, as written with their years -> our actor id, where the general rules
# (_actor_candidates) would pick a less fitting record. The rest of ACLED's naming
# (Military Forces of Israel (1948-) -> Israeli army -> idf, SDF: Syrian Democratic Forces -> sdf,
# Islamic State (Syria) -> isis, ...) follows from those rules (tests/acled/syria-2026-q1.csv).
ACLED_ACTORS = {
    "Police Forces of Syria (2024-)": "syrian-interior-ministry",  # General Security, not the army
}

COLUMNS = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "assoc_actor_1", "actor2", "assoc_actor_2", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
# Every column the reader looks at (the others, such as year or iso, say nothing it keeps).
_READ_COLUMNS = frozenset((*COLUMNS, "country", "inter1", "inter2"))
REQUIRED_COLUMNS = ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1")

# ACLED sub-event type -> our event type. None: a kind of event syriabrief does
# not keep (the row is skipped and counted).
SUB_EVENT_TYPES: dict[str, str | None] = {
    "armed clash": "clash",
    "government regains territory": "control_change",
    "non-state actor overtakes territory": "control_change",
    "non-violent transfer of territory": "control_change",
    "headquarters or base established": "deployment",
    "agreement": "agreement",
    "arrests": "statement",
    "change to group/activity": "statement",
    "other": "statement",
    "attack": "attack",
    "sexual violence": "attack",
    "abduction/forced disappearance": "attack",
    "chemical weapon": "attack",
    "air/drone strike": "attack",
    "suicide bomb": "attack",
    "shelling/artillery/missile attack": "attack",
    "remote explosive/landmine/ied": "attack",
    "grenade": "attack",
    "looting/property destruction": "attack",
    "disrupted weapons use": "attack",
    "peaceful protest": None,
    "protest with intervention": None,
    "excessive force against protesters": None,
    "excessive force against protestors": None,
    "violent demonstration": None,
    "mob violence": None,
}
# When the sub-event type is unknown (a newer ACLED vocabulary), the event type decides.
EVENT_TYPES: dict[str, str | None] = {
    "battles": "clash",
    "explosions/remote violence": "attack",
    "violence against civilians": "attack",
    "strategic developments": "statement",
    "protests": None,
    "riots": None,
}
# The country an event_id_cnty prefix names, for the new sites it brings.
COUNTRY_CODES = {
    "SYR": "Syria", "IRQ": "Iraq", "TUR": "Turkey", "LBN": "Lebanon", "JOR": "Jordan",
    "ISR": "Israel", "PSE": "Palestine", "IRN": "Iran", "CYP": "Cyprus",
}  # fmt: skip
# ACLED's inter1/inter2 codes (numbers in older exports, words in newer ones) -> our actor kinds.
INTER_KINDS = {
    "1": "state_armed_force", "state forces": "state_armed_force",
    "2": "non_state_armed_group", "rebel group": "non_state_armed_group",
    "3": "non_state_armed_group", "political militia": "non_state_armed_group",
    "4": "non_state_armed_group", "identity militia": "non_state_armed_group",
    "8": "organisation", "external/other forces": "organisation",
}  # fmt: skip
_SITE_KIND_WORDS = (
    ("airport", "airport"), ("air base", "air_base"), ("airbase", "air_base"), ("naval", "naval_base"),
    ("base", "base"), ("prison", "prison"), ("jail", "prison"), ("camp", "camp"), ("dam", "dam"),
    ("oil field", "oil_field"), ("oilfield", "oil_field"), ("gas field", "oil_field"),
    ("crossing", "border_crossing"), ("governorate", "region"), ("province", "region"),
)  # fmt: skip
_ACTOR_KIND_WORDS = (
    ("military forces of", "state_armed_force"), ("police forces of", "state_armed_force"),
    ("armed forces", "state_armed_force"), ("government of", "government"), ("coalition", "coalition"),
    ("militia", "non_state_armed_group"), ("armed group", "non_state_armed_group"),
    ("islamic state", "non_state_armed_group"), ("brigade", "non_state_armed_group"),
    ("forces", "non_state_armed_group"), ("army", "non_state_armed_group"), ("front", "non_state_armed_group"),
)  # fmt: skip
# How sources name a country's forces: "Military Forces of Syria" is tried as "Syrian army" first.
DEMONYMS = {
    "syria": "Syrian", "turkey": "Turkish", "russia": "Russian", "iraq": "Iraqi", "iran": "Iranian",
    "israel": "Israeli", "united states": "US", "jordan": "Jordanian", "lebanon": "Lebanese",
}  # fmt: skip
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*$")
_WEEK_HALF = 3  # a week-precision date covers three days either side
_WHOLE_NUMBER = re.compile(r"\d{1,9}")


def read_acled(text: str, known: Dataset | None = None, date_order: str | None = None) -> Parsed:
    """Read ACLED's CSV export; each row becomes one event (id ``acled-<event_id_cnty>``).

    Numeric dates are read in ``date_order`` or the order the file's dates
    decide (``formats.file_date_order``); a file that decides nothing is refused.
    """
    # The file is read a row at a time (a hundred thousand rows of cells would be most of an
    # import's memory). Most exports write dates that read one way only (2026-02-23, 23 February
    # 2026), and are read once; at the first numeric date (23/02/2026) when no order is given,
    # which the whole file's dates decide, the reading starts again: the dates first, then the events.
    try:
        return _read_rows(Parsed("acled"), text, known, date_order, first_pass=True)
    except _ReadInTwoPasses:
        pass
    parsed = Parsed("acled")
    columns: list[str] = []
    dates: list[tuple[str, str, str]] = []
    at: int | None = None
    for where, cells in csv_stream(text, parsed.problems):
        if where is None:
            columns = _columns(cells)
            at = columns.index("event_date") if "event_date" in columns else None
        elif at is not None and len(cells) == len(columns):
            dates.append((where, "event_date", cells[at]))
    if _lacks_columns(columns, parsed):
        return parsed
    order, order_problems = file_date_order(dates, date_order)
    del dates
    if order_problems:
        parsed.problems += order_problems
        return parsed
    return _read_rows(parsed, text, known, order, first_pass=False)


class _ReadInTwoPasses(Exception):
    """A first pass met what only a reading in two passes handles: a numeric date with no order given, or no header."""


def _read_rows(parsed: Parsed, text: str, known: Dataset | None, order: str | None, first_pass: bool) -> Parsed:
    """The file's rows as events into ``parsed``, numeric dates read in ``order``.

    ``first_pass``: the file has not been read before, so its CSV problems are this pass's to report;
    it gives up (_ReadInTwoPasses) at a numeric date when no order is given, which only the whole
    file's dates can read, and at a missing column, which the reading in two passes reports.
    """
    names = _Names(known)
    skipped: dict[str, int] = {}
    columns: list[str] = []
    read: list[tuple[str, int]] = []
    at = 0
    for where, cells in csv_stream(text, parsed.problems if first_pass else []):
        if where is None:
            columns = _columns(cells)
            if first_pass and not set(REQUIRED_COLUMNS) <= set(columns):
                raise _ReadInTwoPasses
            at = columns.index("event_date")
            # Only the columns read below are copied out of each row (a repeated column: its last cell, as a dict keeps).
            read = [(c, n) for c, n in {c: n for n, c in enumerate(columns)}.items() if c in _READ_COLUMNS]
            continue
        if len(cells) != len(columns):
            parsed.problems.append(
                Problem(where, None, f"has {len(cells)} cells; the header has {len(columns)}")
            )
            continue
        if first_pass and order is None and numeric_order(cells[at]) is not None:
            raise _ReadInTwoPasses
        row = {c: cells[n].strip() for c, n in read}
        problems: list[Problem] = []
        our_type = _event_type(row, where, problems)
        if our_type is None and not problems:
            label = row.get("sub_event_type") or row.get("event_type") or "?"
            skipped[label] = skipped.get(label, 0) + 1
            parsed.skipped.append(_event_id(row))
            continue
        event = _event(row, our_type, where, problems, names, parsed, order)
        parsed.problems += problems
        if event is not None:
            parsed.entries.append(Entry(where, "event", event))
    if not columns:  # no header at all
        raise _ReadInTwoPasses
    if skipped:
        kinds = ", ".join(f"{n} {label}" for label, n in sorted(skipped.items()))
        total = sum(skipped.values())
        parsed.notes.append(
            f"skipped {total} ACLED row{'s' if total != 1 else ''} of types syriabrief does not keep ({kinds})"
        )
    return parsed


def _columns(header: list[str]) -> list[str]:
    return [h.strip().casefold() for h in header]


def _lacks_columns(columns: list[str], parsed: Parsed) -> bool:
    """Whether a column ACLED always has is missing (each one a problem in ``parsed``), or the file is unreadable."""
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            parsed.problems.append(Problem("file", column, "column is missing (is this ACLED's CSV export?)"))
    return any(p.where == "file" for p in parsed.problems)


def _event(
    row: dict[str, str],
    our_type: str | None,
    where: str,
    problems: list[Problem],
    names: _Names,
    parsed: Parsed,
    date_order: str | None,
) -> dict[str, Any] | None:
    event_id = _event_id(row)
    if not row.get("event_id_cnty"):
        problems.append(Problem(where, "event_id_cnty", "is required"))
    dates = _dates(row, where, problems, date_order)
    site_id = None
    if row.get("location"):
        site_id = names.site(row, where, problems, parsed)
    actor_names = [row.get("actor1", ""), row.get("actor2", "")]
    if row.get("actor2") or our_type not in ("control_change", "handover"):
        # Associated actors follow the two main ones; for a control change
        # without an actor2 they are left out, since the second place means
        # "the party that lost control".
        actor_names += _split(row.get("assoc_actor_1", "")) + _split(row.get("assoc_actor_2", ""))
    if not row.get("actor1"):
        problems.append(Problem(where, "actor1", "is required"))
    actors = list(dict.fromkeys(names.actor(n, row, where, parsed) for n in actor_names if n))
    quantities: dict[str, Any] = {}
    if row.get("fatalities"):
        if _WHOLE_NUMBER.fullmatch(row["fatalities"]):
            quantities["fatalities"] = int(row["fatalities"])
        else:
            problems.append(Problem(where, "fatalities", f"{row['fatalities']!r} is not a whole number"))
    if problems or dates is None:
        return None
    document = f"ACLED {row['event_id_cnty']}"
    outlets = _split(row.get("source", "")) or ["ACLED"]
    sub_type = row.get("sub_event_type") or row.get("event_type")
    summary = row.get("notes") or _describe(row)
    tags = ["acled", "acled:" + _slug(sub_type or "")] + [
        t for t in _split(row.get("tags", "")) if t not in ("acled",)
    ]
    return {
        "id": event_id,
        **dates,
        "type": our_type,
        "stage": None,
        "actors": actors,
        "site": site_id,
        "origin": None,
        "destination": None,
        "quantities": quantities,
        "status": "reported",
        "summary": summary,
        "sources": [{"outlet": o, "document": document, "url": None, "published": None} for o in outlets],
        "disputes": [],
        "tags": list(dict.fromkeys(tags)),
    }


def _event_id(row: dict[str, str]) -> str:
    return "acled-" + row.get("event_id_cnty", "").casefold()


def _event_type(row: dict[str, str], where: str, problems: list[Problem]) -> str | None:
    sub = row.get("sub_event_type", "").casefold()
    if sub in SUB_EVENT_TYPES:
        return SUB_EVENT_TYPES[sub]
    main = row.get("event_type", "").casefold()
    if main in EVENT_TYPES:
        return EVENT_TYPES[main]
    problems.append(
        Problem(
            where,
            "event_type",
            f"{row.get('event_type')!r} / {row.get('sub_event_type')!r} is not an ACLED type syriabrief knows",
        )
    )
    return None


def _dates(
    row: dict[str, str], where: str, problems: list[Problem], date_order: str | None
) -> dict[str, Any] | None:
    dates, problem = _dates_of(row.get("event_date", ""), row.get("time_precision") or "1", date_order)
    if problem is not None:
        problems.append(Problem(where, *problem))
    return dates


# A file has a few thousand days for a hundred thousand rows: each (date, precision) is read once.
@functools.lru_cache(maxsize=4096)
def _dates_of(text: str, precision: str, date_order: str | None) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """The event's date fields for ACLED's date and time_precision, or None and (column, what is wrong).

    The fields are shared by every row of that date: they are read, never changed.
    """
    from syriabrief.domain.dates import parse_user_date
    from syriabrief.errors import DateInputError

    try:
        period = parse_user_date(text, date_order)
    except DateInputError as error:
        return None, ("event_date", str(error).rstrip("."))
    if period.precision != "day":
        return None, ("event_date", f"{text!r} is not a day (2026-02-23 or 23 February 2026)")
    day = period.start
    if precision == "1":
        return {"date": day.isoformat(), "end_date": None, "date_precision": "day", "approximate": False}, None
    if precision == "2":
        first, last = day - timedelta(days=_WEEK_HALF), day + timedelta(days=_WEEK_HALF)
        return {
            "date": first.isoformat(),
            "end_date": last.isoformat(),
            "date_precision": "day",
            "approximate": True,
        }, None
    if precision == "3":
        return {
            "date": day.isoformat()[:7],
            "end_date": None,
            "date_precision": "month",
            "approximate": False,
        }, None
    return None, ("time_precision", f"{precision!r} is not 1, 2 or 3")


class _Names:
    """ACLED names resolved to our ids, creating (once) the actors and sites nothing matches.

    Every name is recorded in ``parsed.names`` with the record it became and why.
    """

    def __init__(self, known: Dataset | None):
        self.known = known
        self.actors: dict[str, str] = {}  # folded ACLED name -> actor id
        self.sites: dict[str, str] = {}
        self.new_actor_ids: dict[str, dict] = {}
        self.new_site_ids: dict[str, dict] = {}
        self.governorates: dict[str, str | None] = {}  # admin1 -> region site id

    def actor(self, name: str, row: dict[str, str], where: str, parsed: Parsed) -> str:
        key = name.casefold()
        if key not in self.actors:
            match = self._actor_match(name)
            if match is None:
                found = _slug(name) or "actor-" + _hash(name)
                record = self.new_actor_ids.get(found)
                if record is None:
                    record = {
                        "id": found, "name": name, "aliases": [name], "kind": _actor_kind(name, row),
                        "country": _actor_country(name), "parent": None, "affiliations": [], "joined": None,
                    }  # fmt: skip
                    self.new_actor_ids[found] = record
                    parsed.entries.append(Entry(where, "actor", record))
                elif name not in record["aliases"]:
                    record["aliases"].append(name)
                match = NameMatch("actor", name, found, "new")
            parsed.names.append(match)
            self.actors[key] = match.record
        return self.actors[key]

    def _actor_match(self, name: str) -> NameMatch | None:
        if self.known is None:
            return None
        listed = ACLED_ACTORS.get(name)
        if listed in self.known.actors:
            return NameMatch("actor", name, listed, "ACLED name")
        index = self.known.actor_names
        for candidate in _actor_candidates(name):
            found = index.find(candidate)
            if found is not None:
                how = index.how(candidate, found)
                return NameMatch("actor", name, found, how, candidate if candidate != name else None)
        return None

    def site(self, row: dict[str, str], where: str, problems: list[Problem], parsed: Parsed) -> str | None:
        name = row["location"]
        key = name.casefold()
        if key in self.sites:
            return self.sites[key]
        point = _point(row, where, problems)
        if point is False:
            return None
        kind = _site_kind(name, row)
        match, note = self._site_match(name, kind, point)
        if match is None:
            found = self._new_site_id(name, kind)
            record = self.new_site_ids.get(found)
            if record is None:
                lat, lon = point if point else (None, None)
                record = {
                    "id": found, "name": name, "aliases": [name], "kind": kind,
                    "country": row.get("country") or COUNTRY_CODES.get(row.get("event_id_cnty", "")[:3].upper()),
                    "admin1": row.get("admin1") or None, "lat": lat, "lon": lon,
                    "location_precision": "exact" if row.get("geo_precision") == "1" else "approximate",
                    "parent": self._governorate(row.get("admin1") or ""),
                }  # fmt: skip
                self.new_site_ids[found] = record
                parsed.entries.append(Entry(where, "site", record))
            elif name not in record["aliases"]:
                record["aliases"].append(name)
            match = NameMatch("site", name, found, "new", note=note)
        parsed.names.append(match)
        self.sites[key] = match.record
        return match.record

    def _site_match(
        self, name: str, kind: str, point: tuple[float, float] | None
    ) -> tuple[NameMatch | None, str | None]:
        """The known site an ACLED location is, or None and why the sites of its name were not it.

        A listed ACLED spelling decides, within MAX_MATCH_KM. Otherwise a site of the
        name matches only when it is the same class of place (``model.site_class``)
        and, where both have coordinates, lies within MAX_MATCH_KM of the row's point.
        """
        if self.known is None:
            return None, None
        wanted = site_class(kind)
        refused: dict[str, str] = {}
        listed = ACLED_SITES.get(name)
        if listed in self.known.sites:
            distance = _distance_km(self.known.sites[listed], point)
            if distance is None or distance <= MAX_MATCH_KM:
                return NameMatch("site", name, listed, "ACLED name", note=self._distance_note(listed, point)), None
            refused[listed] = f"{self.known.sites[listed].name} is {distance:,.0f} km away"
        index = self.known.site_names
        for candidate in _site_candidates(name):
            fitting = []
            for rid in index.candidates(candidate):
                site = self.known.sites[rid]
                distance = _distance_km(site, point)
                if site_class(site.kind) != wanted:
                    refused[rid] = f"{site.name} is a {site_class(site.kind)}, not a {wanted}"
                elif distance is not None and distance > MAX_MATCH_KM:
                    refused[rid] = f"{site.name} is {distance:,.0f} km away"
                else:
                    fitting.append(rid)
            outer = sorted(index.outermost(fitting))
            if len(outer) > 1:
                if point is None:  # several places of one name, and nothing to tell them apart
                    names = " and ".join(self.known.sites[rid].name for rid in outer)
                    refused[outer[0]] = f"{name!r} names {names}; the row has no coordinates to choose"
                    continue
                sites = self.known.sites
                outer = sorted(outer, key=lambda rid: _distance_km(sites[rid], point) or 0.0)[:1]
            if outer:
                rid = outer[0]
                how = index.how(candidate, rid)
                return NameMatch(
                    "site", name, rid, how, candidate if candidate != name else None,
                    self._distance_note(rid, point),
                ), None  # fmt: skip
        return None, "; ".join(refused.values()) or None

    def _distance_note(self, rid: str, point: tuple[float, float] | None) -> str | None:
        distance = _distance_km(self.known.sites[rid], point) if self.known else None
        return f"{distance:,.1f} km from the row's coordinates" if distance is not None else None

    def _new_site_id(self, name: str, kind: str) -> str:
        """A slug of the name; with the kind added when a known site has that id (Hmeimim the village)."""
        found = _slug(name) or "site-" + _hash(name)
        taken = self.known.sites if self.known is not None else {}
        if found in taken:
            found = f"{found}-{kind.replace('_', '-')}"
        return found

    def _governorate(self, admin1: str) -> str | None:
        """The region site ACLED's ``admin1`` names ("Al Hasakeh": Hasakah province), if there is one."""
        if admin1 not in self.governorates:
            found = None
            if self.known is not None and admin1.strip():
                rid = self.known.site_names.find(admin1)
                found = rid if rid is not None and self.known.sites[rid].kind == "region" else None
            self.governorates[admin1] = found
        return self.governorates[admin1]


def _distance_km(site: Site, point: tuple[float, float] | None) -> float | None:
    """Great-circle distance from a site to a row's point; None when either has no coordinates."""
    if point is None or site.lat is None or site.lon is None:
        return None
    return distance_km(site.lat, site.lon, *point)


def _actor_candidates(name: str) -> list[str]:
    """Spellings to try for an ACLED actor name, most specific first.

    ``Military Forces of Syria (2024-)`` -> itself, ``Military Forces of Syria``,
    ``Syrian army``, ``Syrian military``, ..., ``Syria``; ``SDF: Syrian
    Democratic Forces`` -> also ``SDF`` and ``Syrian Democratic Forces``.
    """
    bare = _PARENTHESIS.sub("", name).strip()
    candidates = [name, bare, *(part.strip() for part in bare.split(":") if ":" in bare)]
    match = re.match(r"(?:military|police) forces of (?:the )?(.+)", bare, re.IGNORECASE)
    if match:
        country = match[1]
        people = DEMONYMS.get(country.casefold(), country)
        candidates += [
            f"{people} {word}" for word in ("army", "military", "armed forces", "forces", "troops")
        ]
        candidates.append(country)
    candidates.append(_slug(name))
    return [c for c in dict.fromkeys(candidates) if c]


def _site_candidates(name: str) -> list[str]:
    bare = _PARENTHESIS.sub("", name).strip()
    return [
        c
        for c in dict.fromkeys([name, bare, bare.replace(" ", "-"), bare.replace("-", " "), _slug(name)])
        if c
    ]


def _actor_kind(name: str, row: dict[str, str]) -> str | None:
    for column, actor_column in (("inter1", "actor1"), ("inter2", "actor2")):
        if row.get(actor_column) == name and row.get(column, "").casefold() in INTER_KINDS:
            return INTER_KINDS[row[column].casefold()]
    folded = name.casefold()
    return next((kind for word, kind in _ACTOR_KIND_WORDS if word in folded), None)


def _actor_country(name: str) -> str | None:
    match = re.match(r"(?:military|police) forces of (?:the )?([^(]+)", name, re.IGNORECASE)
    if match:
        return match[1].strip()
    inside = _PARENTHESIS.search(name)
    if inside and inside[1] in COUNTRY_CODES.values():
        return inside[1]
    return None


def _site_kind(name: str, row: dict[str, str]) -> str:
    folded = f" {name.casefold()} "
    for word, kind in _SITE_KIND_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", folded):
            return kind
    if row.get("geo_precision") == "3" or name.casefold() == row.get("admin1", "").casefold():
        return "region" if row.get("geo_precision") == "3" else "city"
    return "town"


def _point(row: dict[str, str], where: str, problems: list[Problem]) -> tuple[float, float] | None | Literal[False]:
    """The row's coordinates; None when it has none; False (with a problem) when they are wrong."""
    lat_text, lon_text = row.get("latitude", ""), row.get("longitude", "")
    if not lat_text and not lon_text:
        return None
    values = []
    for column, text, limit in (("latitude", lat_text, 90), ("longitude", lon_text, 180)):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not re.fullmatch(r"-?\d+(?:\.\d+)?", text) or not -limit <= value <= limit:
            problems.append(Problem(where, column, f"{text!r} is not a number from -{limit} to {limit}"))
            return False
        values.append(value)
    return values[0], values[1]


def _describe(row: dict[str, str]) -> str:
    who = row.get("actor1", "")
    if row.get("actor2"):
        who += f" and {row['actor2']}"
    where = f" in {row['location']}" if row.get("location") else ""
    return f"ACLED: {row.get('sub_event_type') or row.get('event_type')} involving {who}{where}."


def _split(text: str) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


@functools.lru_cache(maxsize=4096)  # a few names and types, on every row
def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")[:80].strip("-")


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
