"""The engine's tables kept in a file beside big stores, so that queries need not parse every event.

The JSON store files stay the source of truth. For stores past
``INDEX_MIN_BYTES`` (all layers together) ``loading.load_dataset`` asks here for
an ``IndexedDataset``: the query engine (``engine.SqlDataset``) over an index
file in the cache, which reads the matching events themselves back from the
store files at the byte offsets the index recorded.

Never stale: the index records each store file's signature (size, mtime, ctime,
inode, device). Every open compares it with the files as opened (``fstat`` of the
very handles events are read from). A layer whose last change is within
``RACY_WINDOW_NS`` of the moment the index last read it is not vouched for by
its signature, because a same-size rewrite within one timestamp tick would not
change it (the problem git calls "racily clean"): its content is checked
instead (a digest of the whole file, storefile.is_unchanged).

On any difference the index is brought up to date. When a store only grew by
event lines added at the end of its events list (what ``add`` and an import of
new events write), those lines alone are read and taken into a small *delta*
file beside the index (``_refresh``); anything else means a rebuild. The index
file itself is never changed in place: rebuilds and deltas go to a temporary
file that atomically replaces the old one, so a concurrent reader sees the old
state or the new one, never half of one. Each delta names the build of the
index it extends, and is ignored once that index is replaced.

Reading a big store streams it line by line (storefile.LineReader): stores are
written one record per line. A file laid out any other way (edited by hand) is
read whole through ``store.read_store`` instead. A store with any problem is
handed to the plain loader, which raises exactly the error the unindexed path
would.

The index lives in the per-user cache directory, named after the store paths,
never next to the store (the bundled dataset may sit in a read-only place).
It is a cache, held to never answering wrongly: every index and delta carries a
checksum of itself and is fsynced before its rename (``_seal``), is checked
when opened (``_intact``), and any failure while answering hands the question
to the plain path (``_or_plain``). It is written by one process at a time,
under a lock beside it (``_update``), whose holder removes what killed builds
left behind; worker processes exit with the process that started them.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import sys
import time
import uuid
import zlib  # CRC-32 at about 2 GB/s, several times faster than any hashlib digest
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from syriabrief import __version__
from syriabrief.domain.dataset import Catalogue, Dataset
from syriabrief.domain.model import DRIVING_TYPES, Actor, Site
from syriabrief.domain.names import NAME_STATE_FIELDS
from syriabrief.errors import StoreError
from syriabrief.storage.engine import (
    INDEXES,
    SCHEMA,
    Digest,
    SqlDataset,
    describe,
    digest_lines,
    event_text,
    insert_digests,
    move_from,
    store_digests,
)
from syriabrief.storage.locks import try_lock, unlock
from syriabrief.storage.paths import cache_dir
from syriabrief.storage.storefile import (
    AppendPoint,
    LineReader,
    NotLineLayout,
    is_unchanged,
    open_store,
    read_appended,
)

# Checking records (domain.validate) and settling positions (storage.settled) are imported by the
# functions that build an index or a delta: a question answered from an index needs neither.

if TYPE_CHECKING:  # sqlite3 is imported only once a store is big enough to index
    import sqlite3

__all__ = [
    "INDEX_MIN_BYTES",
    "IndexedDataset",
    "index_path",
    "open_indexed",
    "worth_indexing",
]

# Below this many bytes of store files (all layers together) the plain in-memory
# path is used. The bundled dataset (about 400 KB) is past it: its index, built
# once in about 0.1 s, saves some 30 ms of every later command (reading it whole and
# settling its sites each time); a small store of one's own alone stays in memory
# (docs/performance.md, "Where the index starts to pay").
INDEX_MIN_BYTES = 256 * 1024
# Bumped whenever the index layout changes, or what positions.py derives (the
# index keeps settled histories): an index of another format is rebuilt.
INDEX_FORMAT = 31
# What the format also depends on: marshal's format may change between Python versions.
# A new release of syriabrief rebuilds it too, whatever changed.
_FORMAT = f"{INDEX_FORMAT} syriabrief{__version__} python{sys.version_info[0]}.{sys.version_info[1]} marshal{marshal.version}"
# An index built this soon after a store's last change is trusted for one answer
# only. Two seconds covers the coarsest common timestamps (FAT).
RACY_WINDOW_NS = 2_000_000_000
# Events validated and inserted per batch while streaming a store.
BATCH = 5_000
# Store files at least this big are parsed and checked by worker processes
# (up to MAX_WORKERS, one per CPU); smaller ones are not worth starting them.
PARALLEL_MIN_BYTES = 32 * 1024 * 1024
MAX_WORKERS = 4
# How many times to rebuild when the store keeps changing while it is read.
ATTEMPTS = 3
# How long to wait for another process's build of the same index before taking
# the plain path (a build of a million events takes a minute and a half).
BUILD_WAIT = 300.0
# Events are numbered this far apart in date order, so that events added later
# can be numbered between their neighbours without renumbering the others.
STRIDE = 1 << 20
# New events take this fraction of the gap between their neighbours (_numbers_between).
GAP_SHARE = 16
# Past these sizes new event lines are not taken in by a delta (see _refresh):
# the bytes added to one store since the index was built, and the delta itself.
APPEND_MAX_BYTES = 64 * 1024 * 1024
DELTA_MAX_BYTES = 64 * 1024 * 1024

# An index file's own table: the name indexes of its actors and sites (NameIndex.state),
# marshalled, so that a query looks names up without working them out again.
_NAMES = "CREATE TABLE final.names (kind TEXT PRIMARY KEY, state BLOB NOT NULL);"

# A delta (see _refresh) holds the same tables for the events added since the
# index was built, and the settled rows of every site their moves touched:
# those replace the index's rows for that site (``resettled``).
_DELTA_SCHEMA = SCHEMA + "CREATE TABLE resettled (site TEXT PRIMARY KEY);" + INDEXES
# Settled histories read through a delta: the index's rows but those of
# re-settled sites, and the delta's. TEMP views are found before the tables of
# the same name, so the queries read through them unchanged. (Queries of events
# ask the index and the delta apart instead: IndexedDataset._each.)
_OVERLAY = "".join(
    f"CREATE TEMP VIEW {table} AS SELECT * FROM main.{table} WHERE site NOT IN (SELECT site FROM delta.resettled) "
    f"UNION ALL SELECT * FROM delta.{table};"
    for table in ("periods", "settled", "earlier", "site_actors", "site_moves")
)
# Where an index's checksum is kept: SQLite's "user version", bytes 60-63 of the header (_seal).
_CHECKSUM_AT = 60
_CHUNK = 1 << 20
_FAST_WRITES = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
# From the staging database (checked, later layers already winning) to the
# index, renumbering events in date order.
_COPY_IN_DATE_ORDER = """
CREATE TEMP TABLE renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
INSERT INTO renumber SELECT n, row_number() OVER (ORDER BY first, last, id) * {stride} FROM main.events;
INSERT INTO final.events
    SELECT r.new, e.id, e.layer, e.first, e.last, e.type, e.status, e.flags, e.canonical, e.offset, e.length, e.doc, e.acting
    FROM main.events AS e JOIN renumber AS r ON r.old = e.n ORDER BY r.new;
INSERT INTO final.summaries
    SELECT r.new, s.folded FROM main.summaries AS s JOIN renumber AS r ON r.old = s.n ORDER BY r.new;
INSERT INTO final.packed
    SELECT r.new, p.fields FROM main.packed AS p JOIN renumber AS r ON r.old = p.n ORDER BY r.new;
INSERT INTO final.moves
    SELECT r.new, m.fields FROM main.moves AS m JOIN renumber AS r ON r.old = m.n ORDER BY r.new;
INSERT INTO final.event_actors
    SELECT a.actor, a.first, a.last, r.new, a.flags FROM main.event_actors AS a JOIN renumber AS r ON r.old = a.n;
INSERT INTO final.event_sites
    SELECT x.site, x.first, x.last, r.new, x.flags FROM main.event_sites AS x JOIN renumber AS r ON r.old = x.n;
"""
_COPY_IN_DATE_ORDER = _COPY_IN_DATE_ORDER.replace("{stride}", str(STRIDE))




def index_path(paths: Sequence[Path]) -> Path:
    """Where the index of these store layers is kept: one file per list of absolute store paths.

    Named by two 32-bit checksums of the paths rather than a digest: hashlib
    takes 3 ms to import, for every query. Two lists of stores that shared a name
    would only take turns rebuilding it, since an index is used only for the very
    files it describes (``_Kept.describes``).
    """
    key = _paths_key(paths)
    return cache_dir() / f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}.sqlite3"


def _paths_key(paths: Sequence[Path]) -> bytes:
    return "\n".join(str(Path(p).resolve()) for p in paths).encode("utf-8", "surrogatepass")


def _remove_digest_named(paths: Sequence[Path]) -> None:
    """Remove the index these stores had under the earlier naming (a SHA-256 digest of the
    paths): left alone it would stay in the cache for good (1.2 GB for a million events).

    Its lock file stays (an older syriabrief may hold it), and a file that cannot be removed
    is left: this is tidying, never a reason to go without an index.
    """
    import hashlib

    old = cache_dir() / (hashlib.sha256(_paths_key(paths)).hexdigest()[:32] + ".sqlite3")
    for end in _KEPT_FILES:
        with contextlib.suppress(OSError):
            old.with_name(old.name + end).unlink(missing_ok=True)


# An index's files: itself, its delta, and the marker vouching for each (``_intact``); its lock stays.
_KEPT_FILES = ("", ".checked", ".delta", ".delta.checked")


def _remove_orphans(built: Path) -> None:
    """Remove the indexes beside ``built`` whose stores are gone (called after a build, under its lock).

    An index is named after its stores' paths, so one whose store was deleted
    or moved, or whose bundled layer sat in a virtual environment since removed,
    is never used again, yet would stay in the cache for good (some 130 MB per
    100k events). Each index names its stores (meta ``layers``). One being built
    (its lock held) is left, as is any file that cannot be read as an index:
    this is tidying, never a reason to go without an index. Lock files stay, as
    in ``_remove_digest_named``.
    """
    with contextlib.suppress(Exception):
        for other in built.parent.glob("*.sqlite3"):
            if other != built and _orphaned(other):
                with contextlib.suppress(Exception):
                    _remove_if_still_orphaned(other)


def _orphaned(target: Path) -> bool:
    """Whether one of the stores the index at ``target`` describes is gone (False if it cannot be read)."""
    try:
        return not all(os.path.exists(store) for store in _stores_of(target))
    except Exception:
        return False


def _remove_if_still_orphaned(target: Path) -> None:
    """Remove the index at ``target`` under its lock, unless it is being built or its stores came back meanwhile."""
    fd = os.open(target.with_name(target.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if not try_lock(fd):
            return  # being built or brought up to date right now
        try:
            if _orphaned(target):  # a store recreated, and its index rebuilt, since the first look: kept
                for end in _KEPT_FILES:
                    target.with_name(target.name + end).unlink(missing_ok=True)
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def _stores_of(target: Path) -> list[str]:
    """The store paths the index at ``target`` was built from (its meta ``layers``), read without checking the file whole."""
    import sqlite3

    db = sqlite3.connect(f"{target.resolve().as_uri()}?immutable=1", uri=True)
    try:
        (layers,) = db.execute("SELECT value FROM main.meta WHERE key = 'layers'").fetchone()
    finally:
        db.close()
    return [store for store, _ in json.loads(layers)]


def worth_indexing(paths: Sequence[Path]) -> bool:
    """Whether the stores are big enough for an index to pay (a missing file: no, the plain path says so)."""
    try:
        return sum(os.stat(p).st_size for p in paths) >= INDEX_MIN_BYTES
    except OSError:
        return False


def open_indexed(paths: Sequence[Path]) -> IndexedDataset | None:
    """An up-to-date indexed dataset of these layers, updating or building the index if needed.

    None when no index can be kept (an unwritable cache directory, a file that
    cannot be opened, anything unexpected on the way): the caller then takes the
    plain path, which reports any problem with the stores themselves. A store
    with problems raises StoreError.
    """
    target = index_path(paths)
    checked = False
    for attempt in range(ATTEMPTS + 1):
        try:
            opened = [open_store(p) for p in paths]
        except StoreError:  # not a store file (a named pipe...): the plain path says so, without waiting on it
            return None
        handles = [h for h in opened if h is not None]
        if len(handles) < len(opened):  # a missing store: the plain path says so
            _close_all(handles)
            return None
        try:
            signatures = [_signature(os.fstat(h.fileno())) for h in handles]
            # An index this process just built or brought up to date from these very
            # signatures may be used even if provisional: it holds what the files held when read.
            dataset = _open_if_current(target, paths, signatures, accept_provisional=checked)
            if dataset is None and attempt < ATTEMPTS:
                checked = _update(target, paths, handles, signatures)
                if checked:
                    dataset = _open_if_current(target, paths, signatures, accept_provisional=True)
        except StoreError:
            _close_all(handles)
            raise
        except Exception:
            # Any doubt about the index (a damaged file, a worker process gone, a bug):
            # the plain path answers instead, and never wrongly.
            _close_all(handles)
            return None
        except BaseException:
            _close_all(handles)
            raise
        if dataset is not None:
            dataset._adopt(handles)
            return dataset
        _close_all(handles)
    return None


class IndexedDataset(SqlDataset):
    """The engine over an index file kept in the cache (and its delta); events read from the store files."""

    def __init__(
        self, connection: sqlite3.Connection, path: Path, actors: Iterable[Actor], meta: dict[str, str], stores: Sequence[Path],
    ):  # fmt: skip
        # How many events a delta added to this build of the index (see _refresh).
        self.build = meta.get("build")
        self.added_events = int(meta.get("events", 0))
        sources = ("main", "delta") if self.added_events else ("main",)
        # Its sites are read at the first question that needs one (Catalogue.sites).
        super().__init__(connection, actors, self._read_sites, reference=self._fall_back, sources=sources)
        self._path = path
        self._stores = list(stores)

    def _read_sites(self) -> Iterable[Site]:
        try:
            return _records(self._db, "sites", Site)
        except Exception:  # as _or_plain: the reference answers, for the rest of the run
            self._plain = self._plain or self._reference()
            return self._plain.sites.values()

    def _kept_names(self, kind: str) -> tuple | None:
        # The name indexes as the build worked them out (a delta adds no actors or sites),
        # each read when first asked: most queries name actors only.
        try:
            (state,) = self._db.execute("SELECT state FROM main.names WHERE kind = ?", (kind,)).fetchone()
            kept = marshal.loads(state)
        except Exception:  # any doubt: worked out from the records instead
            return None
        return kept if isinstance(kept, tuple) and len(kept) == NAME_STATE_FIELDS else None

    def _adopt(self, handles: list[BinaryIO]) -> None:
        # These very handles were checked against the index's signatures: events
        # are read through them, so a store replaced afterwards cannot leak in.
        self._files = handles

    def close(self) -> None:
        super().close()
        _close_all(self._files)

    def _fall_back(self) -> Dataset:
        for damaged in (self._path, _delta_path(self._path)):
            damaged.unlink(missing_ok=True)
        # The plain path reads the stores afresh: only if they are still the files read so far.
        if any(_signature(os.fstat(h.fileno())) != _signature(os.stat(p)) for h, p in zip(self._files, self._stores)):
            raise StoreError("a store file changed while it was being read; run the command again")
        return _store().load_plain(self._stores)


def _update(target: Path, paths: Sequence[Path], handles: Sequence[BinaryIO], signatures: list[list[int]]) -> bool:
    """Bring the index up to date with these open files; True once it holds what they hold.

    One process at a time: the others wait for it and then use its work, rather
    than all building at once (readers arriving during a rebuild). Under the lock,
    temporary files of builds that were killed are removed.
    """
    with _BuildLock(target):
        _remove_leftovers(target)
        current = _open_if_current(target, paths, signatures, accept_provisional=False)
        if current is not None:  # brought up to date by another process meanwhile
            current.close()
            return True
        if _refresh(target, paths, handles, signatures):
            return True
        built = _build(paths, target)
        if built:  # once this index exists, the one it replaces goes, and those no store needs
            _remove_digest_named(paths)
            _remove_orphans(target)
        return built


class _BuildLock:
    """An exclusive lock on ``<index>.lock`` while an index or its delta is written (locks.py)."""

    def __init__(self, target: Path):
        self._path = target.with_name(target.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> _BuildLock:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + BUILD_WAIT
        try:
            while not try_lock(self._fd):
                if time.monotonic() > deadline:
                    raise _Busy  # a build stopped, not killed: the plain path answers
                time.sleep(0.05)
        except BaseException:
            os.close(self._fd)
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        assert self._fd is not None
        unlock(self._fd)
        os.close(self._fd)


class _Busy(Exception):
    """Another process has held the build lock for over BUILD_WAIT seconds."""


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary files of builds and deltas that never finished (called under the build lock).

    Every temporary file of an index is named ``<index>.<...>.tmp`` (a build's
    staging database: ``.tmp.staging``), and is written only under the lock: any
    such file found by the lock's holder was left by a process killed mid-write.
    """
    for leftover in target.parent.glob(f"{target.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)




# --- opening ----------------------------------------------------------------------

def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _layers_key(paths: Sequence[Path], signatures: list[list[int]]) -> str:
    return json.dumps([[str(Path(p).resolve()), sig] for p, sig in zip(paths, signatures)])


def _open_if_current(
    target: Path, paths: Sequence[Path], signatures: list[list[int]], accept_provisional: bool
) -> IndexedDataset | None:
    kept = _open_kept(target)
    if kept is None:
        return None
    if not kept.describes(paths, signatures) or (kept.racy_layers() and not accept_provisional):
        kept.close()
        return None
    try:
        actors = _records(kept.db, "actors", Actor)
        if kept.delta is not None and int(kept.meta.get("resettled", 0)):
            kept.db.executescript(_OVERLAY)
    except Exception:  # any doubt: the index is not used, and rebuilt
        kept.close()
        return None
    return IndexedDataset(kept.db, target, actors, kept.meta, paths)


def _records(db: sqlite3.Connection, table: str, kind: type[Actor] | type[Site]) -> list:
    """An index's actors or sites, each kept as its JSON form, marshalled."""
    return [kind.from_json(marshal.loads(doc)) for (doc,) in db.execute(f"SELECT doc FROM main.{table} ORDER BY seq")]


class _Kept:
    """The index kept for some stores, with the delta that brings it up to date when there is one.

    ``db`` is the index (immutable: a file in place is never changed, only
    replaced), with the delta attached as ``delta``; ``meta`` is the index's
    meta table with the delta's over it: the signatures, points and time of
    the last check the two together answer for.
    """

    def __init__(self, db: sqlite3.Connection, meta: dict[str, str], delta: Path | None):
        self.db, self.meta, self.delta = db, meta, delta

    def close(self) -> None:
        self.db.close()

    def describes(self, paths: Sequence[Path], signatures: list[list[int]]) -> bool:
        return self.meta.get("layers") == _layers_key(paths, signatures)

    def racy_layers(self, signatures: Sequence[list[int]] | None = None) -> list[int]:
        """The layers that changed too close to the last check for their signature to vouch for them.

        A rewrite of the same size within one timestamp tick would not change a
        file's signature, so a layer whose last change is within RACY_WINDOW_NS
        of the moment it was last read is trusted only by checking its content.
        """
        if signatures is None:
            signatures = [sig for _, sig in json.loads(self.meta["layers"])]
        checked = int(self.meta.get("checked", "0"))
        return [n for n, sig in enumerate(signatures) if max(sig[1], sig[2]) >= checked - RACY_WINDOW_NS]


def _open_kept(target: Path) -> _Kept | None:
    """The index at ``target`` (and its delta, if it extends this very index); None if there is none usable."""
    import sqlite3

    if not _intact(target):
        return None  # missing or damaged: rebuilt
    try:
        # immutable: an index file is never changed once in place, only replaced.
        db = sqlite3.connect(f"{target.resolve().as_uri()}?immutable=1", uri=True, check_same_thread=False)
    except (sqlite3.Error, ValueError):
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM main.meta"))
    except sqlite3.Error:
        db.close()
        return None
    if meta.get("format") != _FORMAT:
        db.close()
        return None
    delta = _delta_path(target)
    if not _intact(delta):
        return _Kept(db, meta, None)  # none, or damaged: replaced by the next delta or rebuild
    try:
        db.execute("ATTACH DATABASE ? AS delta", (f"{delta.resolve().as_uri()}?immutable=1",))
        more = dict(db.execute("SELECT key, value FROM delta.meta"))
        if more.get("format") == _FORMAT and more.get("base") == meta.get("build"):
            return _Kept(db, {**meta, **more}, delta)
        db.execute("DETACH DATABASE delta")  # a delta of an index since replaced
    except (sqlite3.Error, ValueError):
        db.close()
        return None
    return _Kept(db, meta, None)


def _delta_path(target: Path) -> Path:
    return target.with_name(target.name + ".delta")


def _close_all(handles: Iterable[BinaryIO]) -> None:
    for handle in handles:
        handle.close()


# --- updating in place ------------------------------------------------------------


def _refresh(target: Path, paths: Sequence[Path], handles: Sequence[BinaryIO], signatures: list[list[int]]) -> bool:
    """Bring the kept index up to date without rebuilding it, if the stores allow; True once it is.

    That is so when every layer is either unchanged or the very file the index
    was made from with event lines added at the end of its events list (what
    an ``add`` or an import of new events writes): storefile.read_appended
    hashes everything before the point where they were added and compares it
    with the digest taken when the index was built, and reads only the new
    lines. They are checked as a build checks them, numbered between their
    neighbours in date order, and written with the settled histories of the
    sites their moves touch, replayed again, to a new delta beside the index
    (which stays as it is: readers of the old pair are not disturbed). A
    layer whose last change is too recent for its signature to vouch for it
    (the racy window) is checked by its content the same way, never rebuilt.

    On any doubt — a layer rewritten, not in the line layout, a new line with a
    problem, an id already there, no number free between two events, a delta
    grown big — this returns False, and the index is rebuilt as always (which
    also reports any problem of the stores).
    """
    kept = _open_kept(target)
    if kept is None:
        return False
    try:
        return _refresh_kept(kept, target, paths, handles, signatures)
    except Exception:  # _NoRoom, or any doubt: rebuilt
        return False
    finally:
        kept.close()


class _NoRoom(Exception):
    """No number is free for an event between its neighbours: the index must be rebuilt."""


def _refresh_kept(
    kept: _Kept, target: Path, paths: Sequence[Path], handles: Sequence[BinaryIO], signatures: list[list[int]]
) -> bool:
    recorded = json.loads(kept.meta["layers"])
    points = json.loads(kept.meta.get("points", "null"))
    if (
        not isinstance(points, list) or len(points) != len(paths) or len(recorded) != len(paths)
        or [layer for layer, _ in recorded] != [str(Path(p).resolve()) for p in paths]
    ):  # fmt: skip
        return False
    started = time.time_ns()
    racy = set(kept.racy_layers())
    fresh_points: list[Any] = []
    added: dict[int, list[tuple[int, bytes]]] = {}
    for layer, (handle, signature) in enumerate(zip(handles, signatures)):
        before = recorded[layer][1]
        if signature == before and layer not in racy:
            fresh_points.append(points[layer])
            continue
        point = AppendPoint.from_json(points[layer])
        if point is None:
            return False  # a layer read whole: nothing to compare it with
        if signature == before:
            if not is_unchanged(handle, point):
                return False
            fresh_points.append(points[layer])
        else:
            appended = read_appended(handle, point, APPEND_MAX_BYTES)
            if appended is None:
                return False
            added[layer], point = appended
            fresh_points.append(point.to_json())
        if _signature(os.fstat(handle.fileno())) != signature:
            return False  # changed while it was read
    meta = {
        "layers": _layers_key(paths, signatures),
        "points": json.dumps(fresh_points),
        "checked": str(started),
        "provisional": str(int(any(max(sig[1], sig[2]) >= started - RACY_WINDOW_NS for sig in signatures))),
    }
    if not added and meta["provisional"] == "1":
        return True  # checked, and still too recent to record as settled: the next run checks again
    digests = {layer: digest_lines(lines) for layer, lines in added.items()}
    whole = {layer: d for layer, d in digests.items() if d is not None}
    if len(whole) < len(digests):
        return False  # a new line with a problem: the rebuild reports it as the plain path does
    return _write_delta(kept, target, whole, meta)


def _write_delta(kept: _Kept, target: Path, digests: dict[int, list[Digest]], meta: dict[str, str]) -> bool:
    """Write the delta: the kept one (if any) with these new events and the sites they touch re-settled."""
    import sqlite3

    delta = _delta_path(target)
    if kept.delta is not None and kept.delta.stat().st_size > DELTA_MAX_BYTES:
        return False
    new = [(layer, digest) for layer, batch in sorted(digests.items()) for digest in batch]
    ids = [digest[0] for _, digest in new]
    if len(set(ids)) != len(ids) or _existing_ids(kept, ids):
        return False  # a duplicate, or an event of a lower layer replaced: the rebuild decides
    known_actors = {a for (a,) in kept.db.execute("SELECT id FROM main.actors")}
    known_sites = {s for (s,) in kept.db.execute("SELECT id FROM main.sites")}
    if any(not set(d[11]) <= known_actors or not set(d[12]) <= known_sites for _, d in new):
        return False
    numbers = _numbers_between(kept, [(d[1], d[2], d[0]) for _, d in new])
    temporary = delta.with_name(f"{delta.name}.{uuid.uuid4().hex}.tmp")
    try:
        if kept.delta is not None:
            # The delta as this connection reads it, whatever has replaced the file since.
            kept.db.execute("VACUUM delta INTO ?", (str(temporary),))
            out = sqlite3.connect(temporary)
            out.executescript(_FAST_WRITES)
        else:
            out = sqlite3.connect(temporary)
            out.executescript(_FAST_WRITES + _DELTA_SCHEMA)
        try:
            _insert_new(out, new, numbers)
            touched = sorted({s for _, d in new if d[3] in DRIVING_TYPES and (s := move_from(d[14]).site) and s in d[12]})
            for site in touched:
                _resettle(out, kept, site, [(d, numbers[d[0]]) for _, d in new if move_from(d[14]).site == site and d[3] in DRIVING_TYPES])
            (events,) = out.execute("SELECT count(*) FROM events").fetchone()
            (resettled,) = out.execute("SELECT count(*) FROM resettled").fetchone()
            rows = {**meta, "format": _FORMAT, "base": kept.meta["build"], "events": str(events), "resettled": str(resettled)}
            out.execute("DELETE FROM meta")
            out.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
            out.commit()
        finally:
            out.close()
        _seal(temporary)
        os.replace(temporary, delta)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def _existing_ids(kept: _Kept, ids: list[str]) -> bool:
    sql = "SELECT 1 FROM main.events WHERE id IN (SELECT value FROM json_each(?))"
    if kept.delta is not None:
        sql += " UNION ALL SELECT 1 FROM delta.events WHERE id IN (SELECT value FROM json_each(?))"
    found = kept.db.execute(sql + " LIMIT 1", [json.dumps(ids)] * (2 if kept.delta is not None else 1))
    return found.fetchone() is not None


def _numbers_between(kept: _Kept, keys: list[tuple[int, int, str]]) -> dict[str, int]:
    """Numbers for new events (first day, last day, id), each between its neighbours in date order.

    The events of the index and the delta are numbered in that order, STRIDE
    apart to begin with; new events falling between the same two neighbours
    share the gap evenly. _NoRoom when a gap is too narrow (after thousands of
    additions at the same place).
    """
    sources = ["main"] + (["delta"] if kept.delta is not None else [])
    gaps: dict[tuple[int | None, int | None], list[str]] = {}
    for first, last, event_id in sorted(keys):
        before, after = None, None
        for source in sources:
            # n grows with (first, last, id): the greatest n of an earlier key is the one just before.
            rows = kept.db.execute(
                f"SELECT max(n) FROM {source}.events WHERE first = ? AND (last < ? OR (last = ? AND id < ?)) "
                f"UNION ALL SELECT n FROM (SELECT n FROM {source}.events WHERE first < ? ORDER BY first DESC, n DESC LIMIT 1)",
                (first, last, last, event_id, first),
            ).fetchall()
            found = [n for (n,) in rows if n is not None]
            if found:
                before = max(found) if before is None else max(before, *found)
        for source in sources:
            condition = "" if before is None else "WHERE n > ?"
            (n,) = kept.db.execute(f"SELECT min(n) FROM {source}.events {condition}", () if before is None else (before,)).fetchone()
            if n is not None and (after is None or n < after):
                after = n
        gaps.setdefault((before, after), []).append(event_id)
    numbers: dict[str, int] = {}
    for (before, after), ids in gaps.items():
        if before is None:
            low, high = (0, (len(ids) + 1) * STRIDE) if after is None else (after - (len(ids) + 1) * STRIDE, after)
        elif after is None:
            low, high = before, before + (len(ids) + 1) * STRIDE
        else:
            low, high = before, after
            # Events added one batch after another mostly come after the last batch
            # (later days, later ids): spread over the whole gap, a run of them at one
            # place would narrow it elevenfold per batch of ten and force a rebuild
            # every few writes. Packed into its first part, the gap lasts a run of
            # hundreds of batches, and a sixteenth is still room for many between them.
            if high - low > GAP_SHARE * (len(ids) + 1):
                high = low + (high - low) // GAP_SHARE
        if high - low <= len(ids):
            raise _NoRoom
        numbers.update((event_id, low + (high - low) * k // (len(ids) + 1)) for k, event_id in enumerate(ids, 1))
    return numbers


def _insert_new(db: sqlite3.Connection, new: list[tuple[int, Digest]], numbers: dict[str, int]) -> None:
    insert_digests(db, [(numbers[digest[0]], layer, digest) for layer, digest in new])


def _resettle(out: sqlite3.Connection, kept: _Kept, site: str, new: list[tuple[Digest, int]]) -> None:
    """Replay ``site`` again with its new moves and keep its rows in the delta (as settle does)."""
    from syriabrief.storage.settled import keep_settled

    resettled = kept.delta is not None and kept.db.execute(
        "SELECT 1 FROM delta.resettled WHERE site = ?", (site,)
    ).fetchone()  # fmt: skip
    source = "delta" if resettled else "main"
    rows = kept.db.execute(f"SELECT first, n, fields FROM {source}.site_moves WHERE site = ?", (site,)).fetchall()
    rows += [(digest[1], n, digest[14]) for digest, n in new]
    rows.sort(key=lambda row: row[1])
    for table in ("periods", "settled", "earlier", "site_actors", "site_moves"):
        out.execute(f"DELETE FROM {table} WHERE site = ?", (site,))
    out.execute("INSERT OR IGNORE INTO resettled VALUES (?)", (site,))
    keep_settled(out, site, rows)


def _seal(path: Path) -> None:
    """Write a finished index or delta's checksum into its header and flush it to disk, before it is put in place.

    SQLite leaves the four bytes of the header's "user version" to the
    application: they hold a CRC-32 of the whole file, taken with those bytes
    as zeros (_intact checks it). The file was written with synchronous = OFF:
    the fsync is what makes the rename that follows safe from a crash.
    """
    with open(path, "r+b") as handle:
        checksum = _checksum(handle)
        handle.seek(_CHECKSUM_AT)
        handle.write(checksum.to_bytes(4, "big"))
        handle.flush()
        os.fsync(handle.fileno())


def _checksum(handle: BinaryIO) -> int:
    handle.seek(0)
    head = bytearray(handle.read(_CHUNK))
    head[_CHECKSUM_AT : _CHECKSUM_AT + 4] = bytes(4)
    checksum = zlib.crc32(head)
    while block := handle.read(_CHUNK):
        checksum = zlib.crc32(block, checksum)
    return checksum


def _intact(path: Path) -> bool:
    """Whether the index or delta at ``path`` is exactly the file that was sealed (False if it cannot be read).

    Hashing a big index on every query would cost more than the query, so a
    file once found intact is vouched for by a marker beside it (``.checked``)
    holding its signature, until the signature changes: any write to the file,
    a byte flipped by hand or a program, changes its change time (ctime),
    which no one can set back. As for stores (RACY_WINDOW_NS), a check within
    the racy window of the file's last change vouches for nothing: a change
    within the same timestamp tick would not show.
    """
    marker = path.with_name(path.name + ".checked")
    try:
        with open(path, "rb") as handle:
            signature = _signature(os.fstat(handle.fileno()))
            try:
                if json.loads(marker.read_bytes()) == signature:
                    return True
            except (OSError, ValueError):
                pass
            started = time.time_ns()
            handle.seek(_CHECKSUM_AT)
            sealed = int.from_bytes(handle.read(4), "big")
            if _checksum(handle) != sealed:
                return False
    except OSError:
        return False
    if max(signature[1], signature[2]) < started - RACY_WINDOW_NS:
        # Written in place, without a temporary file: a reader that sees it torn or
        # mixed with another's cannot parse it, and checks the file again.
        try:
            marker.write_text(json.dumps(signature))
        except OSError:
            pass  # an unwritable cache: the file is checked again next time
    return True


# --- building ---------------------------------------------------------------------

class _Changed(Exception):
    """A store file changed while the index was being built from it."""


class _NotStreamable(Exception):
    """A store file that is not in dump_store's one-record-per-line layout, or has a problem."""


def _build(paths: Sequence[Path], target: Path) -> bool:
    """Build the index of ``paths`` into ``target`` (under the build lock); True once built. StoreError for a broken store."""
    for _ in range(ATTEMPTS):
        temporary = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            _build_into(paths, temporary)
            _seal(temporary)
            os.replace(temporary, target)
            # The delta of the index just replaced extends nothing now (its "base" says so).
            _delta_path(target).unlink(missing_ok=True)
            return True
        except _Changed:
            continue
        finally:
            temporary.unlink(missing_ok=True)
    return False


def _build_into(paths: Sequence[Path], file: Path) -> None:
    """Read every layer into a staging database, check it, then write the index to ``file``.

    The final tables are written in date order, so that the events of a date
    range sit together on disk: a query reads a few pages, not one per event.
    """
    import sqlite3

    from syriabrief.storage.settled import settle

    started = time.time_ns()
    staging = file.with_name(file.name + ".staging")
    db = sqlite3.connect(staging)
    try:
        db.executescript(_FAST_WRITES + SCHEMA)
        actors: dict[str, dict[str, Any]] = {}
        sites: dict[str, dict[str, Any]] = {}
        signatures, points = [], []
        for layer, path in enumerate(paths):
            with open(path, "rb") as handle:
                before = _signature(os.fstat(handle.fileno()))
                earlier = dict(actors), dict(sites)
                point = None
                try:
                    point = _stream_layer(db, layer, handle, actors, sites)
                except _NotStreamable:
                    # Start this layer again from what the layers below left.
                    actors.clear()
                    actors.update(earlier[0])
                    sites.clear()
                    sites.update(earlier[1])
                    for table in ("event_actors", "event_sites", "summaries", "packed", "moves"):
                        sql = f"DELETE FROM {table} WHERE n IN (SELECT n FROM events WHERE layer = ?)"
                        db.execute(sql, (layer,))
                    db.execute("DELETE FROM events WHERE layer = ?", (layer,))
                    _read_whole_layer(db, layer, path, actors, sites)
                # A store replaced by a write while it was read is still this handle's
                # file, which the index describes (the next open takes in what the
                # write added). But that write keeps the file as the store's backup,
                # a hard link, which moves its change time: then its content tells
                # whether it changed in place.
                after = _signature(os.fstat(handle.fileno()))
                if after != before and (after[:2] != before[:2] or point is None or not is_unchanged(handle, point)):
                    raise _Changed
            signatures.append(after)
            points.append(point.to_json() if point is not None else None)
        db.execute("CREATE INDEX staging_by_id ON events (id, layer)")
        _check_layers(db, paths, actors, sites)

        final = sqlite3.connect(file)
        final.executescript(_FAST_WRITES + SCHEMA)
        final.close()
        db.execute("ATTACH DATABASE ? AS final", (str(file),))
        db.executescript(_FAST_WRITES.replace("PRAGMA ", "PRAGMA final.") + _COPY_IN_DATE_ORDER)
        for table, records in (("actors", actors), ("sites", sites)):
            rows = ((k, marshal.dumps(v)) for k, v in records.items())
            db.executemany(f"INSERT INTO final.{table} (id, doc) VALUES (?, ?)", rows)
        db.executescript(_NAMES)
        catalogue = Catalogue(map(Actor.from_json, actors.values()), map(Site.from_json, sites.values()))
        named = (("actor", catalogue.actor_names.state()), ("site", catalogue.site_names.state()))
        db.executemany("INSERT INTO final.names VALUES (?, ?)", ((k, marshal.dumps(state)) for k, state in named))
        racy = any(max(sig[1], sig[2]) >= started - RACY_WINDOW_NS for sig in signatures)
        db.executemany(
            "INSERT INTO final.meta VALUES (?, ?)",
            [
                ("format", _FORMAT),
                ("build", uuid.uuid4().hex),
                ("layers", _layers_key(paths, signatures)),
                # Where events would be added to each layer (None: a layer read whole), and
                # when the layers were read: what a delta needs to take in an append (_refresh).
                ("points", json.dumps(points)),
                ("checked", str(started)),
                ("provisional", str(int(racy))),
            ],
        )
        db.commit()
        db.execute("DETACH DATABASE final")
    finally:
        db.close()
        staging.unlink(missing_ok=True)
    final = sqlite3.connect(file)
    try:
        final.executescript(_FAST_WRITES + INDEXES)
        settle(final)
        final.execute("ANALYZE")
        final.commit()
    finally:
        final.close()




def _check_layers(db: sqlite3.Connection, paths: Sequence[Path], actors: dict, sites: dict) -> None:
    """Duplicate ids within a layer, later layers replacing earlier events, and references."""
    from syriabrief.domain.validate import check_references

    duplicate = db.execute(
        "SELECT layer FROM events GROUP BY id, layer HAVING count(*) > 1 ORDER BY layer LIMIT 1"
    ).fetchone()
    if duplicate:
        _raise_plain([paths[duplicate[0]]])
    if len(paths) > 1:
        db.execute("DELETE FROM events WHERE n NOT IN (SELECT max(n) FROM events GROUP BY id)")
        for table in ("event_actors", "event_sites", "summaries", "packed", "moves"):
            db.execute(f"DELETE FROM {table} WHERE n NOT IN (SELECT n FROM events)")
    db.execute("CREATE TEMP TABLE known_actors (id TEXT PRIMARY KEY)")
    db.execute("CREATE TEMP TABLE known_sites (id TEXT PRIMARY KEY)")
    db.executemany("INSERT INTO known_actors VALUES (?)", ((k,) for k in actors))
    db.executemany("INSERT INTO known_sites VALUES (?)", ((k,) for k in sites))
    unknown = db.execute(
        "SELECT 1 FROM event_actors WHERE actor NOT IN (SELECT id FROM known_actors) UNION ALL "
        "SELECT 1 FROM event_sites WHERE site NOT IN (SELECT id FROM known_sites) LIMIT 1"
    ).fetchone()
    actor_records = (Actor.from_json(a) for a in actors.values())
    site_records = (Site.from_json(s) for s in sites.values())
    if unknown or check_references((), set(actors), set(sites), actor_records, site_records):
        _raise_plain(paths)


def _store() -> Any:
    """The store module, for the ways around the index (a fallback, an error, a file not one record
    per line): an answer from the index does not import it (TinyDB and all, 10 ms of a query)."""
    from syriabrief.storage import store

    return store


def _raise_plain(paths: Sequence[Path]) -> None:
    """Let the plain loader report a broken store, so the message is the one it always gives."""
    _store().load_plain(paths)
    # The plain loader found nothing wrong where the index did: trust neither.
    raise StoreError(f"could not index {', '.join(map(str, paths))}; please report this")


def _stream_layer(db: sqlite3.Connection, layer: int, handle: BinaryIO, actors: dict, sites: dict) -> AppendPoint:
    """Index one store file laid out as dump_store writes it; _NotStreamable for anything else.

    The layout is read line by line by storefile.LineReader, which also takes
    the digest that lets a later append be taken in without reading it all
    again (the point returned). The event lines themselves are parsed, checked
    and turned into index rows by ``digest_lines`` in batches, in worker processes
    when the file is big enough for that to pay.
    """
    from syriabrief.domain.validate import SCHEMA_VERSION

    reader = LineReader(handle, digest=True)
    try:
        reader.read_head()
    except NotLineLayout:
        raise _NotStreamable from None
    if not 1 <= reader.version <= SCHEMA_VERSION:
        raise _NotStreamable
    size = os.fstat(handle.fileno()).st_size
    catalogue: dict[str, list[tuple[int, bytes]]] = {"actors": [], "sites": []}
    with _Digester(parallel=size >= PARALLEL_MIN_BYTES) as digester:
        batch: list[tuple[int, bytes]] = []
        try:
            for table, offset, body in reader.records():
                if table != "events":
                    # Actors and sites are few and are checked together (duplicate ids);
                    # events go in batches, their duplicates are found in SQL.
                    catalogue[table].append((offset, body))
                    continue
                batch.append((offset, body))
                if len(batch) >= BATCH:
                    store_digests(db, layer, digester.submit(batch))
                    batch = []
        except NotLineLayout:
            raise _NotStreamable from None
        store_digests(db, layer, digester.submit(batch))
        store_digests(db, layer, digester.drain())
    _keep_records("actors", catalogue["actors"], actors)
    _keep_records("sites", catalogue["sites"], sites)
    assert reader.point is not None
    return reader.point


def _keep_records(table: str, lines: list[tuple[int, bytes]], into: dict[str, dict[str, Any]]) -> None:
    from syriabrief.domain.validate import check_records

    try:
        records = [json.loads(body) for _, body in lines]
    except (ValueError, RecursionError):
        raise _NotStreamable from None
    if check_records(table[:-1], records):
        raise _NotStreamable  # the plain reader will name every problem
    into.update((r["id"], r) for r in records)




class _Digester:
    """Runs ``digest_lines`` on batches, in order: here, or in worker processes for big files."""

    def __init__(self, parallel: bool):
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        self._pool = None
        self._pending: list = []
        if parallel and workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(workers, initializer=_start_worker)
            self._limit = 2 * workers  # batches in flight: bounds memory

    def __enter__(self) -> _Digester:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            for future in self._pending:
                future.cancel()
            self._pool.shutdown(wait=True)

    def submit(self, batch: list[tuple[int, bytes]]) -> Iterable[list[Digest]]:
        """Hand a batch over; returns the batches that are done (in order) so far."""
        if self._pool is None:
            return [self._checked(digest_lines(batch))] if batch else []
        if batch:
            self._pending.append(self._pool.submit(digest_lines, batch))
        done = []
        while len(self._pending) >= self._limit or (self._pending and self._pending[0].done()):
            done.append(self._checked(self._pending.pop(0).result()))
        return done

    def drain(self) -> Iterable[list[Digest]]:
        done = [self._checked(f.result()) for f in self._pending]
        self._pending = []
        return done

    @staticmethod
    def _checked(digests: list[Digest] | None) -> list[Digest]:
        if digests is None:
            raise _NotStreamable  # the plain reader will name every problem
        return digests


def _start_worker() -> None:
    """Make a digest worker unable to outlive the process that started it.

    A killed parent would otherwise leave its workers behind, waiting for work
    (or blocked writing a result) for ever, and holding the stdout and stderr
    they inherited: a shell pipe or ``subprocess.communicate()`` on the parent
    would never see end-of-file.
    """
    import multiprocessing
    import threading

    # Workers print nothing (results and errors go back through the pool).
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    # The parent's sentinel reaches end-of-file once the parent has exited, however it exited.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: Any) -> None:
    parent.join()
    os._exit(1)




def _read_whole_layer(db: sqlite3.Connection, layer: int, path: Path, actors: dict, sites: dict) -> None:
    """A store not laid out one record per line: read it whole (and have it checked) by the store."""
    contents = _store().read_store(path)
    actors.update((a.id, a.to_json()) for a in contents.actors)
    sites.update((s.id, s.to_json()) for s in contents.sites)
    for first in range(0, len(contents.events), BATCH):
        digests = []
        for event in contents.events[first : first + BATCH]:
            digests.append(describe(event, None, None, event_text(event)))
        store_digests(db, layer, [digests])
