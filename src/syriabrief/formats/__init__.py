"""Import and export file formats: reading bytes into records, checking them, writing records as text.

Reading never raises on bad input: ``read_records`` returns what it could read
together with a list of ``validate.Problem`` (where, field, what is wrong), and
``check_entries`` adds every problem the records themselves have — so a user
fixing a file sees all of it at once, and an import can be all or nothing.

One module per format family: ``jsonfmt`` (our JSON and JSON Lines),
``csvfmt`` (our CSV), ``acled`` (ACLED's CSV export), ``geojson`` and
``markdown`` (export only). docs/import-export.md documents every format.
Nothing here touches the store: writing is ``store.apply_changes``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from syriabrief.domain.dates import Period, event_period, implausible, numeric_order
from syriabrief.domain.model import Actor, Event, Site
from syriabrief.domain.names import name_clashes
from syriabrief.domain.validate import Problem, check_records, each_record_problems, join_loops, site_cycles

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue, Dataset

__all__ = [
    "EXPORT_FORMATS",
    "all_problems",
    "IMPORT_FORMATS",
    "MAX_IMPORT_BYTES",
    "Entry",
    "NameMatch",
    "NearDuplicate",
    "Parsed",
    "Split",
    "EntryChecker",
    "check_entries",
    "decoded_entries",
    "detect_format",
    "events_near_duplicates",
    "file_date_order",
    "near_duplicates",
    "read_records",
    "sort_problems",
    "split_changes",
    "split_decoded",
]

IMPORT_FORMATS = ("json", "jsonl", "csv", "acled")
EXPORT_FORMATS = ("json", "jsonl", "csv", "geojson", "markdown")
# Import files are read whole into memory; past this size a file is far more
# likely a mistake (the wrong file, a disk image) than a batch of reports, and
# a million-event store fits well under it.
MAX_IMPORT_BYTES = 512 * 1024 * 1024

_BOMS = (
    (b"\xef\xbb\xbf", "UTF-8"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


@dataclass
class Entry:
    """One record read from a file: where it is (``record 3``), what kind it is, its raw JSON form."""

    where: str
    kind: str  # "event" | "actor" | "site"
    data: Any


@dataclass(frozen=True)
class NameMatch:
    """What one name a file gives (ACLED's) became: a known record, or a new one, and why."""

    kind: str  # "actor" | "site"
    name: str  # as the file writes it
    record: str  # our id
    how: str  # "ACLED name", "exact alias", "folded spelling", "transliteration", "other spelling", "id", "new"
    via: str | None = None  # the spelling that matched, when not the name itself
    note: str | None = None  # the distance checked, or why sites of the name were not it

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "name": self.name, "record": self.record, "how": self.how,
                "via": self.via, "note": self.note}  # fmt: skip


@dataclass
class Parsed:
    """What a file held: its records, the problems reading it, and notes for the user."""

    format: str | None
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # records read but deliberately not kept
    names: list[NameMatch] = field(default_factory=list)  # the file's names mapped onto records
    # No text in the records can be a lone surrogate (read_records says why), so
    # checking them for one again is not needed.
    unicode_checked: bool = False

    @property
    def records(self) -> int:
        return len(self.entries)


def read_records(
    data: bytes, fmt: str | None = None, known: Dataset | None = None, date_order: str | None = None
) -> Parsed:
    """Read an import file's bytes in ``fmt`` (detected from the content when None).

    ``known`` (the bundled and user data) is how ACLED's actor and location
    names are matched to existing actors and sites. ``date_order`` (``dmy`` or
    ``mdy``) reads numeric dates the file itself does not decide (``file_date_order``).
    """
    problem = _check_bytes(data)
    if problem:
        return Parsed(fmt, problems=[problem])
    text = data.decode("utf-8")
    fmt = fmt or detect_format(text)
    if fmt is None:
        return Parsed(
            None,
            problems=[
                Problem(
                    "file",
                    None,
                    "is not in a format syriabrief reads (JSON, JSON Lines, our CSV or ACLED's CSV); "
                    "if it is one of them, say which with --format",
                )
            ],
        )
    if fmt == "json":
        from syriabrief.formats.jsonfmt import read_json

        parsed = read_json(text)
    elif fmt == "jsonl":
        from syriabrief.formats.jsonfmt import read_jsonl

        parsed = read_jsonl(text)
    elif fmt == "csv":
        from syriabrief.formats.csvfmt import read_csv

        parsed = read_csv(text, date_order)
    elif fmt == "acled":
        from syriabrief.formats.acled import read_acled

        parsed = read_acled(text, known, date_order)
    else:
        raise ValueError(f"unknown import format {fmt!r}")
    # The text was decoded strictly above, every JSON value in it (a CSV cell too) goes through
    # parse_json, which refuses surrogate escapes, and ACLED rows add only ids from the
    # (checked) stores: no record can hold a lone surrogate.
    parsed.unicode_checked = True
    return parsed


def detect_format(content: str | bytes) -> str | None:
    """The import format the content looks like, or None when it looks like none of them."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        return None
    if stripped[0] == "[":
        return "json"
    if stripped[0] == "{":
        import json

        first_line = stripped.split("\n", 1)[0].strip()
        try:
            first = json.loads(first_line)
        except (ValueError, RecursionError):
            return "json"  # a pretty-printed object, or broken JSON: reported as JSON
        if isinstance(first, dict) and "schema_version" not in first:
            return "jsonl"
        return "json"
    from syriabrief.formats.csvfmt import header_of

    header = {h.strip().casefold() for h in header_of(text)}
    if {"event_id_cnty", "event_date"} <= header:
        return "acled"
    # Ours, also when a column is missing (hand-made): the reader then names the column.
    if {"id", "date"} <= header or {"date", "type", "summary"} <= header:
        return "csv"
    return None


# How many rows a message about a file's dates names as examples.
DATE_EXAMPLES = 3


def file_date_order(cells: list[tuple[str, str, str]], given: str | None) -> tuple[str | None, list[Problem]]:
    """The order to read a file's numeric dates in, from its ``(where, column, text)`` date cells.

    ``given`` (the user's --date-order) wins: dates that contradict it are
    refused one by one when read. Otherwise the file decides when a date in it
    can only be read one way (23/02/2026); a file whose dates decide both ways,
    or whose numeric dates all read either way, is refused as a whole, naming
    example rows: a date is never guessed.
    """
    if given is not None:
        return given, []
    found: dict[str, list[tuple[str, str, str]]] = {"dmy": [], "mdy": [], "ambiguous": []}
    for where, column, text in cells:
        order = numeric_order(text)
        if order is not None:
            found[order].append((where, column, text))

    def examples(cells: list[tuple[str, str, str]]) -> str:
        return ", ".join(f"{text!r} in {where}" for where, _, text in cells[:DATE_EXAMPLES])

    if found["dmy"] and found["mdy"]:
        return None, [
            Problem(
                "file",
                found["dmy"][0][1],
                f"mixes day-first dates ({examples(found['dmy'])}) with month-first ones "
                f"({examples(found['mdy'])}); correct the file, or give --date-order dmy or mdy "
                "to have the dates that contradict it refused",
            )
        ]
    if found["dmy"] or found["mdy"]:
        return ("dmy" if found["dmy"] else "mdy"), []
    if found["ambiguous"]:
        return None, [
            Problem(
                "file",
                found["ambiguous"][0][1],
                f"has dates that read as different days day-first and month-first ({examples(found['ambiguous'])}) "
                "and none that settles which; give --date-order dmy (23/02/2026) or --date-order mdy (02/23/2026)",
            )
        ]
    return None, []


def check_entries(
    parsed: Parsed,
    known: Catalogue | None = None,
    progress: Callable[[], None] | None = None,
    today: date | None = None,
) -> list[Problem]:
    """Every problem the file's records have: against the data model, duplicate ids, references, names,
    and dates no report can have (after ``today``, default the real today, or before the floor).

    References may point at records in ``known`` (bundled + user data) or at
    actors and sites the file itself brings. An actor's or site's name must not
    be another one's, in the file or in ``known``.
    """
    checker = EntryChecker(known, today)
    # Each record's own problems are found a kind at a time (the surrogate check runs per batch).
    for entry, alone in zip(parsed.entries, _each_entry_problems(parsed.entries, parsed.unicode_checked)):
        checker.add(entry, alone)
        if progress:
            progress()
    return checker.finish()


def _each_entry_problems(entries: list[Entry], unicode_checked: bool) -> list[list[tuple[str | None, str]]]:
    """What is wrong with each entry's record alone, in the entries' order (checked a kind at a time)."""
    found: list[list[tuple[str | None, str]]] = [[] for _ in entries]
    positions: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        positions.setdefault(entry.kind, []).append(position)
    for kind, kept in positions.items():
        for position, problems in zip(kept, each_record_problems(kind, [entries[p].data for p in kept], unicode_checked)):
            found[position] = problems
    return found


class EntryChecker:
    """``check_entries`` one entry at a time, for files too big to hold: what it keeps is
    the ids, the actors and sites (a few hundred), and references not yet resolved.

    ``finish`` gives the problems in the order ``check_entries`` always has: each
    record's own, then unknown references, then loops of sites, then name clashes.
    """

    def __init__(self, known: Catalogue | None = None, today: date | None = None, unicode_checked: bool = False):
        """``unicode_checked``: the records cannot hold a lone surrogate (as ``Parsed.unicode_checked``)."""
        self.known = known
        self._unicode_checked = unicode_checked
        self.today = today or date.today()
        self.problems: list[Problem] = []
        self.counts = {"actor": 0, "site": 0, "event": 0}
        self.catalogue: list[Entry] = []  # the actors and sites, for loops and names
        self._first_use: dict[tuple[str, str], str] = {}
        self._ids = {"actor": set(known.actors) if known else set(), "site": set(known.sites) if known else set()}
        # References to ids not (yet) known, in file order: a later actor or site may bring them.
        self._unresolved: list[tuple[Entry, str, str, str]] = []  # (entry, field, id, kind)

    def add(self, entry: Entry, alone: list[tuple[str | None, str]] | None = None) -> None:
        """Check one entry; ``alone``: its record's own problems, when already found (check_entries)."""
        if alone is None:
            alone = next(each_record_problems(entry.kind, [entry.data], self._unicode_checked))
        found = [Problem(entry.where, field, message) for field, message in alone]
        if entry.kind == "event" and not found:
            found += _date_problems(entry, self.today)
        rid = entry.data.get("id") if isinstance(entry.data, dict) else None
        if isinstance(rid, str):
            earlier = self._first_use.setdefault((entry.kind, rid), entry.where)
            if earlier != entry.where:
                found.append(Problem(entry.where, "id", f"{rid!r} is already the id of {earlier}"))
            if entry.kind in self._ids:
                self._ids[entry.kind].add(rid)
        self.problems += found
        self.counts[entry.kind] = self.counts.get(entry.kind, 0) + 1
        if entry.kind in ("actor", "site"):
            self.catalogue.append(entry)
        self._unresolved += [
            (entry, field, ref, kind) for field, ref, kind in _references(entry) if ref not in self._ids[kind]
        ]

    def finish(self) -> list[Problem]:
        problems = list(self.problems)
        problems += [
            Problem(entry.where, field, f"no {kind} with id {ref!r} (neither in your data nor in this file)")
            for entry, field, ref, kind in self._unresolved
            if ref not in self._ids[kind]
        ]
        catalogue = Parsed(None, entries=self.catalogue)
        problems += _parent_loops(catalogue, self.known)
        problems += _join_problems(catalogue, self.known)
        problems += _name_problems(catalogue, self.known)
        return problems


def _name_problems(parsed: Parsed, known: Catalogue | None) -> list[Problem]:
    """Names of the file's valid actors and sites that another actor or site (of the file or known) has."""
    problems = []
    for kind, model, table in (("actor", Actor, "actors"), ("site", Site, "sites")):
        entries = [e for e in parsed.entries if e.kind == kind and not check_records(kind, [e.data])]
        records = [model.from_json(e.data) for e in entries]
        others = getattr(known, table).values() if known is not None else ()
        problems += [
            Problem(entries[position].where, field, message)
            for position, field, message in name_clashes(kind, records, others)
        ]
    return problems


def _date_problems(entry: Entry, today: date) -> list[Problem]:
    """An event dated after today (unless planned) or before any report: a misread date, not news."""
    data = entry.data
    latest = None if data.get("status") == "planned" else today
    why = implausible(event_period(data["date"], data.get("end_date")), latest)
    return [Problem(entry.where, "date", f"{data['date']!r} {why}")] if why else []


def _join_problems(parsed: Parsed, known: Catalogue | None) -> list[Problem]:
    """Actors of the file that would join themselves (with the known actors' parents and joins)."""
    mine = {e.data["id"]: e for e in parsed.entries if e.kind == "actor" and not check_records("actor", [e.data])}
    records = {**(known.actors if known is not None else {}), **{i: Actor.from_json(e.data) for i, e in mine.items()}}
    return [Problem(mine[actor_id].where, "joined.actor", message) for actor_id, message in join_loops(records.values()) if actor_id in mine]


def _parent_loops(parsed: Parsed, known: Catalogue | None) -> list[Problem]:
    """Sites of the file that would end up inside themselves (with the known sites' parents)."""
    parents = {s.id: s.parent for s in known.sites.values()} if known else {}
    where: dict[str, str] = {}
    for entry in parsed.entries:
        data = entry.data
        if entry.kind == "site" and isinstance(data, dict) and isinstance(data.get("id"), str):
            parent = data.get("parent")
            if isinstance(parent, str) and parent != data["id"]:  # a site its own parent is check_records' to report
                parents[data["id"]] = parent
                where.setdefault(data["id"], entry.where)
    return [
        Problem(where[cycle[0]] if cycle[0] in where else f"site {cycle[0]}", "parent",
                "makes a site contain itself: " + " in ".join(cycle))
        for cycle in site_cycles(parents, list(where))
    ]  # fmt: skip


def all_problems(
    parsed: Parsed,
    known: Catalogue | None = None,
    progress: Callable[[], None] | None = None,
    today: date | None = None,
) -> list[Problem]:
    """The problems reading the file and those of its records, in the order they occur in the file."""
    return sort_problems(parsed.problems + check_entries(parsed, known, progress, today))


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in the order they occur in the file (the sort is stable: a record's stay in order)."""
    return sorted(problems, key=_position)


def _position(problem: Problem) -> tuple[int, int, int]:
    """Sort key: the file itself first, then by table (store files) and record or line number."""
    if problem.where == "file":
        return (0, 0, 0)
    label, _, rest = problem.where.partition(" ")
    digits = re.match(r"\d+", rest)
    number = int(digits[0]) if digits else 0
    return (1, ("actor", "site", "event").index(label) if label in ("actor", "site", "event") else 0, number)


def _references(entry: Entry) -> list[tuple[str, str, str]]:
    """The ids an event, actor or site names, as ``(field, id, kind)``.

    Works on the raw record, so that a record with other problems still has
    its references checked; values of the wrong type are left to check_records.
    """
    data = entry.data
    if not isinstance(data, dict):
        return []
    wanted: list[tuple[str, Any, str]] = []  # (field, value, kind)
    if entry.kind == "event":
        actors = data.get("actors")
        wanted += [("actors", a, "actor") for a in actors if isinstance(a, str)] if isinstance(actors, list) else []
        wanted += [(name, data.get(name), "site") for name in ("site", "origin", "destination")]
    elif entry.kind == "site":
        wanted.append(("parent", data.get("parent"), "site"))
    elif entry.kind == "actor":
        links = data.get("affiliations")
        wanted.append(("parent", data.get("parent"), "actor"))
        joined = data.get("joined")
        wanted.append(("joined.actor", joined.get("actor") if isinstance(joined, dict) else None, "actor"))
        wanted += [("affiliations", a, "actor") for a in links if isinstance(a, str)] if isinstance(links, list) else []
    return [(field, ref, kind) for field, ref, kind in wanted if isinstance(ref, str) and ref]


@dataclass
class Split:
    """A checked file's records sorted for writing (per table: "actors", "sites", "events")."""

    writes: dict[str, list] = field(default_factory=lambda: {"actors": [], "sites": [], "events": []})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {"actors": [], "sites": [], "events": []})
    # ids of records to write that replace a different record already known
    # (bundled or user): updates, even where the user's store does not hold them yet.
    replacing: dict[str, set[str]] = field(
        default_factory=lambda: {"actors": set(), "sites": set(), "events": set()}
    )


def split_changes(parsed: Parsed, known: Dataset | None = None) -> Split:
    """The file's records as model objects per table, leaving out those ``known`` already holds as they are.

    Records equal to the bundled dataset's are not copied into the user's
    store, so a later upgrade of the bundled data still shows through.
    """
    return split_decoded(decoded_entries(parsed), known)


def decoded_entries(parsed: Parsed) -> list[tuple[Entry, Event | Actor | Site]]:
    """Each entry of a checked file with its record as a model object (decoded once for all that follows)."""
    return [(entry, _MODEL[entry.kind].from_json(entry.data)) for entry in parsed.entries]


def split_decoded(decoded: list[tuple[Entry, Event | Actor | Site]], known: Catalogue | None = None) -> Split:
    """split_changes of records already decoded."""
    current: dict[str, dict[str, Any]] = {"actors": {}, "sites": {}, "events": {}}
    if known is not None:
        from syriabrief.domain.filters import EventFilter

        current["actors"] = dict(known.actors)
        current["sites"] = dict(known.sites)
        # Only the known events the file names: a big store is not read whole to compare a few.
        ids = frozenset(record.id for entry, record in decoded if entry.kind == "event")
        if ids:
            current["events"] = {e.id: e for e in known.select(EventFilter(ids=ids))}
    split = Split()
    for entry, record in decoded:
        table = entry.kind + "s"
        before = current[table].get(record.id)
        if before is not None and before.to_json() == record.to_json():
            split.unchanged[table].append(record.id)
        else:
            split.writes[table].append(record)
            if before is not None:
                split.replacing[table].add(record.id)
    return split


_MODEL: dict[str, type[Event] | type[Actor] | type[Site]] = {"event": Event, "actor": Actor, "site": Site}


@dataclass(frozen=True)
class NearDuplicate:
    """An event of the file with the date, type, actors and site of another: both are kept."""

    where: str
    event: str
    same_as: str

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "event": self.event, "same_as": self.same_as}


def near_duplicates(parsed: Parsed, known: Dataset | None = None) -> list[NearDuplicate]:
    """The file's events that repeat the date, type, actors and site of a known event or an earlier
    one of the file (``duplicates.occurrence``). Reported, never merged: two clashes on one
    day in one place may well be two. Run on a checked file."""
    events = [(entry.where, Event.from_json(entry.data)) for entry in parsed.entries if entry.kind == "event"]
    return events_near_duplicates(events, known)


def events_near_duplicates(events: list[tuple[str, Event]], known: Catalogue | None = None) -> list[NearDuplicate]:
    """near_duplicates of a file's events already decoded, each with where it is in the file."""
    from syriabrief.domain.duplicates import occurrence
    from syriabrief.domain.filters import EventFilter

    if not events:
        return []
    replaced = {event.id for _, event in events}
    seen: dict[tuple, str] = {}
    if known is not None:
        first = min(event.period.start for _, event in events)
        last = max(event.period.end for _, event in events)
        window = EventFilter(since=Period(first, first, "day"), until=Period(last, last, "day"))
        for other in known.select(window):
            if other.id not in replaced:  # a known event the file replaces is not a second one
                seen.setdefault(occurrence(other), other.id)
    found = []
    for where, event in events:
        if not event.actors and not event.site:
            continue  # naming no one and nowhere, it says too little to be called a repeat
        earlier = seen.setdefault(occurrence(event), event.id)
        if earlier != event.id:
            found.append(NearDuplicate(where, event.id, earlier))
    return found


def _check_bytes(data: bytes) -> Problem | None:
    if len(data) > MAX_IMPORT_BYTES:
        return Problem(
            "file",
            None,
            f"is larger than {_size(MAX_IMPORT_BYTES)}, the most syriabrief reads at once; "
            "split it into smaller files",
        )
    if not data.strip():
        return Problem("file", None, "is empty")
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            if encoding == "UTF-8":
                return Problem(
                    "file",
                    None,
                    "starts with a byte-order mark (BOM); save it as UTF-8 without a BOM "
                    "(spreadsheets call it 'CSV UTF-8' vs plain 'CSV'; or remove the first 3 bytes)",
                )
            return Problem("file", None, f"is {encoding} text with a byte-order mark; save it as UTF-8")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(
            "file", None, f"is not UTF-8 text (line {line}, byte {error.start + 1}); save it as UTF-8"
        )
    return None


def _size(n: int) -> str:
    return f"{n // (1024 * 1024):,} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
