"""Checks untrusted records against the data model and says what is wrong with each.

Every check returns a list of Problems instead of raising at the first one, so
that a user fixing a file sees everything at once. Standard library only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from syriabrief.domain.dates import parse_stored, precision_of
from syriabrief.domain.model import (
    ACTOR_KINDS,
    DISPUTE_ASPECTS,
    EVENT_KEYS,
    EVENT_STATUSES,
    EVENT_TYPES,
    LOCATION_PRECISIONS,
    SITE_KINDS,
    STAGES,
    Actor,
    Event,
    Site,
)

__all__ = ["Problem", "check_records", "each_record_problems", "repeated_ids", "check_references", "check_store_layout", "join_loops", "site_cycles", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1
TABLES = ("actors", "sites", "events")
# Generous bounds: past them a value is a mistake or an attack, not a report.
MAX_TEXT = 5_000
MAX_LIST = 1_000
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record: where it is, which field, and what is wrong."""

    where: str  # "event 3 (2026-01-19-shaddadi-prison-break)"
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


def check_store_layout(data: Any) -> list[Problem]:
    """The top level of a store file: an object with a schema version and three lists."""
    if not isinstance(data, dict):
        return [Problem("file", None, "is not a syriabrief store (expected a JSON object)")]
    if "schema_version" not in data:
        return [Problem("file", None, "is not a syriabrief store (no schema_version)")]
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return [Problem("file", "schema_version", f"must be a positive whole number, not {version!r}")]
    if version > SCHEMA_VERSION:
        return [
            Problem(
                "file",
                "schema_version",
                f"is {version}, newer than this syriabrief understands ({SCHEMA_VERSION}); upgrade syriabrief",
            )
        ]
    problems = [
        Problem("file", table, "must be a list")
        for table in TABLES
        if not isinstance(data.get(table, []), list)
    ]
    problems += [
        Problem("file", key, "is not a field of a store")
        for key in data
        if key not in (*TABLES, "schema_version")
    ]
    return problems


def check_records(
    kind: str, records: Iterable[Any], numbers: Iterable[int] | None = None, unicode_checked: bool = False
) -> list[Problem]:
    """Check each record of one kind ("event", "actor" or "site"); numbers count from 1.

    ``numbers`` are the records' places in their list when they are only a part
    of it (the records a write changes, the rest having been checked as read).
    ``unicode_checked``: the records come from a reader that already refused text
    with lone surrogates, so that check is skipped.
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    records = list(records)
    numbers = list(numbers) if numbers is not None else range(1, len(records) + 1)
    for number, record, found in zip(numbers, records, each_record_problems(kind, records, unicode_checked)):
        problems += [Problem(_where(kind, number, record), f, m) for f, m in found]
        problems += _repeat(kind, number, record, seen)
    return problems


def repeated_ids(kind: str, records: list[Any]) -> list[Problem]:
    """A problem for each record whose id an earlier one of ``records`` has (check_records says it too)."""
    seen: set[str] = set()
    return [p for number, record in enumerate(records, 1) for p in _repeat(kind, number, record, seen)]


def _repeat(kind: str, number: int, record: Any, seen: set[str]) -> list[Problem]:
    rid = record.get("id") if isinstance(record, dict) else None
    if not isinstance(rid, str):
        return []
    if rid in seen:
        return [Problem(_where(kind, number, record), "id", f"{rid!r} is used by an earlier {kind}")]
    seen.add(rid)
    return []


def _where(kind: str, number: int, record: Any) -> str:
    """``event 3 (its-id)``: how a problem names a record of a list."""
    rid = record.get("id") if isinstance(record, dict) else None
    return f"{kind} {number}" + (f" ({rid})" if isinstance(rid, str) else "")


def each_record_problems(
    kind: str, records: list[Any], unicode_checked: bool = False
) -> Iterator[list[tuple[str | None, str]]]:
    """The problems of each record alone, as (field, message): what check_records says of it, without
    the ids it shares with others (an import file says those its own way)."""
    check = {"event": _check_event, "actor": _check_actor, "site": _check_site}[kind]
    suspects = set() if unicode_checked else _may_hold_surrogates(records)
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            yield [(None, f"must be a JSON object, not {_kind_of(record)}")]
            continue
        found: list[tuple[str | None, str]] = list(check(record))
        if found:  # a field reported missing is not also reported for the value it lacks
            missing = {field for field, message in found if message == "is required"}
            found = [(field, message) for field, message in found if field not in missing or message == "is required"]
        if number // _SURROGATE_BATCH in suspects and _has_lone_surrogate(record):
            found.append((None, "holds text that is not valid Unicode (a lone surrogate such as \\ud800)"))
        yield found


def check_references(
    events: Iterable[Event], actor_ids: set[str], site_ids: set[str],
    actors: Iterable[Actor] = (), sites: Iterable[Site] = (),
    other_parents: dict[str, str | None] | None = None,
) -> list[Problem]:  # fmt: skip
    """Every actor and site an event, actor or site names must exist, no site may contain itself, and no
    actor may join itself.

    ``other_parents`` are the parents of sites kept elsewhere (the layers beneath
    a store), which a cycle may run through.
    """
    problems: list[Problem] = []
    actors = list(actors)
    for actor in actors:
        for ref in (actor.parent, *actor.affiliations):
            if ref and ref not in actor_ids:
                problems.append(Problem(f"actor {actor.id}", "parent/affiliations", f"no actor with id {ref!r}"))
        if actor.joined and actor.joined.actor not in actor_ids:
            problems.append(Problem(f"actor {actor.id}", "joined.actor", f"no actor with id {actor.joined.actor!r}"))
    problems += [Problem(f"actor {actor_id}", "joined.actor", message) for actor_id, message in join_loops(actors)]
    sites = list(sites)
    for site in sites:
        if site.parent and site.parent not in site_ids:
            problems.append(Problem(f"site {site.id}", "parent", f"no site with id {site.parent!r}"))
    parents = {**(other_parents or {}), **{s.id: s.parent for s in sites}}
    for cycle in site_cycles(parents, [s.id for s in sites]):
        problems.append(Problem(f"site {cycle[0]}", "parent", "makes a site contain itself: " + " in ".join(cycle)))
    for event in events:
        for ref in event.actors:
            if ref not in actor_ids:
                problems.append(Problem(f"event {event.id}", "actors", f"no actor with id {ref!r}"))
        for name in ("site", "origin", "destination"):
            ref = getattr(event, name)
            if ref and ref not in site_ids:
                problems.append(Problem(f"event {event.id}", name, f"no site with id {ref!r}"))
    return problems


def join_loops(actors: Iterable[Actor]) -> list[tuple[str, str]]:
    """(id, what is wrong) of each actor that would end up inside itself by joining another: one it
    is above, or one that joined it (its forces would count as their own force's)."""
    records = {a.id: a for a in actors}
    problems = []
    for actor in records.values():
        if actor.joined is None:
            continue
        pending, seen = [actor.joined.actor], set()
        while pending:
            node = records.get(pending.pop())
            if node is None or node.id in seen:
                continue
            if node.id == actor.id:
                problems.append((actor.id, f"{actor.joined.actor!r} is under it, or joined it: an actor cannot join itself"))
                break
            seen.add(node.id)
            pending += [i for i in (node.parent, node.joined.actor if node.joined else None) if i]
    return problems


def site_cycles(parents: dict[str, str | None], starts: Iterable[str] | None = None) -> list[list[str]]:
    """Each loop of parents (a site inside itself, at any depth) reached from ``starts``, once.

    A loop is given from its smallest id round to it again: ["a", "b", "a"].
    """
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in parents if starts is None else starts:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents.get(node)
        if node is not None and node in on_path:
            loop = path[path.index(node):]
            first = loop.index(min(loop))
            cycles.append(loop[first:] + loop[:first] + [min(loop)])
        done.update(path)
    return cycles


# --- one record -------------------------------------------------------------------

def _check_event(d: dict[str, Any]) -> Iterable[tuple[str, str]]:
    return () if _clean_event(d) else _event_problems(d)


def _clean_event(d: dict[str, Any]) -> bool:
    """Whether ``_event_problems`` would find nothing, asked of the usual record in half its time.

    An import or a store is a hundred thousand records, nearly all clean: walking
    each rule as a generator was most of checking them. True only when every rule
    holds; a record with other accounts or a range of figures is False here and
    goes the long way, which says what is wrong. tests/test_validate.py holds the two together.
    """
    get = d.get
    try:
        period = parse_stored(d["date"])
        end = get("end_date")
        if not (
            d.keys() <= _EVENT_KEYS
            and _is_id(d["id"])
            and d["type"] in EVENT_TYPES
            and (end is None or parse_stored(end).end >= period.start)
            and get("date_precision") in (None, precision_of(d["date"]))
            and isinstance(get("approximate", False), bool)
            and get("stage") in _NO_STAGE
            and get("status") in _NO_STATUS
            and _is_text(d["summary"])
            and get("disputes") in (None, [])
        ):  # fmt: skip
            return False
        for name in ("site", "origin", "destination"):
            if get(name) is not None and not _is_id(d[name]):
                return False
        actors, tags, quantities, sources = get("actors"), get("tags"), get("quantities"), d["sources"]
        if actors is not None:
            if not isinstance(actors, list) or len(actors) > MAX_LIST:
                return False
            for actor in actors:
                if not isinstance(actor, str) or _SLUG.fullmatch(actor) is None:
                    return False
        if tags is not None:
            if not isinstance(tags, list) or len(tags) > MAX_LIST:
                return False
            for tag in tags:
                if not _is_text(tag):
                    return False
        if quantities is not None:
            if not isinstance(quantities, dict):
                return False
            for figure in quantities.values():
                if not _is_number(figure):
                    return False
        if not isinstance(sources, list) or not sources:
            return False
        for source in sources:
            if not (isinstance(source, dict) and source.keys() <= _SOURCE_KEYS):
                return False
            outlet, document, url, published = source.get("outlet"), source.get("document"), source.get("url"), source.get("published")
            if not (isinstance(outlet, str) and outlet.strip()):
                return False
            if (document is not None and not isinstance(document, str)) or (url is not None and not isinstance(url, str)):
                return False
            if published is not None:
                parse_stored(published)
    except (KeyError, TypeError, ValueError):  # a field missing or of a wrong kind: the long way says which
        return False
    return True


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 200 and _SLUG.fullmatch(value) is not None


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_TEXT


_NO_STAGE, _NO_STATUS = (None, *STAGES), (None, *EVENT_STATUSES)
_SOURCE_KEYS = frozenset({"outlet", "document", "url", "published"})


def _event_problems(d: dict[str, Any]) -> Iterable[tuple[str, str]]:
    yield from _unknown_keys(d, _EVENT_KEYS)
    yield from _required(d, ("id", "date", "type", "summary", "sources"))
    yield from _slug(d, "id")
    date_ok = False
    if "date" in d:
        date_ok = yield from _date(d, "date")
    if d.get("end_date") is not None:
        end_ok = yield from _date(d, "end_date")
        if date_ok and end_ok and parse_stored(d["end_date"]).end < parse_stored(d["date"]).start:
            yield "end_date", f"{d['end_date']!r} is before the date {d['date']!r}"
    if date_ok and d.get("date_precision") is not None and d["date_precision"] != precision_of(d["date"]):
        yield "date_precision", f"{d['date_precision']!r} does not match the date {d['date']!r} ({precision_of(d['date'])})"
    yield from _one_of(d, "date_precision", ("day", "month", "year"), optional=True)
    if "approximate" in d and not isinstance(d["approximate"], bool):
        yield "approximate", f"must be true or false, not {_kind_of(d['approximate'])}"
    yield from _one_of(d, "type", EVENT_TYPES)
    yield from _one_of(d, "stage", STAGES, optional=True)
    yield from _one_of(d, "status", EVENT_STATUSES, optional=True)
    yield from _text(d, "summary")
    yield from _slug_list(d, "actors")
    for name in ("site", "origin", "destination"):
        if d.get(name) is not None:
            yield from _slug(d, name)
    yield from _quantities(d.get("quantities"))
    yield from _sources(d.get("sources"), "sources", required=True)
    yield from _disputes(d.get("disputes"))
    yield from _text_list(d, "tags")


def _check_actor(d: dict[str, Any]) -> Iterable[tuple[str, str]]:
    yield from _unknown_keys(d, _ACTOR_KEYS)
    yield from _required(d, ("id", "name"))
    yield from _slug(d, "id")
    yield from _text(d, "name")
    yield from _text_list(d, "aliases")
    yield from _one_of(d, "kind", ACTOR_KINDS, optional=True)
    yield from _text(d, "country", optional=True)
    if d.get("parent") is not None:
        yield from _slug(d, "parent")
    yield from _slug_list(d, "affiliations")
    yield from _joined(d.get("joined"), d.get("id"))


def _check_site(d: dict[str, Any]) -> Iterable[tuple[str, str]]:
    yield from _unknown_keys(d, _SITE_KEYS)
    yield from _required(d, ("id", "name"))
    yield from _slug(d, "id")
    yield from _text(d, "name")
    yield from _text_list(d, "aliases")
    yield from _one_of(d, "kind", SITE_KINDS, optional=True)
    yield from _text(d, "country", optional=True)
    yield from _text(d, "admin1", optional=True)
    for name, limit in (("lat", 90), ("lon", 180)):
        value = d.get(name)
        if value is not None and not (_is_number(value) and -limit <= value <= limit):
            yield name, f"must be a number from -{limit} to {limit}, not {value!r}"
    if (d.get("lat") is None) != (d.get("lon") is None):
        yield "lat/lon", "give both or neither"
    yield from _one_of(d, "location_precision", LOCATION_PRECISIONS, optional=True)
    if d.get("parent") is not None:
        yield from _slug(d, "parent")
        if d.get("parent") == d.get("id"):
            yield "parent", "a site cannot be inside itself"
    yield from _notes(d.get("notes"))


# --- fields ---------------------------------------------------------------------

# Each record's keys as sets: looked up once per key of every record checked (an import checks 100k).
_EVENT_KEYS, _ACTOR_KEYS, _SITE_KEYS = frozenset(EVENT_KEYS), frozenset(Actor._fields), frozenset(Site._fields)


def _unknown_keys(d: dict[str, Any], known: frozenset[str]) -> Iterable[tuple[str, str]]:
    for key in d:
        if key not in known:
            yield str(key), "is not a field of this record (check the spelling)"


def _required(d: dict[str, Any], keys: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    for key in keys:
        if d.get(key) is None:
            yield key, "is required"


def _slug(d: dict[str, Any], key: str) -> Iterable[tuple[str, str]]:
    value = d.get(key)
    if value is not None and not _is_id(value):
        yield key, f"must be an id of lowercase letters, digits and dashes, not {_short(value)}"


def _slug_list(d: dict[str, Any], key: str) -> Iterable[tuple[str, str]]:
    value = d.get(key)
    if value is None:
        return
    if not isinstance(value, list) or len(value) > MAX_LIST:
        yield key, f"must be a list of ids, not {_kind_of(value)}"
        return
    for item in value:
        if not isinstance(item, str) or not _SLUG.fullmatch(item):
            yield key, f"must hold ids of lowercase letters, digits and dashes, not {_short(item)}"


def _date(d: dict[str, Any], key: str):
    value = d[key]
    if not isinstance(value, str):
        yield key, f"must be a date string (YYYY, YYYY-MM or YYYY-MM-DD), not {_kind_of(value)}"
        return False
    try:
        parse_stored(value)
    except ValueError as error:
        yield key, str(error)
        return False
    return True


def _one_of(d: dict[str, Any], key: str, allowed: tuple[str, ...], optional: bool = False):
    value = d.get(key)
    if value is None and optional:
        return
    if value not in allowed:
        yield key, f"{_short(value)} is not one of: {', '.join(allowed)}"


def _text(d: dict[str, Any], key: str, optional: bool = False) -> Iterable[tuple[str, str]]:
    value = d.get(key)
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        yield key, f"must be non-empty text, not {_kind_of(value)}"
    elif len(value) > MAX_TEXT:
        yield key, f"is {len(value)} characters long; the limit is {MAX_TEXT}"


def _text_list(d: dict[str, Any], key: str) -> Iterable[tuple[str, str]]:
    value = d.get(key)
    if value is None:
        return
    if not isinstance(value, list) or len(value) > MAX_LIST:
        yield key, f"must be a list of text, not {_kind_of(value)}"
        return
    for item in value:
        if not _is_text(item):
            yield key, f"must hold non-empty text, not {_short(item)}"


def _quantities(value: Any) -> Iterable[tuple[str, str]]:
    if value is None:
        return
    if not isinstance(value, dict):
        yield "quantities", f"must be an object of named figures, not {_kind_of(value)}"
        return
    for name, figure in value.items():
        field = f"quantities.{name}"
        if _is_number(figure):
            continue
        if isinstance(figure, dict) and set(figure) == {"low", "high"}:
            low, high = figure["low"], figure["high"]
            if _is_number(low) and _is_number(high) and low <= high:
                continue
            yield field, f"needs numbers with low <= high, not {_short(figure)}"
            continue
        yield field, f"must be a finite number or {{\"low\": n, \"high\": n}}, not {_short(figure)}"


def _sources(value: Any, field: str, required: bool = False) -> Iterable[tuple[str, str]]:
    if not isinstance(value, list) or (required and not value):
        yield field, "must be a non-empty list of sources" if required else "must be a list of sources"
        return
    for number, source in enumerate(value, 1):
        where = f"{field}[{number}]"
        if not isinstance(source, dict):
            yield where, f"must be an object with an outlet, not {_kind_of(source)}"
            continue
        for key in source:
            if key not in _SOURCE_KEYS:
                yield f"{where}.{key}", "is not a field of a source"
        if not isinstance(source.get("outlet"), str) or not source["outlet"].strip():
            yield f"{where}.outlet", "is required (who the fact is attributed to)"
        for key in ("document", "url"):
            if source.get(key) is not None and not isinstance(source[key], str):
                yield f"{where}.{key}", f"must be text or null, not {_kind_of(source[key])}"
        published = source.get("published")
        if published is not None:
            try:
                parse_stored(published)
            except (ValueError, TypeError):
                yield f"{where}.published", f"must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {_short(published)}"


def _joined(value: Any, actor_id: Any) -> Iterable[tuple[str, str]]:
    """An actor's ``joined``: the actor it joined, from which day, and who reported it."""
    if value is None:
        return
    if not isinstance(value, dict):
        yield "joined", f"must be an object with an actor, a date and sources, not {_kind_of(value)}"
        return
    for key in value:
        if key not in ("actor", "date", "sources"):
            yield f"joined.{key}", "is not a field of joined"
    if value.get("actor") is None:
        yield "joined.actor", "is required"
    else:
        yield from (("joined.actor", m) for _, m in _slug(value, "actor"))
        if value["actor"] == actor_id:
            yield "joined.actor", "an actor cannot join itself"
    if value.get("date") is None:
        yield "joined.date", "is required"
    else:
        yield from (("joined.date", m) for _, m in _date(value, "date"))
    yield from _sources(value.get("sources"), "joined.sources", required=True)


def _disputes(value: Any) -> Iterable[tuple[str, str]]:
    yield from _sourced_texts(value, "disputes", ("claim", "sources", "about"), "claim", "dispute", sourced=False)
    for number, dispute in enumerate(value if isinstance(value, list) else (), 1):
        about = dispute.get("about") if isinstance(dispute, dict) else None
        if about is not None and about not in DISPUTE_ASPECTS:
            yield f"disputes[{number}].about", f"must be one of {', '.join(DISPUTE_ASPECTS)}, not {_short(about)}"


def _notes(value: Any) -> Iterable[tuple[str, str]]:
    # A note is a fact like any other: it names who reported it.
    yield from _sourced_texts(value, "notes", ("text", "sources"), "text", "note", sourced=True)


def _sourced_texts(
    value: Any, field: str, keys: tuple[str, ...], text: str, what: str, sourced: bool
) -> Iterable[tuple[str, str]]:
    """Problems of a list of texts with their sources (an event's disputes, a site's notes)."""
    if value is None:
        return
    if not isinstance(value, list):
        yield field, f"must be a list, not {_kind_of(value)}"
        return
    for number, item in enumerate(value, 1):
        where = f"{field}[{number}]"
        if not isinstance(item, dict):
            yield where, f"must be an object with a {text} and sources, not {_kind_of(item)}"
            continue
        for key in item:
            if key not in keys:
                yield f"{where}.{key}", f"is not a field of a {what}"
        yield from ((f"{where}.{f}", m) for f, m in _text(item, text))
        yield from _sources(item.get("sources", None if sourced else []), f"{where}.sources", required=sourced)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    # A whole number is always finite; math.isfinite would overflow on a huge one.
    return isinstance(value, int) or math.isfinite(value)


# Records are looked through for lone surrogates this many at a time (see _may_hold_surrogates).
_SURROGATE_BATCH = 1000


def _may_hold_surrogates(records: list[Any]) -> set[int]:
    """The numbers of the batches of ``records`` (``_SURROGATE_BATCH`` each) that may hold a lone surrogate.

    Walking every key and text in Python was most of the time of checking a big
    import; one JSON encoding of a batch (in C, keeping every character as it
    is) shows a surrogate anywhere in it, so only the rare batch with one, or
    one JSON cannot encode (deep nesting, odd types), is walked record by record.
    """
    suspects = set()
    for batch, start in enumerate(range(0, len(records), _SURROGATE_BATCH)):
        try:
            text = json.dumps(records[start : start + _SURROGATE_BATCH], ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            suspects.add(batch)
            continue
        if not text.isascii() and _SURROGATE.search(text):
            suspects.add(batch)
    return suspects


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any key or text inside ``value`` holds a lone surrogate (JSON's ``\\ud800``).

    JSON allows them, but no UTF-8 file or terminal can hold them: a store that
    took one in could no longer be written or printed. Encoding the record's
    JSON as UTF-8 finds one in C, several times faster than a walk in Python
    (validate and export check every event of a store); a value JSON cannot
    write is walked, without recursion so deeply nested input cannot exhaust the stack.
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (TypeError, ValueError, RecursionError):
        pass  # not JSON data (or too deep for the encoder): walk it
    else:
        return False
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return False


def _kind_of(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if _is_number(value) else type(value).__name__
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
