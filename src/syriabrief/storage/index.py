"""An SQLite index kept beside big stores, so that queries need not parse every event.

The JSON store files stay the source of truth. For stores past
``INDEX_MIN_BYTES`` (all layers together) ``loading.load_dataset`` asks here for
an ``IndexedDataset``: it answers ``select``/``count`` in SQL over a few columns
(date span as day numbers, type, status, case-folded summary, actor and site
link tables) and reads the matching events themselves back from the store files
at the byte offsets the index recorded.

Never stale: the index records each store file's signature (size, mtime, ctime,
inode, device). Every open compares it with the files as opened (``fstat`` of the
very handles events are read from); any difference means a rebuild. An index
built within ``RACY_WINDOW_NS`` of a store's last change is marked provisional
and rebuilt at the next open, because a same-size rewrite within one timestamp
tick would not change the signature (the problem git calls "racily clean").
Rebuilds go to a temporary file that atomically replaces the old index, so a
concurrent reader sees the old index or the new one, never half of one.

Reading a big store streams it line by line: ``store.dump_store`` writes one
record per line. A file laid out any other way (edited by hand) is read whole
through ``store.read_store`` instead. A store with any problem is handed to the
plain loader, which raises exactly the error the unindexed path would.

The index lives in the per-user cache directory, named after the store paths,
never next to the store (the bundled dataset may sit in a read-only place).
"""

from __future__ import annotations

import datetime
import itertools
import json
import marshal
import os
import re
import sys
import time
import uuid
from dataclasses import astuple
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable, Sequence

from syriabrief import __version__
from syriabrief.domain.dataset import Catalogue
from syriabrief.errors import StoreError
from syriabrief.domain.safetext import json_text
from syriabrief.storage.paths import cache_dir
from syriabrief.storage.store import load_plain, read_store
from syriabrief.domain.model import Actor, Dispute, Event, Move, Site, Source
from syriabrief.domain.positions import DRIVING_TYPES, ControlPeriod, settled_history
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.validate import SCHEMA_VERSION, TABLES, check_records, check_references

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
# path is used. The bundled dataset (about 400 KB, read without per-record checks)
# stays below it, so a plain run never builds a cache; generated stores past a
# thousand events are indexed (docs/performance.md).
INDEX_MIN_BYTES = 1024 * 1024
# Bumped whenever the index layout changes, or what positions.py derives (the
# index keeps settled histories): an index of another format is rebuilt.
INDEX_FORMAT = 9
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

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE actors (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE sites (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL);
-- One narrow row per event; ``n`` numbers the events in date order (first day,
-- last day, id: the order of Dataset.events), so "ORDER BY n" is that order.
-- ``first`` and ``last`` are the ordinals of the first and last day the event
-- may cover. (While building, in a staging database, ``n`` is the reading
-- order instead: later layers later, which is how later layers win.)
-- The event itself is read from its layer's file at (offset, length), or from
-- ``doc`` when the file was not line-structured. ``canonical``: the stored text
-- is exactly the event's --json text (what syriabrief itself writes).
-- ``flags``: 1 the event gives a force's size (EventFilter.with_strength),
-- 2 the sources disagree about it (EventFilter.disputed).
CREATE TABLE events (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, layer INTEGER NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
    flags INTEGER NOT NULL, canonical INTEGER NOT NULL, offset INTEGER, length INTEGER, doc TEXT
);
-- Summaries apart, so that date and actor queries read narrow rows.
CREATE TABLE summaries (n INTEGER PRIMARY KEY, folded BLOB NOT NULL);
-- Every field of the event, marshalled (_pack): what select() builds Events from,
-- several times faster than parsing the JSON line again.
CREATE TABLE packed (n INTEGER PRIMARY KEY, fields BLOB NOT NULL);
-- The fields of the event's Move, marshalled: what positions replay, a fraction
-- of the whole event (a big actor's profile replays tens of thousands).
CREATE TABLE moves (n INTEGER PRIMARY KEY, fields BLOB NOT NULL);
-- Links carry the event's days too: "this actor, since that day" is one index range.
CREATE TABLE event_actors (
    actor TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, n INTEGER NOT NULL
);
CREATE TABLE event_sites (
    site TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, n INTEGER NOT NULL
);
-- Every site's control history once all its moves have happened
-- (positions.settled_history), one marshalled ControlPeriod per row in the
-- order the history gives. It is the answer for any as-of day from the site's
-- ``settled`` day on: the last day any move made there may cover. ``site_actors``:
-- who is named in the moves made at each site (whose profile replays it).
CREATE TABLE periods (seq INTEGER PRIMARY KEY, actor TEXT NOT NULL, site TEXT NOT NULL, fields BLOB NOT NULL);
CREATE TABLE settled (site TEXT PRIMARY KEY, day INTEGER NOT NULL);
CREATE TABLE site_actors (actor TEXT NOT NULL, site TEXT NOT NULL, PRIMARY KEY (actor, site)) WITHOUT ROWID;
-- The moves made at each site (driving types), for replaying the sites not settled yet.
CREATE TABLE site_moves (site TEXT NOT NULL, first INTEGER NOT NULL, n INTEGER NOT NULL, fields BLOB NOT NULL);
"""
# Created after the bulk insert, which is several times faster than keeping them up to date.
_INDEXES = """
CREATE INDEX events_by_first ON events (first);
CREATE INDEX events_by_last ON events (last, first);
CREATE INDEX events_by_id ON events (id);
CREATE INDEX actors_of_events ON event_actors (actor, last, first, n);
CREATE INDEX sites_of_events ON event_sites (site, last, first, n);
CREATE INDEX periods_by_actor ON periods (actor);
CREATE INDEX site_moves_by_site ON site_moves (site, first);
"""
_FAST_WRITES = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
# From the staging database (checked, later layers already winning) to the
# index, renumbering events in date order.
_COPY_IN_DATE_ORDER = """
CREATE TEMP TABLE renumber (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
INSERT INTO renumber SELECT n, row_number() OVER (ORDER BY first, last, id) FROM main.events;
INSERT INTO final.events
    SELECT r.new, e.id, e.layer, e.first, e.last, e.type, e.status, e.flags, e.canonical, e.offset, e.length, e.doc
    FROM main.events AS e JOIN renumber AS r ON r.old = e.n ORDER BY r.new;
INSERT INTO final.summaries
    SELECT r.new, s.folded FROM main.summaries AS s JOIN renumber AS r ON r.old = s.n ORDER BY r.new;
INSERT INTO final.packed
    SELECT r.new, p.fields FROM main.packed AS p JOIN renumber AS r ON r.old = p.n ORDER BY r.new;
INSERT INTO final.moves
    SELECT r.new, m.fields FROM main.moves AS m JOIN renumber AS r ON r.old = m.n ORDER BY r.new;
INSERT INTO final.event_actors
    SELECT a.actor, a.first, a.last, r.new FROM main.event_actors AS a JOIN renumber AS r ON r.old = a.n;
INSERT INTO final.event_sites
    SELECT x.site, x.first, x.last, r.new FROM main.event_sites AS x JOIN renumber AS r ON r.old = x.n;
"""
_ROW = "n, id, layer, canonical, offset, length, doc"
_ROW_PACKED = _ROW + ", (SELECT fields FROM packed WHERE packed.n = events.n)"




def index_path(paths: Sequence[Path]) -> Path:
    """Where the index of these store layers is kept: one file per list of absolute store paths."""
    import hashlib  # only for stores big enough to index (~3 ms to import)

    key = "\n".join(str(Path(p).resolve()) for p in paths)
    return cache_dir() / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".sqlite3")


def worth_indexing(paths: Sequence[Path]) -> bool:
    """Whether the stores are big enough for an index to pay (a missing file: no, the plain path says so)."""
    try:
        return sum(os.stat(p).st_size for p in paths) >= INDEX_MIN_BYTES
    except OSError:
        return False


def open_indexed(paths: Sequence[Path]) -> IndexedDataset | None:
    """An up-to-date indexed dataset of these layers, building the index if needed.

    None when no index can be kept (an unwritable cache directory, a file that
    cannot be opened): the caller then takes the plain path, which reports any
    problem with the stores themselves. A store with problems raises StoreError.
    """
    import sqlite3

    target = index_path(paths)
    built = False
    for attempt in range(ATTEMPTS + 1):
        try:
            handles = [open(p, "rb") for p in paths]
        except OSError:
            return None
        try:
            signatures = [_signature(os.fstat(h.fileno())) for h in handles]
            # An index this process just built from these very signatures may be
            # used even if provisional: it holds what the files held when read.
            dataset = _open_if_current(target, paths, signatures, accept_provisional=built)
        except BaseException:
            _close_all(handles)
            raise
        if dataset is not None:
            dataset._adopt(handles)
            return dataset
        _close_all(handles)
        if attempt == ATTEMPTS:
            break
        try:
            built = _build(paths, target)
        except (OSError, sqlite3.Error):
            return None
    return None


class IndexedDataset(Catalogue):
    """Actors and sites in memory, events in an SQLite index: the Dataset API for big stores."""

    def __init__(self, connection: sqlite3.Connection, path: Path, actors: Iterable[Actor], sites: Iterable[Site]):
        super().__init__(actors, sites)
        self._db = connection
        self._path = path
        self._files: list[BinaryIO] = []

    def _adopt(self, handles: list[BinaryIO]) -> None:
        # These very handles were checked against the index's signatures: events
        # are read through them, so a store replaced afterwards cannot leak in.
        self._files = handles

    def close(self) -> None:
        self._db.close()
        _close_all(self._files)

    def select(self, where: EventFilter | None = None, limit: int | None = None) -> list[Event]:
        """The events that match, in date order; with a limit, the most recent ``limit``."""
        return [_unpack(row[-1]) for row in self._rows(where, limit, _ROW_PACKED)]

    def select_json(self, where: EventFilter | None = None, limit: int | None = None) -> list[str]:
        """Like ``select``, but each event as its --json text, read without decoding where it can be."""
        texts = []
        for row in self._rows(where, limit):
            if row[3]:  # canonical: the stored bytes are the --json text
                texts.append(self._text(row).decode("utf-8", "surrogatepass"))
            else:
                texts.append(_event_text(self._event(row)))
        return texts

    def count(self, where: EventFilter | None = None) -> int:
        conditions, params = _conditions(where or EventFilter())
        return self._fetch(f"SELECT count(*) FROM events WHERE {conditions}", params)[0][0]

    def settled_periods(
        self, as_of: datetime.date, actor: str | None = None
    ) -> tuple[list[ControlPeriod], frozenset[str]] | None:
        day = as_of.toordinal()
        settled = "site IN (SELECT site FROM settled WHERE day <= ?)"
        if actor is None:
            rows = self._fetch(f"SELECT fields FROM periods WHERE {settled} ORDER BY seq", (day,))
            unsettled = self._fetch("SELECT site FROM settled WHERE day > ?", (day,))
        else:
            sql = f"SELECT fields FROM periods WHERE actor = ? AND {settled} ORDER BY seq"
            rows = self._fetch(sql, (actor, day))
            # The unsettled sites among those where the actor's moves were made.
            unsettled = self._fetch(
                "SELECT a.site FROM site_actors AS a JOIN settled AS s ON s.site = a.site WHERE a.actor = ? AND s.day > ?",
                (actor, day),
            )
        periods = [ControlPeriod(*marshal.loads(fields)) for (fields,) in rows]
        return periods, frozenset(site for (site,) in unsettled)

    def moves_at(self, sites: Iterable[str], until: datetime.date) -> list[Move]:
        sql = "SELECT fields FROM site_moves WHERE site IN (SELECT value FROM json_each(?)) AND first <= ? ORDER BY n"
        return [_move(fields) for (fields,) in self._fetch(sql, (json.dumps(sorted(sites)), until.toordinal()))]

    def span(self, where: EventFilter | None = None) -> tuple[int, Move | None, Move | None]:
        conditions, params = _conditions(where or EventFilter())
        [(count, first, last)] = self._fetch(f"SELECT count(*), min(n), max(n) FROM events WHERE {conditions}", params)
        if not count:
            return 0, None, None
        ends = dict(self._fetch("SELECT n, fields FROM moves WHERE n IN (?, ?)", (first, last)))
        return count, _move(ends[first]), _move(ends[last])

    def moves(self, where: EventFilter | None = None) -> list[Move]:
        conditions, params = _conditions(where or EventFilter())
        sql = f"SELECT (SELECT fields FROM moves WHERE moves.n = events.n) FROM events WHERE {conditions} ORDER BY n"
        return [_move(fields) for (fields,) in self._fetch(sql, params)]

    def _rows(self, where: EventFilter | None, limit: int | None, columns: str = _ROW) -> list[tuple]:
        conditions, params = _conditions(where or EventFilter())
        if limit is None or limit < 0:  # no limit, as select_events reads a negative one
            sql = f"SELECT {columns} FROM events WHERE {conditions} ORDER BY n"
            return self._fetch(sql, params)
        if limit == 0:
            return []
        sql = f"SELECT {columns} FROM events WHERE {conditions} ORDER BY n DESC LIMIT ?"
        rows = self._fetch(sql, (*params, limit))
        rows.reverse()
        return rows

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row of a query; a damaged index file is removed (the next run rebuilds it) and reported."""
        import sqlite3

        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            self._path.unlink(missing_ok=True)
            raise StoreError(
                f"the index kept in {self._path.parent} could not be read ({error}); "
                "it has been removed and the next run rebuilds it"
            ) from None

    def _text(self, row: tuple) -> bytes:
        _, event_id, layer, canonical, offset, length, doc = row
        if doc is not None:
            return doc.encode("utf-8", "surrogatepass")
        text = _read_at(self._files[layer], offset, length)
        # A canonical line starts with its id (validated: a plain slug); any
        # other line is decoded and its id compared by _event.
        if canonical and not text.startswith(b'{"id": "' + event_id.encode() + b'"'):
            # The signatures matched, yet the bytes moved: the file was rewritten in
            # place within one timestamp tick. Refuse rather than answer wrongly.
            raise StoreError("a store file changed while it was being read; run the command again")
        return text

    def _event(self, row: tuple) -> Event:
        record = json.loads(self._text(row))
        if not isinstance(record, dict) or record.get("id") != row[1]:
            raise StoreError("a store file changed while it was being read; run the command again")
        return Event.from_json(record)


def _read_at(handle: BinaryIO, offset: int, length: int) -> bytes:
    if _pread is not None:  # one system call, no buffer to discard
        return _pread(handle.fileno(), length, offset)
    handle.seek(offset)
    return handle.read(length)


_pread = getattr(os, "pread", None)  # not on Windows


def _pack(event: Event) -> bytes:
    """Every field of an event as plain values, marshalled (the fastest form to read back)."""
    return marshal.dumps((
        event.id, event.date, event.type, event.summary, tuple(_source_fields(s) for s in event.sources),
        event.end_date, event.date_precision, event.approximate, event.stage, event.actors, event.site,
        event.origin, event.destination, event.quantities, event.status,
        tuple((d.claim, tuple(_source_fields(s) for s in d.sources), d.about) for d in event.disputes), event.tags,
    ))  # fmt: skip


def _move(fields: bytes) -> Move:
    """A Move from its marshalled fields (the ``moves`` and ``site_moves`` tables)."""
    return Move._make(marshal.loads(fields))


def _source_fields(source: Source) -> tuple:
    return (source.outlet, source.document, source.url, source.published)


def _unpack(fields: bytes) -> Event:
    (event_id, date, kind, summary, sources, end_date, precision, approximate, stage, actors, site, origin,
     destination, quantities, status, disputes, tags) = marshal.loads(fields)  # fmt: skip
    return Event(
        event_id, date, kind, summary, tuple(Source(*s) for s in sources), end_date, precision, approximate,
        stage, actors, site, origin, destination, quantities, status,
        tuple(Dispute(claim, tuple(Source(*s) for s in cited), about) for claim, cited, about in disputes), tags,
    )  # fmt: skip


def _event_text(event: Event) -> str:
    """An event's --json text: what render.write_json prints for it inside a list."""
    return json_text(event.to_json())


# --- queries ----------------------------------------------------------------------

def _conditions(where: EventFilter) -> tuple[str, list[Any]]:
    """The SQL for EventFilter.matches (query.py), clause for clause."""
    clauses, params = ["1"], []
    if where.since:
        clauses.append("last >= ?")
        params.append(where.since.start.toordinal())
    if where.until:
        clauses.append("first <= ?")
        params.append(where.until.end.toordinal())
    if where.actors or where.sites:
        # Each link table is searched by (name, last day, first day): the date
        # clauses are repeated inside so that one index range finds the events.
        days, day_params = [], []
        if where.since:
            days.append("last >= ?")
            day_params.append(where.since.start.toordinal())
        if where.until:
            days.append("first <= ?")
            day_params.append(where.until.end.toordinal())
        links = (("actor", "event_actors", where.actors), ("site", "event_sites", where.sites))
        for column, table, values in links:
            if values:
                inner = " AND ".join([f"{column} IN ({_marks(values)})", *days])
                clauses.append(f"n IN (SELECT n FROM {table} WHERE {inner})")
                params += [*sorted(values), *day_params]
    for column, values in (("type", where.types), ("status", where.statuses)):
        if values:
            clauses.append(f"{column} IN ({_marks(values)})")
            params += sorted(values)
    if where.with_strength:
        clauses.append("flags & 1")
    if where.disputed:
        clauses.append("flags & 2")
    if where.ids:
        # One parameter whatever the number of ids: SQLite caps the number of "?".
        clauses.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(where.ids)))
    if where.search:
        # Both sides case-folded by Python and compared as UTF-8 bytes: a byte
        # substring of UTF-8 is a character substring, so this is exactly
        # ``search.casefold() in summary.casefold()`` (SQL LIKE folds ASCII only).
        clauses.append("n IN (SELECT n FROM summaries WHERE instr(folded, ?) > 0)")
        params.append(_fold(where.search))
    return " AND ".join(clauses), params


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def _fold(text: str) -> bytes:
    # surrogatepass: a lone surrogate escaped in JSON is still text to search in.
    return text.casefold().encode("utf-8", "surrogatepass")


# --- opening ----------------------------------------------------------------------

def _signature(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _layers_key(paths: Sequence[Path], signatures: list[list[int]]) -> str:
    return json.dumps([[str(Path(p).resolve()), sig] for p, sig in zip(paths, signatures)])


def _open_if_current(
    target: Path, paths: Sequence[Path], signatures: list[list[int]], accept_provisional: bool
) -> IndexedDataset | None:
    import sqlite3

    if not target.exists():
        return None
    try:
        # immutable: an index file is never changed once in place, only replaced.
        db = sqlite3.connect(f"{target.resolve().as_uri()}?immutable=1", uri=True, check_same_thread=False)
    except (sqlite3.Error, ValueError):
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if (
            meta.get("format") != _FORMAT
            or meta.get("layers") != _layers_key(paths, signatures)
            or (meta.get("provisional") == "1" and not accept_provisional)
        ):
            db.close()
            return None
        docs = {
            table: [json.loads(d) for (d,) in db.execute(f"SELECT doc FROM {table} ORDER BY seq")]
            for table in ("actors", "sites")
        }
        actors = [Actor.from_json(d) for d in docs["actors"]]
        sites = [Site.from_json(d) for d in docs["sites"]]
    except sqlite3.Error:
        db.close()
        return None
    return IndexedDataset(db, target, actors, sites)


def _close_all(handles: Iterable[BinaryIO]) -> None:
    for handle in handles:
        handle.close()


# --- building ---------------------------------------------------------------------

class _Changed(Exception):
    """A store file changed while the index was being built from it."""


class _NotStreamable(Exception):
    """A store file that is not in dump_store's one-record-per-line layout, or has a problem."""


def _build(paths: Sequence[Path], target: Path) -> bool:
    """Build the index of ``paths`` into ``target``; True once built. StoreError for a broken store."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(ATTEMPTS):
        temporary = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
        try:
            _build_into(paths, temporary)
            os.replace(temporary, target)
            return True
        except _Changed:
            continue
        finally:
            if temporary.exists():
                temporary.unlink()
    return False


def _build_into(paths: Sequence[Path], file: Path) -> None:
    """Read every layer into a staging database, check it, then write the index to ``file``.

    The final tables are written in date order, so that the events of a date
    range sit together on disk: a query reads a few pages, not one per event.
    """
    import sqlite3

    started = time.time_ns()
    staging = file.with_name(file.name + ".staging")
    db = sqlite3.connect(staging)
    try:
        db.executescript(_FAST_WRITES + _SCHEMA)
        actors: dict[str, dict[str, Any]] = {}
        sites: dict[str, dict[str, Any]] = {}
        signatures = []
        for layer, path in enumerate(paths):
            with open(path, "rb") as handle:
                before = _signature(os.fstat(handle.fileno()))
                earlier = dict(actors), dict(sites)
                try:
                    _stream_layer(db, layer, handle, actors, sites)
                except _NotStreamable:
                    # Start this layer again from what the layers below left.
                    actors.clear(), actors.update(earlier[0])
                    sites.clear(), sites.update(earlier[1])
                    for table in ("event_actors", "event_sites", "summaries", "packed", "moves"):
                        sql = f"DELETE FROM {table} WHERE n IN (SELECT n FROM events WHERE layer = ?)"
                        db.execute(sql, (layer,))
                    db.execute("DELETE FROM events WHERE layer = ?", (layer,))
                    _read_whole_layer(db, layer, path, actors, sites)
                if _signature(os.fstat(handle.fileno())) != before or _signature(os.stat(path)) != before:
                    raise _Changed
            signatures.append(before)
        db.execute("CREATE INDEX staging_by_id ON events (id, layer)")
        _check_layers(db, paths, actors, sites)

        final = sqlite3.connect(file)
        final.executescript(_FAST_WRITES + _SCHEMA)
        final.close()
        db.execute("ATTACH DATABASE ? AS final", (str(file),))
        db.executescript(_FAST_WRITES.replace("PRAGMA ", "PRAGMA final.") + _COPY_IN_DATE_ORDER)
        for table, records in (("actors", actors), ("sites", sites)):
            rows = ((k, json.dumps(v)) for k, v in records.items())
            db.executemany(f"INSERT INTO final.{table} (id, doc) VALUES (?, ?)", rows)
        racy = any(max(sig[1], sig[2]) >= started - RACY_WINDOW_NS for sig in signatures)
        db.executemany(
            "INSERT INTO final.meta VALUES (?, ?)",
            [
                ("format", _FORMAT),
                ("layers", _layers_key(paths, signatures)),
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
        final.executescript(_FAST_WRITES + _INDEXES)
        _settle(final)
        final.execute("ANALYZE")
        final.commit()
    finally:
        final.close()


def _settle(db: sqlite3.Connection) -> None:
    """Replay every site's history once, to its end, and keep it (the periods table)."""

    # Site by site (a site's moves come together), so only one site's moves are held at a time.
    rows = db.cursor().execute(
        f"SELECT x.site, x.first, x.last, x.n, m.fields FROM event_sites AS x JOIN events AS e ON e.n = x.n "
        f"JOIN moves AS m ON m.n = x.n WHERE e.type IN ({_marks(DRIVING_TYPES)}) ORDER BY x.site, x.n",
        sorted(DRIVING_TYPES),
    )
    for site, group in itertools.groupby(rows, key=lambda row: row[0]):
        # The links name every place of a move (its origin and destination too); the
        # history is made of the moves made *at* the site.
        here = [(row, move) for row in group if (move := _move(row[4])).site == site]
        if not here:
            continue
        moves = [move for _, move in here]
        db.executemany(
            "INSERT INTO periods (actor, site, fields) VALUES (?, ?, ?)",
            [(p.actor, site, marshal.dumps(astuple(p))) for p in settled_history(site, moves)],
        )
        db.execute("INSERT INTO settled VALUES (?, ?)", (site, max(row[2] for row, _ in here)))
        db.executemany("INSERT INTO site_actors VALUES (?, ?)", ((a, site) for a in {a for m in moves for a in m.actors}))
        db.executemany("INSERT INTO site_moves VALUES (?, ?, ?, ?)", ((site, first, n, fields) for (_, first, _, n, fields), _ in here))


def _check_layers(db: sqlite3.Connection, paths: Sequence[Path], actors: dict, sites: dict) -> None:
    """Duplicate ids within a layer, later layers replacing earlier events, and references."""
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


def _raise_plain(paths: Sequence[Path]) -> None:
    """Let the plain loader report a broken store, so the message is the one it always gives."""
    load_plain(paths)
    # The plain loader found nothing wrong where the index did: trust neither.
    raise StoreError(f"could not index {', '.join(map(str, paths))}; please report this")


_VERSION_LINE = re.compile(rb'"schema_version": ([0-9]+),\n')


def _stream_layer(db: sqlite3.Connection, layer: int, handle: BinaryIO, actors: dict, sites: dict) -> None:
    """Index one store file laid out as dump_store writes it; _NotStreamable for anything else.

    This reads the layout line by line; the event lines themselves are parsed,
    checked and turned into index rows by ``_digest`` in batches, in worker
    processes when the file is big enough for that to pay.
    """
    lines = iter(handle)
    position = 0

    def next_line() -> bytes:
        nonlocal position
        line = next(lines, b"")
        position += len(line)
        return line

    if next_line() != b"{\n":
        raise _NotStreamable
    version = _VERSION_LINE.fullmatch(next_line())
    if not version or not 1 <= int(version[1]) <= SCHEMA_VERSION:
        raise _NotStreamable
    size = os.fstat(handle.fileno()).st_size
    with _Digester(parallel=size >= PARALLEL_MIN_BYTES) as digester:
        for number, table in enumerate(TABLES):
            end = b"\n" if number == len(TABLES) - 1 else b",\n"
            opening = next_line()
            if opening == f'"{table}": []'.encode() + end:
                continue
            if opening != f'"{table}": [\n'.encode():
                raise _NotStreamable
            batch: list[tuple[int, bytes]] = []
            more = True  # the previous record line ended with a comma
            count = 0
            while True:
                start = position
                line = next_line()
                if line == b"]" + end:
                    if count == 0:  # "[", "]" on two lines: valid, but not dump_store's
                        raise _NotStreamable
                    break
                if not more or not line.endswith(b"\n"):
                    raise _NotStreamable
                body = line[:-1]
                more = body.endswith(b",")
                if more:
                    body = body[:-1]
                batch.append((start, body))
                count += 1
                # Actors and sites are few and are checked together (duplicate ids);
                # events go in batches, their duplicates are found in SQL.
                if table == "events" and len(batch) >= BATCH:
                    _store_digests(db, layer, digester.submit(batch))
                    batch = []
            if more:
                raise _NotStreamable
            if table == "events":
                _store_digests(db, layer, digester.submit(batch))
                _store_digests(db, layer, digester.drain())
            else:
                _keep_records(table, batch, actors if table == "actors" else sites)
    if next_line() != b"}\n" or next_line() != b"":
        raise _NotStreamable


def _keep_records(table: str, lines: list[tuple[int, bytes]], into: dict[str, dict[str, Any]]) -> None:
    try:
        records = [json.loads(body) for _, body in lines]
    except (ValueError, RecursionError):
        raise _NotStreamable from None
    if check_records(table[:-1], records):
        raise _NotStreamable  # the plain reader will name every problem
    into.update((r["id"], r) for r in records)


# One event as the index keeps it: id, first day, last day, type, status, flags,
# canonical, offset, length, doc, folded summary, actor ids, site ids, packed fields,
# move fields.
Digest = tuple


def _digest(lines: list[tuple[int, bytes]]) -> list[Digest] | None:
    """Parse, check and describe a batch of event lines; None if any line has a problem.

    Runs in worker processes: takes and returns only plain data.
    """
    try:
        records = [json.loads(body) for _, body in lines]
    except (ValueError, RecursionError):
        return None
    if check_records("event", records):
        return None
    return [_describe(record, offset, body, None) for (offset, body), record in zip(lines, records)]


def _describe(record: dict, offset: int | None, body: bytes | None, doc: str | None) -> Digest:
    event = Event.from_json(record)  # the columns say what the Event says
    period = event.period
    if doc is None:
        length = len(body)
        canonical = _event_text(event).encode("utf-8", "surrogatepass") == body
    else:
        length, canonical = None, True  # doc is written from the Event itself
    return (
        event.id, period.start.toordinal(), period.end.toordinal(), event.type, event.status,
        (1 if event.strength_names else 0) | (2 if event.contested else 0), canonical, offset, length, doc, _fold(event.summary),
        tuple(dict.fromkeys(event.actors)), tuple(dict.fromkeys(event.places)), _pack(event),
        marshal.dumps(tuple(event.move())),
    )  # fmt: skip


class _Digester:
    """Runs ``_digest`` on batches, in order: here, or in worker processes for big files."""

    def __init__(self, parallel: bool):
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        self._pool = None
        self._pending: list = []
        if parallel and workers > 1:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(workers)
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
            return [self._checked(_digest(batch))] if batch else []
        if batch:
            self._pending.append(self._pool.submit(_digest, batch))
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


def _store_digests(db: sqlite3.Connection, layer: int, batches: Iterable[list[Digest]]) -> None:
    for digests in batches:
        events, summaries, packed, moves, links_a, links_s = [], [], [], [], [], []
        (start,) = db.execute("SELECT coalesce(max(n), 0) FROM events").fetchone()
        for n, digest in enumerate(digests, start + 1):
            (event_id, first, last, kind, status, flags, canonical, offset, length, doc, folded, who, where,
             fields, move) = digest  # fmt: skip
            events.append((n, event_id, layer, first, last, kind, status, flags, canonical, offset, length, doc))
            summaries.append((n, folded))
            packed.append((n, fields))
            moves.append((n, move))
            links_a += ((a, first, last, n) for a in who)
            links_s += ((s, first, last, n) for s in where)
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
        db.executemany("INSERT INTO summaries VALUES (?, ?)", summaries)
        db.executemany("INSERT INTO packed VALUES (?, ?)", packed)
        db.executemany("INSERT INTO moves VALUES (?, ?)", moves)
        db.executemany("INSERT INTO event_actors VALUES (?, ?, ?, ?)", links_a)
        db.executemany("INSERT INTO event_sites VALUES (?, ?, ?, ?)", links_s)


def _read_whole_layer(db: sqlite3.Connection, layer: int, path: Path, actors: dict, sites: dict) -> None:
    """A store not laid out one record per line: read it whole (and have it checked) by the store."""
    contents = read_store(path)
    actors.update((a.id, a.to_json()) for a in contents.actors)
    sites.update((s.id, s.to_json()) for s in contents.sites)
    for first in range(0, len(contents.events), BATCH):
        digests = []
        for event in contents.events[first : first + BATCH]:
            record = event.to_json()
            digests.append(_describe(record, None, None, _event_text(event)))
        _store_digests(db, layer, [digests])
