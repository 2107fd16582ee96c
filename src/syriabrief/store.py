"""The event store: JSON files read through TinyDB and handed out as model objects.

This is the only module that imports TinyDB. A store file keeps its records as
three top-level lists (docs/data-model.md) rather than TinyDB's doc-id tables,
so it stays readable and diffable; ``_StoreFileStorage`` translates between the
two. Several files can be read as layers of one dataset: a record in a later
layer replaces the record with the same id in an earlier one.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage

from .errors import StoreError
from .dataset import Catalogue, Dataset
from .model import Actor, Event, Site
from .validate import SCHEMA_VERSION, TABLES, check_records, check_references, check_store_layout

__all__ = [
    "ChangeReport",
    "Changes",
    "StoreContents",
    "apply_changes",
    "bundled_path",
    "default_user_store",
    "load_dataset",
    "read_store",
    "store_layers",
]

# Where the bundled dataset sits inside the installed package (the wheel puts
# the repository's data/events.json there).
_BUNDLED_RESOURCE = ("syriabrief", "data", "events.json")
_KINDS = {"actors": "actor", "sites": "site", "events": "event"}


@dataclass(frozen=True, slots=True)
class StoreContents:
    """The records of one store file, as model objects."""

    path: Path
    actors: list[Actor]
    sites: list[Site]
    events: list[Event]


@dataclass(frozen=True)
class Changes:
    """Records to add to a store or to replace there (matched by id)."""

    actors: list[Actor] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class ChangeReport:
    """What a write did (or, with dry_run, would do): ids per kind ("actors", "sites", "events")."""

    added: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    updated: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})


def default_user_store() -> Path:
    """Where the user's own records live unless --db or SYRIABRIEF_DB says otherwise."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "syriabrief" / "store.json"


def store_layers(db: Path | None, bundled: str | None = None) -> list[Path]:
    """The files a query reads, bottom layer first: the bundled dataset, then the user's store.

    ``db`` is the user's store from --db or SYRIABRIEF_DB: named explicitly, it
    must exist; the default location is read only once something was written there.
    ``bundled`` (SYRIABRIEF_BUNDLED) replaces the bundled dataset with another
    file, or with nothing when it is "none".
    """
    layers = [] if bundled == "none" else [Path(bundled) if bundled else bundled_path()]
    user = db or default_user_store()
    if db is not None or user.exists():
        layers.append(user)
    return layers


def apply_changes(path: Path, changes: Changes, dry_run: bool = False) -> ChangeReport:
    """Add or replace records in the store at ``path`` (created if missing); report what changed.

    The whole new state is checked before anything is written: records that
    would leave the store invalid raise StoreError and the file is untouched.
    """
    current = read_store(path) if path.exists() else StoreContents(path, [], [], [])
    report = ChangeReport()
    merged: dict[str, list[dict[str, Any]]] = {}
    for table, old, new in (
        ("actors", current.actors, changes.actors),
        ("sites", current.sites, changes.sites),
        ("events", current.events, changes.events),
    ):
        records = {r.id: r for r in old}
        for record in new:
            before = records.get(record.id)
            if before is None:
                report.added[table].append(record.id)
            elif before.to_json() != record.to_json():
                report.updated[table].append(record.id)
            else:
                report.unchanged[table].append(record.id)
            records[record.id] = record
        merged[table] = [r.to_json() for r in records.values()]
    if dry_run or not any(report.added[t] or report.updated[t] for t in TABLES):
        return report
    db = TinyDB(str(path), storage=CachingMiddleware(_StoreFileStorage))
    for table in TABLES:
        db.table(table).truncate()
        db.table(table).insert_multiple(merged[table])
    db.close()  # CachingMiddleware writes the whole new state once, here
    return report


def bundled_path() -> Path:
    """The dataset that ships with syriabrief (read-only)."""
    package, *parts = _BUNDLED_RESOURCE
    here = Path(__file__).resolve()
    # An ordinary install has the file beside this module, a source checkout at
    # the repository root: both without loading importlib.resources (~3 ms).
    for candidate in (here.parent.joinpath(*parts), here.parents[2] / "data" / "events.json"):
        if candidate.is_file():
            return candidate
    from importlib import resources

    return Path(str(resources.files(package).joinpath(*parts)))


def read_store(path: Path) -> StoreContents:
    """Read and check one store file; StoreError says what is wrong with it."""
    if not path.exists():
        raise StoreError(f"no store at {path} (check --db or SYRIABRIEF_DB)")
    db = TinyDB(str(path), storage=CachingMiddleware(_StoreFileStorage))
    raw = {table: [dict(doc) for doc in db.table(table).all()] for table in TABLES}
    problems = []
    for table in TABLES:
        problems += check_records(_KINDS[table], raw[table])
    if problems:
        raise StoreError(_summarise(path, [str(p) for p in problems]))
    contents = StoreContents(
        path=path,
        actors=[Actor.from_json(r) for r in raw["actors"]],
        sites=[Site.from_json(r) for r in raw["sites"]],
        events=[Event.from_json(r) for r in raw["events"]],
    )
    return contents


def load_dataset(paths: Sequence[Path]) -> Catalogue:
    """Read each store and layer them into one dataset, later files winning on equal ids.

    Big stores are answered from an index kept beside them (index.py), small ones
    from memory; both give the same answers.
    """
    from . import index

    if index.worth_indexing(paths):
        indexed = index.open_indexed(paths)
        if indexed is not None:
            return indexed
    return _load_plain(paths)


def _load_plain(paths: Sequence[Path]) -> Dataset:
    """Every record of every layer in memory: the reference the index must agree with."""
    actors: dict[str, Actor] = {}
    sites: dict[str, Site] = {}
    events: dict[str, Event] = {}
    for path in paths:
        contents = read_store(path)
        actors.update((a.id, a) for a in contents.actors)
        sites.update((s.id, s) for s in contents.sites)
        events.update((e.id, e) for e in contents.events)
    problems = check_references(events.values(), set(actors), set(sites), actors.values())
    if problems:
        where = ", ".join(str(p) for p in paths)
        raise StoreError(_summarise(Path(where), [str(p) for p in problems]))
    return Dataset(actors.values(), sites.values(), events.values())


class _StoreFileStorage(Storage):
    """TinyDB storage for the syriabrief file layout (three lists and a schema version)."""

    def __init__(self, path: str):
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {table: {} for table in TABLES}
        data = _parse_file(self.path)
        problems = check_store_layout(data)
        if problems:
            raise StoreError(f"{self.path}: " + "; ".join(f"{p.field or ''} {p.message}".strip() for p in problems))
        return {table: {str(n): r for n, r in enumerate(data.get(table, []), 1)} for table in TABLES}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        # TODO(issue 4): lock, temporary file, fsync, atomic replace, backup.
        layout = {"schema_version": SCHEMA_VERSION}
        layout.update({table: list(data.get(table, {}).values()) for table in TABLES})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(dump_store(layout), encoding="utf-8")


def dump_store(layout: dict[str, Any]) -> str:
    """A store as text: one record per line, so that a change to one record is a one-line diff."""
    parts = [f'{{\n"schema_version": {layout["schema_version"]}']
    for table in TABLES:
        rows = ",\n".join(json.dumps(r, ensure_ascii=False, allow_nan=False) for r in layout.get(table, []))
        parts.append(f'"{table}": [\n{rows}\n]' if rows else f'"{table}": []')
    return ",\n".join(parts) + "\n}\n"


def _parse_file(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"no store at {path} (check --db or SYRIABRIEF_DB)") from None
    except IsADirectoryError:
        raise StoreError(f"{path} is a directory, not a store file") from None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise StoreError(f"{path} starts with a byte-order mark; save it as UTF-8 without one")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise StoreError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except UnicodeDecodeError:
        raise StoreError(f"{path} is not UTF-8 text") from None
    except RecursionError:
        raise StoreError(f"{path} is nested too deeply to be a store") from None


def _summarise(path: Path, problems: list[str]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{path} is not a valid store: {first}{more}. Run 'syriabrief validate {path}' to list them all."
