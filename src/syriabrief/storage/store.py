"""The event store: JSON files read through TinyDB and handed out as model objects.

This is the only module that imports TinyDB. A store file keeps its records as
three top-level lists (docs/data-model.md) rather than TinyDB's doc-id tables,
so it stays readable and diffable; ``_StoreFileStorage`` translates between the
two. Several files can be read as layers of one dataset: a record in a later
layer replaces the record with the same id in an earlier one.

Every write goes through ``update_store`` (``apply_changes`` is its common
form), which is built so that a store is never lost or half-written
(docs/reliability.md): it holds an exclusive lock on ``<store>.lock`` while it
reads the file afresh, merges, checks the whole new state, writes it to a
temporary file in the same directory (fsync), keeps the previous file as
``<store>.bak`` and renames the new one into place (``os.replace``, atomic), then
fsyncs the directory. Temporary files left by a killed writer are removed by the
next write. Readers take no lock: a rename is atomic, so they see the old file
or the new one, never a mix.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from tinydb import TinyDB
from tinydb.storages import Storage

from syriabrief.domain.dataset import Dataset
from syriabrief.domain.model import Actor, Event, Site
from syriabrief.domain.names import name_clashes
from syriabrief.domain.validate import (
    SCHEMA_VERSION,
    TABLES,
    check_records,
    check_references,
    check_store_layout,
    repeated_ids,
)
from syriabrief.errors import StoreError
from syriabrief.storage.locks import try_lock, unlock
from syriabrief.storage.migrate import layout_version, upgrade
from syriabrief.storage.paths import backup_path, bundled_path, lock_path, same_file, store_target
from syriabrief.storage.storefile import (
    NotLineLayout,
    StoreScan,
    count_event_lines,
    dump_store,  # noqa: F401 - read from here by older callers and the tests
    lines_dated,
    open_store,
    read_catalogue_lines,
    read_store_bytes,
    scan_store,
    write_appended,
    write_store,
)

__all__ = [
    "ChangeReport",
    "Changes",
    "InvalidChangesError",
    "LOCK_TIMEOUT",
    "StoreContents",
    "StoreIds",
    "StoreSummary",
    "apply_changes",
    "events_dated",
    "load_catalogue",
    "load_plain",
    "read_current_layout",
    "read_store",
    "restore_backup",
    "summarise_store",
    "update_store",
]

_KINDS = {"actors": "actor", "sites": "site", "events": "event"}
# How long a write waits for another process's write to finish before giving up
# with an error (a write of even a large store takes seconds, not minutes).
LOCK_TIMEOUT = 60.0
# Longest pause between two attempts at the lock: short, so waiting writers
# follow each other closely.
_LOCK_POLL = 0.02
# Every temporary file a write makes is named ".<store name>.<random>.tmp", so
# that the next write can find and remove those a killed writer left behind.
_TEMP_SUFFIX = ".tmp"
# Windows refuses to replace a file another process has open (a reader, an
# antivirus scanner): a write retries that many times, 50 ms apart.
_REPLACE_ATTEMPTS = 20
# Most problems quoted in the message of a refused write (all are on .problems).
_PROBLEMS_SHOWN = 20
_JSON_KINDS = {list: "a list", str: "text", bool: "true/false", type(None): "null"}


@dataclass(frozen=True, slots=True)
class StoreContents:
    """The records of one store file, as model objects."""

    path: Path
    actors: list[Actor]
    sites: list[Site]
    events: list[Event]


@dataclass(frozen=True, slots=True)
class StoreIds:
    """The ids a store holds, per kind, in file order: what a write plan decides from.

    Ask ``events`` whether it holds an id (``in``) rather than copy it: for a big
    store in the line layout that looks for the id without reading every event.
    """

    actors: Collection[str] = ()
    sites: Collection[str] = ()
    events: Collection[str] = ()


@dataclass(frozen=True)
class Changes:
    """Records to add to a store or to replace there (matched by id).

    ``checked``: the records themselves already passed ``check_records`` (as an
    import checks every record of its file before it writes), so the write does
    not check them again; it still checks all that depends on the store (ids,
    references, names), under the lock.
    """

    actors: list[Actor] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    checked: bool = False


@dataclass
class ChangeReport:
    """What a write did (or, with dry_run, would do): ids per kind ("actors", "sites", "events")."""

    added: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    updated: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})


class InvalidChangesError(StoreError):
    """A write refused because the new state would not be a valid store; nothing was written.

    ``problems`` lists every problem found, one line each; a single one makes a one-line message.
    """

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        if len(problems) == 1:
            super().__init__(f"{path} was not changed: {problems[0]}")
            return
        shown = problems[:_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
        lines = [f"{path} was not changed: the result would not be a valid store ({count}):"]
        lines += [f"  {p}" for p in shown]
        if more:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True, slots=True)
class StoreSummary:
    """Where one store is and how many records it holds (None when it does not exist)."""

    path: Path
    exists: bool
    actors: int | None = None
    sites: int | None = None
    events: int | None = None
    schema_version: int | None = None












def apply_changes(
    path: Path, changes: Changes, dry_run: bool = False, *, beneath: Sequence[Path] | None = None
) -> ChangeReport:
    """Add or replace records in the store at ``path`` (created if missing); report what changed.

    The whole new state is checked before anything is written: records that
    would leave the store invalid raise InvalidChangesError (a StoreError) and
    the file is untouched. ``beneath`` are the stores read under this one, whose
    actors and sites the new records may name; by default the bundled dataset
    (or what SYRIABRIEF_BUNDLED names instead). See update_store.
    """
    return update_store(path, lambda current: changes, dry_run, beneath=beneath)


def update_store(
    path: Path,
    plan: Callable[[StoreIds], Changes],
    dry_run: bool = False,
    *,
    beneath: Sequence[Path] | None = None,
) -> ChangeReport:
    """The one way syriabrief writes a store: ``plan`` turns the ids it holds now into changes.

    ``plan`` runs while the store is locked, on the store read afresh, so what
    it decides (say, an id no other event has) still holds when the write
    lands. It runs once, or twice when a big store turns out, while it asks
    for ids, to hold a line that must be read whole: it decides from the ids
    alone. With ``dry_run`` nothing is locked, created or written; the report
    says what a write would do and problems are raised all the same.

    Changes that only add records (new events, actors or sites) to a store in
    dump_store's layout are appended: the new records and everything they name
    are checked, new event ids are looked for among the events already there
    (as text, not decoding them), the short head of actors and sites is
    rewritten if it grows, and the event lines already there are copied as
    they are, by the operating system (they were checked when they were
    written). So adding one event, actor or site to a big store neither
    decodes nor holds in memory its events. Anything else (a change to a
    record) rewrites the whole checked state.

    A store named through a symbolic link is written through it (paths.store_target).
    """
    named = Path(path)
    path = store_target(named)
    _refuse_bundled(path)
    if path != named and not path.parent.is_dir():  # a link is followed, never used to make directories
        raise StoreError(f"{named} is a symbolic link to {path}, in a directory that does not exist; fix the link")
    if beneath is None:
        beneath = [bundled_path()]
    below = _layered_catalogue([layer for layer in beneath if not same_file(layer, path)])
    if dry_run:
        return _update(path, plan, below, write=False)
    with _StoreLock(path):
        _remove_leftovers(path)
        return _update(path, plan, below, write=True)


def _update(path: Path, plan: Callable[[StoreIds], Changes], below: _Beneath, write: bool) -> ChangeReport:
    handle = open_store(path)  # None when missing
    if handle is None:
        changes = plan(StoreIds())
        if _no_repeats(changes):  # a new store holding only what is added: written as an append to nothing
            return _append(path, None, changes, below, write)
    try:
        scan = _line_scan(handle) if handle is not None else None
        if scan is not None:
            try:
                changes = plan(StoreIds(
                    tuple(a["id"] for a in scan.actors), tuple(s["id"] for s in scan.sites), _EventIds(scan)
                ))  # fmt: skip
                if _only_additions(changes, scan):
                    return _append(path, scan, changes, below, write)
            except NotLineLayout:
                scan = None  # a line left a doubt about its id: read the store whole
    finally:
        if handle is not None:
            handle.close()
    current, db = _read_for_update(path)
    if scan is None and handle is not None:
        changes = plan(StoreIds(*(tuple(r.id for r in getattr(current, t)) for t in TABLES)))
    storage = _storage_of(db)
    version_on_disk = storage.version_on_disk
    merged, report = _merge_and_check(path, current, changes, below)
    changed = any(report.added[t] or report.updated[t] for t in TABLES)
    if not write or (not changed and (version_on_disk is None or version_on_disk == SCHEMA_VERSION)):
        return report
    try:
        if version_on_disk is not None and version_on_disk < SCHEMA_VERSION:
            _keep_copy(path, path.with_name(f"{path.name}.v{version_on_disk}.bak"), replace=False)
        for table in TABLES:
            db.table(table).truncate()
            db.table(table).insert_multiple(merged[table])
        storage.commit()
    except OSError as error:
        raise StoreError(_write_failure(path, error)) from None
    return report


def _line_scan(handle: BinaryIO) -> StoreScan | None:
    """The store's line layout when it is in the current one (else None: read it whole).

    Only the actors and sites are decoded, and the event ids read; no event is,
    and the file is never held in memory whole.
    """
    try:
        scan = scan_store(handle)
    except NotLineLayout:
        return None
    return scan if scan.version == SCHEMA_VERSION else None


def _no_repeats(changes: Changes) -> bool:
    """Whether no id comes twice in one table of the change."""
    return all(len({r.id for r in records}) == len(records) for records in (changes.actors, changes.sites, changes.events))


def _only_additions(changes: Changes, scan: StoreScan) -> bool:
    """Whether the change only adds records (no id it names is in the store): an append, not a rewrite."""
    if {a.id for a in changes.actors} & {a["id"] for a in scan.actors}:
        return False
    if {s.id for s in changes.sites} & {s["id"] for s in scan.sites}:
        return False
    return not scan.held(e.id for e in changes.events)


class _EventIds(Collection):
    """The event ids of a scanned store as ``plan`` sees them: asking for one id does not read them all."""

    def __init__(self, scan: StoreScan):
        self._scan = scan

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and bool(self._scan.held([event_id]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._scan.event_ids)

    def __len__(self) -> int:
        return len(self._scan.event_ids)


def _append(path: Path, scan: StoreScan | None, changes: Changes, below: _Beneath, write: bool) -> ChangeReport:
    """Add records without decoding the events already there: only the new ones, and the short
    lists of actors and sites (which the new records are checked against), are read as records.
    With no ``scan`` there is no store yet, and the new one holds the records added."""
    actors = [*(Actor.from_json(a) for a in (scan.actors if scan else ())), *changes.actors]
    sites = [*(Site.from_json(s) for s in (scan.sites if scan else ())), *changes.sites]
    events = changes.events
    problems = [
        str(p)
        for kind, records in (("actor", [a.to_json() for a in actors]), ("site", [s.to_json() for s in sites]))
        for p in check_records(kind, records)
    ]  # fmt: skip
    # Checked events are turned into records only as they are written (a big import need not hold them twice).
    if not changes.checked or len({e.id for e in events}) != len(events):
        check_events = repeated_ids if changes.checked else check_records
        problems += [str(p) for p in check_events("event", [e.to_json() for e in events])]
    problems += _links_and_names(
        problems, events, actors, sites, below, {a.id for a in changes.actors}, {s.id for s in changes.sites}
    )
    if problems:
        raise InvalidChangesError(path, problems)
    report = ChangeReport()
    report.added.update(actors=[a.id for a in changes.actors], sites=[s.id for s in changes.sites],
                        events=[e.id for e in events])  # fmt: skip
    if write and any(report.added.values()):
        new_actors, new_sites = [a.to_json() for a in changes.actors], [s.to_json() for s in changes.sites]
        new_events = (e.to_json() for e in events)
        if scan is None:
            every = [a.to_json() for a in actors], [s.to_json() for s in sites], new_events
            write_new: Callable[[BinaryIO], None] = lambda out: write_store(out, SCHEMA_VERSION, *every)  # noqa: E731
        else:
            # The lines already there are copied from the very file scanned (held open, under the lock).
            write_new = lambda out: write_appended(scan, out, new_actors, new_sites, new_events)  # noqa: E731
        try:
            _atomic_write(path, write_new)
        except NotLineLayout:
            raise StoreError(f"{path} changed while it was being added to, though it was locked; run the command again") from None
        except OSError as error:
            raise StoreError(_write_failure(path, error)) from None
    return report


def read_current_layout(path: Path) -> bytes:
    """The store file's bytes, in the current layout: for a checker that reads it as a file (validate).

    A store in an older layout is upgraded in memory (migrate.py), as every
    reader does, so that it is checked as they read it; anything else comes
    back as it is, for the checker to describe.
    """
    raw = read_store_bytes(path)
    if raw is None:
        raise StoreError(f"no store at {path} (check --db or SYRIABRIEF_DB)")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return raw
    version = layout_version(data)
    if version is None or version >= SCHEMA_VERSION:
        return raw
    return json.dumps(upgrade(data)).encode("ascii")  # escaped: what the file held, even lone surrogates


def summarise_store(path: Path) -> StoreSummary:
    """How many records the store at ``path`` holds; StoreError if it exists but cannot be read."""
    path = Path(path)
    if not path.exists():
        return StoreSummary(path, exists=False)
    counted = _summary_by_lines(path)
    if counted is not None:
        return counted
    db = TinyDB(str(path), storage=_StoreFileStorage)
    contents = _contents_of(path, db)
    counts = len(contents.actors), len(contents.sites), len(contents.events)
    return StoreSummary(path, True, *counts, schema_version=_storage_of(db).version_on_disk)


# A store at least this big, in the line layout of this version, is counted by its lines. Its records
# are checked when the index is built (by any query) and by validate; decoding them here took 4 s at
# 100,000 events, and a store over MAX_STORE_BYTES could not be counted at all.
_COUNTED_BY_LINES = 1 << 20


def _summary_by_lines(path: Path) -> StoreSummary | None:
    """``summarise_store`` of a big store in the line layout, without decoding its events; None otherwise."""
    handle = open_store(path)
    if handle is None:
        return None
    with handle:
        if os.fstat(handle.fileno()).st_size < _COUNTED_BY_LINES:
            return None
        try:
            scan = scan_store(handle)
            if scan.version != SCHEMA_VERSION:
                return None  # an older layout is migrated, a newer one refused: read whole
            events = count_event_lines(scan)
        except NotLineLayout:
            return None
    return StoreSummary(path, True, len(scan.actors), len(scan.sites), events, schema_version=scan.version)


def _storage_of(db: TinyDB) -> _StoreFileStorage:
    """The store-file storage a TinyDB here is always opened with (TinyDB types it as any Storage)."""
    storage = db.storage
    assert isinstance(storage, _StoreFileStorage)
    return storage


def _read_for_update(path: Path) -> tuple[StoreContents, TinyDB]:
    """The store's contents (none if it does not exist yet), and the database the write goes through."""
    db = TinyDB(str(path), storage=_StoreFileStorage)
    contents = _contents_of(path, db)  # the storage reads a missing file as an empty store
    return contents, db


def _merge_and_check(
    path: Path, current: StoreContents, changes: Changes, below: _Beneath
) -> tuple[dict[str, list[dict[str, Any]]], ChangeReport]:
    report = ChangeReport()
    merged: dict[str, list[dict[str, Any]]] = {}
    models: dict[str, list[Any]] = {}
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
        models[table] = list(records.values())
        merged[table] = [r.to_json() for r in models[table]]
    # The records already there were checked as they were read: only the change's are checked here.
    problems = []
    for table, new in (("actors", changes.actors), ("sites", changes.sites), ("events", changes.events)):
        if changes.checked or not new:
            continue
        ids = {r.id for r in new}
        numbers = [n for n, r in enumerate(models[table], 1) if r.id in ids]
        problems += [str(p) for p in check_records(_KINDS[table], [merged[table][n - 1] for n in numbers], numbers)]
    changed = {table: {*report.added[table], *report.updated[table]} for table in ("actors", "sites")}
    problems += _links_and_names(
        problems, models["events"], models["actors"], models["sites"], below, changed["actors"], changed["sites"]
    )
    if problems:
        raise InvalidChangesError(path, problems)
    return merged, report


def _links_and_names(
    problems: list[str], events: list[Event], actors: list[Actor], sites: list[Site], below: _Beneath,
    changed_actors: set[str], changed_sites: set[str],
) -> list[str]:  # fmt: skip
    """What a write's records name must exist (once the records themselves are sound), and the names
    of the actors and sites it changes must be no other's: checked under the lock, on the store read
    afresh, so two writers cannot both take one name."""
    found = []
    if not problems:
        actor_ids = below.actors | {a.id for a in actors}
        site_ids = below.sites | {s.id for s in sites}
        found = [str(p) for p in check_references(events, actor_ids, site_ids, actors, sites, below.site_parents)]
    for kind, models, beneath, changed in (("actor", actors, below.actor_records, changed_actors),
                                           ("site", sites, below.site_records, changed_sites)):  # fmt: skip
        found += [
            f"{kind} {position + 1} ({models[position].id}): {field}: {message}"
            for position, field, message in name_clashes(kind, models, beneath, changed)
        ]
    return found


@dataclass(frozen=True)
class _Beneath:
    """What a write needs of the stores beneath it: their ids (references) and records (names)."""

    actors: set[str]
    sites: set[str]
    site_parents: dict[str, str | None]
    actor_records: list[Actor]
    site_records: list[Site]


def _layered_catalogue(paths: Sequence[Path]) -> _Beneath:
    """The actors and sites of the stores beneath: all a write needs to check references and names."""
    catalogue = load_catalogue(paths)
    return _Beneath(
        actors=set(catalogue.actors),
        sites=set(catalogue.sites),
        site_parents={s.id: s.parent for s in catalogue.sites.values()},
        actor_records=list(catalogue.actors.values()),
        site_records=list(catalogue.sites.values()),
    )


def load_catalogue(paths: Sequence[Path]) -> Dataset:
    """The actors and sites of these layers (no events): enough to resolve names.

    Reads only the start of a store in dump_store's layout, so it costs the same
    for a million-event store as for an empty one.
    """
    actors: dict[str, Actor] = {}
    sites: dict[str, Site] = {}
    for path in paths:
        path = Path(path)
        part = read_catalogue_lines(path) if path.exists() else None
        if part is not None and part[0] == SCHEMA_VERSION:
            problems = check_records("actor", part[1]) + check_records("site", part[2])
            if problems:
                raise StoreError(summarise_problems(path, [str(p) for p in problems]))
            actors.update((a["id"], Actor.from_json(a)) for a in part[1])
            sites.update((s["id"], Site.from_json(s)) for s in part[2])
        else:
            contents = read_store(path)
            actors.update((a.id, a) for a in contents.actors)
            sites.update((s.id, s) for s in contents.sites)
    return Dataset(actors.values(), sites.values(), ())


def _refuse_bundled(path: Path) -> None:
    if same_file(path, bundled_path()):
        raise StoreError(
            f"{path} is the bundled dataset, which syriabrief never writes; "
            "write to your own store instead (--db, SYRIABRIEF_DB, or the default: see 'syriabrief store')"
        )


class _StoreLock:
    """An exclusive lock on ``<store>.lock`` for the length of one write, waiting for other writers.

    The lock is an OS lock on an open file (flock on POSIX, msvcrt.locking on
    Windows), so the OS releases it when its holder exits, even when killed:
    there is never a stale lock to clean up. The lock file itself stays.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _StoreLock:
        lock = lock_path(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise StoreError(_write_failure(self.path, error)) from None
        deadline = time.monotonic() + LOCK_TIMEOUT
        pause = 0.001
        while not try_lock(self.fd):
            if time.monotonic() > deadline:
                self.__exit__()
                raise StoreError(
                    f"{self.path} is being written by another process (it has held {lock.name} "
                    f"for over {LOCK_TIMEOUT:.0f} seconds); try again when it has finished"
                )
            time.sleep(pause)
            pause = min(pause * 2, _LOCK_POLL)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.fd is not None:
            unlock(self.fd)
            os.close(self.fd)
            self.fd = None


def _temp_name(path: Path) -> Path:
    import secrets  # only writes need it (~5 ms to import, with hashlib)

    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{_TEMP_SUFFIX}")


def _remove_leftovers(path: Path) -> list[Path]:
    """Remove temporary files of earlier writes that never finished (only called under the lock)."""
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = list(path.parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        if candidate.name.startswith(prefix) and candidate.name.endswith(_TEMP_SUFFIX):
            try:
                candidate.unlink()
                removed.append(candidate)
            except OSError:
                pass  # not ours to fight over; the write itself will say if the directory is unusable
    return removed


def _atomic_write(path: Path, text: str | bytes | Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` with ``text`` so that a crash at any moment leaves the old or the new file.

    ``text`` may also be a function that writes the new file to the file object it is given.
    """
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        try:
            _copy_mode(path, fd)
            if callable(text):
                text(_FdWriter(fd))  # type: ignore[arg-type]  # all a writer function uses of a file
            else:
                _write_all(fd, text.encode("utf-8") if isinstance(text, str) else text)
            os.fsync(fd)
        finally:
            os.close(fd)
        _keep_copy(path, backup_path(path), replace=True)
        _replace(temp, path)
    except BaseException:
        _unlink_quietly(temp)
        raise
    _fsync_directory(path.parent)


def _replace(source: Path, target: Path) -> None:
    """os.replace, retried briefly on Windows, where a reader holding the store open blocks it."""
    for attempt in range(_REPLACE_ATTEMPTS):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == _REPLACE_ATTEMPTS - 1:
                raise
            time.sleep(0.05)  # pragma: no cover - Windows only


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class _FdWriter:
    """The least file object a writer function needs: every write whole, straight to the descriptor."""

    def __init__(self, fd: int):
        self._fd = fd

    def write(self, data: bytes) -> int:
        _write_all(self._fd, data)
        return len(data)

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self._fd


def _copy_mode(path: Path, fd: int) -> None:
    """Give the new file the old one's permissions (or the umask's, for a new store)."""
    if not hasattr(os, "fchmod"):
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.fchmod(fd, mode)


def _keep_copy(path: Path, copy: Path, replace: bool) -> None:
    """Make ``copy`` hold the current ``path`` (a hard link where the filesystem has them)."""
    if not path.exists() or (not replace and copy.exists()):
        return
    staged = _temp_name(path)
    try:
        try:
            os.link(path, staged)
        except OSError:
            # No hard links here (some filesystems): copy, and make the copy durable.
            import shutil

            shutil.copyfile(path, staged)
            fd = os.open(staged, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(staged, copy)
    except BaseException:
        _unlink_quietly(staged)
        raise
    # When ``copy`` already was a link to the same file (a writer killed between
    # keeping the copy and renaming its new store), rename does nothing and
    # leaves ``staged`` behind (POSIX rename on two links to one file).
    _unlink_quietly(staged)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable. Windows cannot open directories; some filesystems refuse."""
    if os.name == "nt":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_failure(path: Path, error: OSError) -> str:
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EROFS: "the filesystem is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        getattr(errno, "EDQUOT", -1): "the disk quota is exceeded",
        errno.EFBIG: "the file would be larger than allowed",
    }.get(error.errno, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(path) else ""
    return f"cannot write {path}: {reason}{where}; the store was not changed"




def read_store(path: Path) -> StoreContents:
    """Read and check one store file; StoreError says what is wrong with it.

    The bundled dataset is the one file not checked record by record on every
    read: it ships checked (tests/test_dataset.py validates it), and checking its
    hundreds of events would be most of a query's time.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"no store at {path} (check --db or SYRIABRIEF_DB)")
    return _contents_of(path, TinyDB(str(path), storage=_StoreFileStorage), checked=not same_file(path, bundled_path()))


def _contents_of(path: Path, db: TinyDB, checked: bool = True) -> StoreContents:
    raw = {table: [dict(doc) for doc in db.table(table).all()] for table in TABLES}
    problems = []
    for table in TABLES if checked else ():
        problems += check_records(_KINDS[table], raw[table])
    if problems:
        raise StoreError(summarise_problems(path, [str(p) for p in problems]))
    return StoreContents(
        path=path,
        actors=[Actor.from_json(r) for r in raw["actors"]],
        sites=[Site.from_json(r) for r in raw["sites"]],
        events=[Event.from_json(r) for r in raw["events"]],
    )


def events_dated(paths: Sequence[Path], date: str) -> list[Event]:
    """The events dated ``date`` (as stored) of these layers, a later layer's replacing an earlier's.

    What ``add`` compares a new event with. A store in the line layout is
    searched as text (storefile.lines_dated) and only the lines of that date are
    decoded: no index is opened or built, and a million events are not read as
    records. Any other store is read whole.
    """
    found: dict[str, Event] = {}
    for path in paths:
        handle = open_store(Path(path))
        if handle is None:
            continue
        with handle:
            scan = _line_scan(handle)
            try:
                lines = lines_dated(scan, date) if scan is not None else None
                if lines is not None and scan is not None:
                    # An event of an earlier layer that this one holds is replaced, whatever its date now.
                    for replaced in scan.held(list(found)):
                        del found[replaced]
                    found.update((e.id, e) for e in (Event.from_json(json.loads(line)) for line in lines))
                    continue
            except NotLineLayout:
                pass
        events = read_store(Path(path)).events
        for event in events:
            found.pop(event.id, None)
        found.update((e.id, e) for e in events if e.date == date)
    return list(found.values())


def load_plain(paths: Sequence[Path]) -> Dataset:
    """Every record of every layer in memory: the reference the index must agree with."""
    actors: dict[str, Actor] = {}
    sites: dict[str, Site] = {}
    events: dict[str, Event] = {}
    for path in paths:
        contents = read_store(path)
        actors.update((a.id, a) for a in contents.actors)
        sites.update((s.id, s) for s in contents.sites)
        events.update((e.id, e) for e in contents.events)
    problems = check_references(events.values(), set(actors), set(sites), actors.values(), sites.values())
    if problems:
        where = ", ".join(str(p) for p in paths)
        raise StoreError(summarise_problems(Path(where), [str(p) for p in problems]))
    return Dataset(actors.values(), sites.values(), events.values())


class _StoreFileStorage(Storage):
    """TinyDB storage for the syriabrief file layout (three lists and a schema version).

    The file is read once; TinyDB's writes only change the state held here, and
    ``commit`` writes the whole state to disk at once, atomically. A store of an
    older layout is upgraded as it is read (migrate.py); ``version_on_disk`` is
    the layout the file itself has.
    """

    def __init__(self, path: str):
        self.path = Path(path)
        self.state: dict[str, dict[str, Any]] | None = None
        self.version_on_disk: int | None = None

    def read(self) -> dict[str, dict[str, Any]]:
        if self.state is None:
            self.state = self._load()
        return self.state

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.state = data

    def commit(self) -> None:
        """Write the state to disk: see _atomic_write. Called under the store's lock."""
        data = self.read()
        tables = [list(data.get(table, {}).values()) for table in TABLES]
        _atomic_write(self.path, lambda out: write_store(out, SCHEMA_VERSION, *tables))
        self.version_on_disk = SCHEMA_VERSION

    def close(self) -> None:
        # Nothing is ever written on close: an abandoned change must not reach the disk.
        pass

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {table: {} for table in TABLES}
        data = _parse_file(self.path)
        self.version_on_disk = layout_version(data)
        data = upgrade(data)
        problems = check_store_layout(data)
        if problems:
            details = "; ".join(f"{p.field or ''} {p.message}".strip() for p in problems)
            raise StoreError(f"{self.path}: {details}." + _recovery(self.path))
        # TinyDB turns every record into a dict before the validator sees it, and
        # fails with a bare TypeError on anything else: refuse those records here.
        not_objects = [
            f"{_KINDS[table]} {number}: must be a JSON object, not {_JSON_KINDS.get(type(record), 'a number')}"
            for table in TABLES
            for number, record in enumerate(data.get(table, []), 1)
            if not isinstance(record, dict)
        ]
        if not_objects:
            raise StoreError(summarise_problems(self.path, not_objects))
        return {table: {str(n): r for n, r in enumerate(data.get(table, []), 1)} for table in TABLES}


def _parse_file(path: Path) -> Any:
    raw = read_store_bytes(path)
    if raw is None:
        raise StoreError(f"no store at {path} (check --db or SYRIABRIEF_DB)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise StoreError(f"{path} starts with a byte-order mark; save it as UTF-8 without one")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        problem = f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
    except UnicodeDecodeError:
        problem = f"{path} is not UTF-8 text."
    except ValueError as error:  # e.g. an integer longer than Python will convert
        problem = f"{path} is not a valid store ({error})."
    except RecursionError:
        problem = f"{path} is nested too deeply to be a store."
    raise StoreError(problem + _recovery(path))


def summarise_problems(path: Path, problems: list[str]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return (
        f"{path} is not a valid store: {first}{more}. Run 'syriabrief validate {path}' to list them all."
        + _recovery(path)
    )


def _recovery(path: Path) -> str:
    """How to get a damaged store back, when a write kept its previous version (else nothing)."""
    import shlex

    backup = backup_path(store_target(path))
    if not backup.is_file():
        return ""
    return (
        f" Its previous version is kept in {backup}: "
        f"'syriabrief store --restore-backup --db {shlex.quote(str(path))}' puts it back."
    )


def restore_backup(path: Path) -> Path:
    """Put the store's previous version (``<store>.bak``) back in its place; the backup's path.

    A write like any other: under the lock, and only if the backup is a valid
    store. The file it replaces becomes the new backup, so a restore can be
    undone by restoring again (when that file was itself a valid store).
    """
    path = store_target(Path(path))
    _refuse_bundled(path)
    backup = backup_path(path)
    with _StoreLock(path):
        _remove_leftovers(path)
        data = read_store_bytes(backup)
        if data is None:
            raise StoreError(f"there is no backup of {path} to restore ({backup} does not exist); nothing was changed")
        try:
            read_store(backup)  # the whole check, and a layout this syriabrief reads
        except StoreError as error:
            raise StoreError(f"{path} was not changed, because its backup cannot be restored: {error}") from None
        try:
            _atomic_write(path, data)
        except OSError as error:
            raise StoreError(_write_failure(path, error)) from None
    return backup
