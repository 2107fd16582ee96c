"""The event store: JSON files read through TinyDB and handed out as model objects.

This is the only module that imports TinyDB. A store file keeps its records as
three top-level lists (docs/data-model.md) rather than TinyDB's doc-id tables,
so it stays readable and diffable; ``_StoreFileStorage`` translates between the
two. Several files can be read as layers of one dataset: a record in a later
layer replaces the record with the same id in an earlier one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage

from .errors import StoreError
from .dataset import Dataset
from .model import Actor, Event, Site
from .validate import TABLES, check_records, check_references, check_store_layout

__all__ = ["StoreContents", "bundled_path", "load_dataset", "read_store"]

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


def bundled_path() -> Path:
    """The dataset that ships with syriabrief (read-only)."""
    package, *parts = _BUNDLED_RESOURCE
    installed = resources.files(package).joinpath(*parts)
    if installed.is_file():
        return Path(str(installed))
    # Running from a source checkout: the dataset is at the repository root.
    return Path(__file__).resolve().parents[2] / "data" / "events.json"


def read_store(path: Path) -> StoreContents:
    """Read and check one store file; StoreError says what is wrong with it."""
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


def load_dataset(paths: Sequence[Path]) -> Dataset:
    """Read each store and layer them into one dataset, later files winning on equal ids."""
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
        data = _parse_file(self.path)
        problems = check_store_layout(data)
        if problems:
            raise StoreError(f"{self.path}: " + "; ".join(f"{p.field or ''} {p.message}".strip() for p in problems))
        return {table: {str(n): r for n, r in enumerate(data.get(table, []), 1)} for table in TABLES}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise StoreError(f"{self.path} is read-only here")


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
