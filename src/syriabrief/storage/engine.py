"""The query engine: every dataset's events in SQLite, answering the read API reports use.

One engine for every store size. Small stores are read into memory
(``store.load_plain``) and their events copied into an SQLite database in
memory (``in_memory``: a few milliseconds for the bundled dataset); big ones
are answered from an index file kept in the cache (``index.py``), whose tables
are the same. Either way ``SqlDataset`` answers ``select``/``count``/``moves``/
``span``, settled positions (``settled_periods``, ``settled_statuses``) and
what replaying an unsettled site starts from (``replay_at``: a kept replay and
the moves after it) in SQL, and the plain in-memory ``Dataset`` is the
reference it is tested against (tests/test_index.py, tests/test_engine.py).

``conditions`` is the SQL for ``EventFilter.matches``, clause for clause;
``describe``/``store_digests`` turn events into rows. The position tables are
written and read by ``settled.py``: when an index is built, or, for a store
read into memory, at the first position asked (a timeline never asks).
"""

from __future__ import annotations

import datetime
import functools
import itertools
import json
import marshal
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from syriabrief.domain.dataset import Catalogue, Dataset, EventsSummary, OpenPeriods, Tally
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import DRIVING_TYPES, Actor, Dispute, Event, Move, Site, Source
from syriabrief.domain.safetext import json_text, json_utf8
from syriabrief.errors import StoreError

if TYPE_CHECKING:  # sqlite3 is imported by whoever opens a connection
    import sqlite3

    from syriabrief.domain.positions import ControlPeriod, KeptReplay, SiteStatus

__all__ = [
    "INDEXES",
    "SCHEMA",
    "Digest",
    "SqlDataset",
    "conditions",
    "describe",
    "digest_lines",
    "event_text",
    "in_memory",
    "insert_digests",
    "move_from",
    "store_digests",
]

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- An index file's actors and sites: each record's JSON form, marshalled (four times quicker to read).
CREATE TABLE actors (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc BLOB NOT NULL);
CREATE TABLE sites (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc BLOB NOT NULL);
-- One narrow row per event; ``n`` numbers the events in date order (first day,
-- last day, id: the order of Dataset.events), so "ORDER BY n" is that order.
-- In an index file the numbers are STRIDE apart, leaving room for events a delta adds.
-- ``first`` and ``last`` are the ordinals of the first and last day the event
-- may cover. (While building, in a staging database, ``n`` is the reading
-- order instead: later layers later, which is how later layers win.)
-- The event's text is read from its layer's file at (offset, length), or from
-- ``doc`` when the file was not line-structured; an event copied in from memory
-- has neither (its --json text is encoded from its packed fields). ``acting``: the
-- acting party, the first actor the event names (what a chart by actor counts). ``canonical``:
-- the stored text is exactly the event's --json text (what syriabrief itself writes).
-- ``flags``: 1 the event gives a force's size (EventFilter.with_strength),
-- 2 the sources disagree about it (EventFilter.disputed), 4 its type is one of
-- DRIVING_TYPES (what positions replay, and what a question about moves asks for); 16 and 32:
-- it is dated to the month, or to the year, only (what a chart counts: SqlDataset.tally);
-- on an actor link only, 8: the actor is the event's acting party, its first (EventFilter.acting).
CREATE TABLE events (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL, layer INTEGER NOT NULL,
    first INTEGER NOT NULL, last INTEGER NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
    flags INTEGER NOT NULL, canonical INTEGER NOT NULL, offset INTEGER, length INTEGER, doc TEXT,
    acting TEXT
);
-- Summaries apart, so that date and actor queries read narrow rows.
CREATE TABLE summaries (n INTEGER PRIMARY KEY, folded BLOB NOT NULL);
-- Every field of the event, marshalled (_pack): what select() builds Events from,
-- several times faster than parsing the JSON line again.
CREATE TABLE packed (n INTEGER PRIMARY KEY, fields BLOB NOT NULL);
-- The fields of the event's Move, marshalled: what positions replay, a fraction
-- of the whole event (a big actor's profile replays tens of thousands).
CREATE TABLE moves (n INTEGER PRIMARY KEY, fields BLOB NOT NULL);
-- Links carry the event's days and flags too: "this actor, since that day" is one index range,
-- and "this actor's figures" is read from it alone (SDF has 170,000 events at 1M, 14 with figures).
CREATE TABLE event_actors (
    actor TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, n INTEGER NOT NULL, flags INTEGER NOT NULL
);
CREATE TABLE event_sites (
    site TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, n INTEGER NOT NULL, flags INTEGER NOT NULL
);
-- Every site's control history once all its moves have happened
-- (positions.settled_history), one marshalled ControlPeriod per row in the
-- order the history gives (``pos``: its place in it); whether it is open (ControlPeriod.is_open), and
-- when it last changed (ControlPeriod.last_change), so that a list of every actor counts the closed
-- ones without reading them. (An index file adds a table of its own, ``names``: index._NAMES.)
CREATE TABLE periods (
    seq INTEGER PRIMARY KEY, actor TEXT NOT NULL, site TEXT NOT NULL, pos INTEGER NOT NULL,
    open INTEGER NOT NULL, changed TEXT, fields BLOB NOT NULL
);
-- One row per site with moves:
--   day       the last day any move made there may cover: from then on the periods above are the
--             answer, and ``status`` (positions.settled_status, marshalled) is its state;
--   kept_day  (NULL: nothing kept) before ``day``, a replay to any as-of day from this one on may start
--             from ``state`` (positions.replay_prefix: the replay of the moves numbered up to
--             ``kept_upto``, the day the index was built) and go on with the moves after them. The
--             stays it had closed are the periods above at the positions its open stays do not take;
--   left_pos  which of those closed periods a status tells (positions.last_to_leave).
CREATE TABLE settled (
    site TEXT PRIMARY KEY, day INTEGER NOT NULL, status BLOB NOT NULL,
    kept_day INTEGER, kept_upto INTEGER, state BLOB, left_pos INTEGER
);
-- Replays kept through earlier days (the first of each quarter from a site's first move, before ``kept_day``),
-- for questions about the past: each the replay_prefix through ``day`` of the moves numbered up to
-- ``upto``; ``left_pos`` as in ``settled``. Kept only where the prefix grew since the day before it.
CREATE TABLE earlier (site TEXT NOT NULL, day INTEGER NOT NULL, upto INTEGER NOT NULL, state BLOB NOT NULL, left_pos INTEGER);
-- Who is named in the moves made at each site (whose profile replays it).
CREATE TABLE site_actors (actor TEXT NOT NULL, site TEXT NOT NULL, PRIMARY KEY (actor, site)) WITHOUT ROWID;
-- The moves made at each site (driving types), for replaying the sites not settled yet.
CREATE TABLE site_moves (site TEXT NOT NULL, first INTEGER NOT NULL, n INTEGER NOT NULL, fields BLOB NOT NULL);
"""
# Created after the bulk insert, which is several times faster than keeping them up to date.
INDEXES = """
CREATE INDEX events_by_first ON events (first);
CREATE INDEX events_by_last ON events (last, first);
CREATE INDEX events_by_id ON events (id);
CREATE INDEX actors_of_events ON event_actors (actor, last, first, n, flags);
-- By actor and number: an actor's events newest first, and several actors' merged in order
-- without sorting them all (EventFilter over actors alone: SqlDataset._each_linked).
CREATE INDEX actors_by_number ON event_actors (actor, n, first, last, flags);
CREATE INDEX sites_of_events ON event_sites (site, last, first, n, flags);
-- By actor and site: a profile reads its actors' closed stays at the sites it replays.
CREATE INDEX periods_by_actor ON periods (actor, site, pos);
CREATE INDEX periods_by_site ON periods (site, pos);
-- Each actor's closed stays, counted without reading them (settled_open_periods).
CREATE INDEX periods_closed ON periods (actor, site, changed) WHERE NOT open;
-- By site and number: a replay kept for a site goes on from the moves numbered after it (settled.replays).
CREATE INDEX site_moves_by_site ON site_moves (site, n, first);
CREATE INDEX earlier_by_site ON earlier (site, day);
"""

# The flags of an event dated to the month or to the year only (describe), and back (tally).
_MONTH, _YEAR = 16, 32
_PRECISION_BITS = {"month": _MONTH, "year": _YEAR}
_PRECISION_OF = {0: "day", _MONTH: "month", _YEAR: "year"}


class _TallyKeys(dict):
    """A tally's key from a row's first day (an ordinal), precision bits and series key, each day
    made once (a chart of 100k events has 40,000 rows over 1,400 days)."""

    def __call__(self, first: int, bits: int, key: str) -> tuple[datetime.date, str, str]:
        day = self.get(first)
        if day is None:
            day = self[first] = datetime.date.fromordinal(first)
        return day, _PRECISION_OF[bits], key


_SQL_INT_MAX = (1 << 63) - 1
# The links' n in "n IN (the events matched)" over every actor, kept from any index: with the
# build's statistics SQLite looked each number up in actors_by_number under every actor (a
# skip-scan) instead of reading the links once: 2.3 s more for a Markdown export of 100k.
_N_NOT_INDEXED = "+n"
# Events read per page by ``stream``.
PAGE = 5_000
_ROW = "n, id, layer, canonical, offset, length, doc"
_PACKED = "(SELECT fields FROM {s}.packed AS p WHERE p.n = events.n)"
_ROW_PACKED = f"{_ROW}, {_PACKED}"
# The fields only where the text is not stored as it is printed (select_json).
_ROW_JSON = f"{_ROW}, CASE WHEN canonical THEN NULL ELSE {_PACKED} END"
# An event's Move (its fields, marshalled): what ``moves`` reads.
_MOVE_FIELDS = "(SELECT fields FROM {s}.moves AS m WHERE m.n = events.n)"


def _or_plain(query: Callable) -> Callable:
    """Answer ``query`` from the in-memory reference, for the rest of the run, if SQL fails in any way.

    An index file was found intact when opened (its checksum), so this should
    never happen; if it does, the index is removed (the next run rebuilds it:
    IndexedDataset._fall_back) and the answer is still the right one, never a
    traceback.
    """

    @functools.wraps(query)
    def answer(self: SqlDataset, *args: Any, **kwargs: Any) -> Any:
        if self._plain is None:
            try:
                return query(self, *args, **kwargs)
            except StoreError:
                raise
            except Exception:
                self._plain = self._reference()
        return getattr(self._plain, query.__name__)(*args, **kwargs)

    return answer


def _settled_first(query: Callable) -> Callable:
    """Settle a dataset read into memory (``in_memory``) the first time a position is asked of it:
    replaying every site (11 ms for the bundled data) is for answers that need positions, and a
    timeline or an export never does."""

    @functools.wraps(query)
    def answer(self: SqlDataset, *args: Any, **kwargs: Any) -> Any:
        if not self._settled:
            # Once, whoever asks first (the connection may be shared by threads), and whole or
            # not at all: a settle cut short by an error or an interrupt leaves no rows behind.
            with self._settling:
                if not self._settled:
                    from syriabrief.storage.settled import settle

                    with self._db:
                        settle(self._db)
                    self._settled = True
        return query(self, *args, **kwargs)

    return answer


class SqlDataset(Catalogue):
    """Actors and sites in memory, events in SQLite: the one engine behind the Dataset API.

    The tables are the index's (SCHEMA). An event's text is its row's ``doc``,
    or is read from ``files[layer]`` at the row's offset (an index kept beside
    big stores). ``sources`` are the attached databases that hold events: the
    index, and a delta beside it (index.py). ``reference`` gives the in-memory
    dataset that answers instead, for the rest of the run, if SQL ever fails.
    """

    def __init__(
        self, connection: sqlite3.Connection, actors: Iterable[Actor], sites: Iterable[Site] | Callable[[], Iterable[Site]],
        reference: Callable[[], Dataset], sources: tuple[str, ...] = ("main",), settled: bool = True,
    ):  # fmt: skip
        super().__init__(actors, sites)
        self._db = connection
        self._settled = settled  # False: the settled tables are filled at the first position asked
        self._settling = threading.Lock()
        self._files: list[BinaryIO] = []
        self._reference = reference
        self._plain: Dataset | None = None  # what answers once SQL has failed (_or_plain)
        self._sources = sources

    def close(self) -> None:
        self._db.close()

    @_or_plain
    def select(self, where: EventFilter | None = None, limit: int | None = None) -> list[Event]:
        """The events that match, in date order; with a limit, the most recent ``limit``."""
        return [_unpack(row[-1]) for row in self._rows(where, limit, _ROW_PACKED)]

    def stream(self, where: EventFilter | None = None) -> Iterator[Event]:
        """Like ``select`` (no limit), read a page at a time: an export of a million events holds one page."""
        if self._plain is not None:  # SQL has failed once: the reference answers (_or_plain)
            yield from self._plain.select(where)
            return
        after, given = 0, 0  # events are numbered from 1
        try:
            while rows := self._page(where, after):
                for row in rows:
                    yield _unpack(row[-1])
                    given += 1
                after = rows[-1][0]
        except StoreError:
            raise
        except Exception:  # as _or_plain: the reference gives the rest, in the same order
            self._plain = self._reference()
            yield from self._plain.select(where)[given:]

    def _page(self, where: EventFilter | None, after: int) -> list[tuple]:
        sql = f"SELECT {_ROW_PACKED} FROM {{s}}.events AS events WHERE {{where}} AND n > ? ORDER BY n LIMIT {PAGE}"
        return _merged(self._each(sql, where, (after,)))[:PAGE]

    @_or_plain
    def select_json(self, where: EventFilter | None = None, limit: int | None = None) -> list[bytes]:
        """Like ``select``, but each event as its --json text in UTF-8, the stored bytes where they are that."""
        return list(self._texts(self._rows(where, limit, _ROW_JSON)))

    def stream_json(self, where: EventFilter | None = None) -> Iterator[bytes]:
        """Like ``select_json`` (no limit), one text at a time as SQLite finds them: the --json of
        a million events holds none of them longer than it takes to write it."""
        return self._streamed("stream_json", where, _ROW_JSON, self._texts)

    @_or_plain
    def tally(self, where: EventFilter | None = None, by: str = "type") -> Tally:
        # Grouped in SQL from the narrow rows: the first day, the precision bits of the flags, and the
        # type or the acting party (its first actor; "" for an event naming nobody).
        key = "type" if by == "type" else "coalesce(acting, '')"
        sql = f"SELECT first, flags & {_MONTH | _YEAR}, {key}, count(*) FROM {{s}}.events WHERE {{where}} GROUP BY 1, 2, 3"
        keys, tally = _TallyKeys(), Tally()
        for first, bits, series, n in itertools.chain.from_iterable(self._each(sql, where)):
            tally[keys(first, bits, series)] += n  # an event is in the index or in the delta, never both
        return tally

    def _streamed(self, name: str, where: EventFilter | None, columns: str, made: Callable[[Iterable[tuple]], Iterator]) -> Iterator:
        """What ``made`` makes of the rows of ``columns`` of the events that match, in order, read lazily
        (the index's and the delta's merged). A failure of SQL midway hands over to the reference,
        which gives the rest (as _or_plain); the reference's ``name`` is this same method.

        Unlike ``stream``'s pages, one cursor per source stays open while the caller writes: what
        a page costs again (the filter's link lookups redone for each) is paid once. Nothing writes
        to the connection while a list is written (a profile's settling is done by then)."""
        if self._plain is not None:  # SQL has failed once
            yield from getattr(self._plain, name)(where)
            return
        given = 0
        try:
            sql = f"SELECT {columns} FROM {{s}}.events AS events WHERE {{where}} ORDER BY n"
            cursors = [self._db.execute(statement, params) for statement, params in self._statements(sql, where)]
            for item in made(cursors[0] if len(cursors) == 1 else _merged_lazily(cursors)):
                yield item
                given += 1
        except StoreError:
            raise
        except Exception:
            self._plain = self._reference()
            yield from itertools.islice(getattr(self._plain, name)(where), given, None)

    def _texts(self, rows: Iterable[tuple]) -> Iterator[bytes]:
        """The --json texts of rows with the columns ``_ROW_JSON``."""
        # One loop with everything it needs at hand: an actor's events since a month at 100k are
        # a thousand rows, and a method call and a file's fileno() for each took 1.5 ms.
        read = _reader([handle.fileno() for handle in self._files])
        for _, event_id, layer, canonical, offset, length, doc, fields in rows:
            if not canonical:  # written in another form, or copied in from memory: encoded from its fields
                yield json_utf8(_unpack(fields).to_json())
            elif doc is not None:  # a store not in the line layout: its --json text kept in the index
                yield doc.encode("utf-8", "surrogatepass")
            else:  # the stored bytes are the --json text
                text = read(layer, offset, length)
                # A canonical line starts with its id (validated: a plain slug), and is all there.
                if len(text) != length or not text.startswith(b'{"id": "%s"' % event_id.encode()):
                    # The signatures matched, yet the bytes moved or the file was cut short: it was
                    # rewritten in place since it was opened. Refuse rather than answer wrongly.
                    raise StoreError("a store file changed while it was being read; run the command again")
                yield text

    @_or_plain
    def summarize(self, where: EventFilter | None = None) -> EventsSummary:
        # Counted in SQL; the events read are the first, the last, and the first to name each actor,
        # place and type (which orders the names as a Counter of the events would).
        sql = "SELECT count(*), min(n), count(CASE WHEN flags & 2 THEN 1 END) FROM {s}.events WHERE {where}"
        found = [row for rows in self._each(sql, where) for row in rows]
        count, disputed = sum(row[0] for row in found), sum(row[2] for row in found)
        if not count:
            return EventsSummary(0, None, None, (), (), (), 0)
        first = min(n for c, n, _ in found if c)
        ending = [row for rows in self._each("SELECT last, n FROM {s}.events WHERE {where} ORDER BY last DESC, n LIMIT 1", where)
                  for row in rows]  # fmt: skip
        last = min(ending, key=lambda row: (-row[0], row[1]))[1]
        grouped = {
            what: _grouped(self._each(sql, where)) for what, sql in (
                ("actors", f"SELECT actor, count(*), min(n) FROM {{s}}.event_actors WHERE {_N_NOT_INDEXED} IN (SELECT n FROM {{s}}.events WHERE {{where}}) GROUP BY actor"),
                ("places", "SELECT site, count(*), min(n) FROM {s}.event_sites WHERE n IN (SELECT n FROM {s}.events WHERE {where}) GROUP BY site"),
                ("types", "SELECT type, count(*), min(n) FROM {s}.events WHERE {where} GROUP BY type"),
            )
        }  # fmt: skip
        wanted = json.dumps(sorted({first, last, *(n for counts in grouped.values() for _, n in counts.values())}))
        events = {n: _unpack(fields) for source in self._sources
                  for n, fields in self._fetch(f"SELECT n, fields FROM {source}.packed WHERE n IN (SELECT value FROM json_each(?))", (wanted,))}  # fmt: skip

        def in_order(counts: dict[str, tuple[int, int]], named: Callable[[Event], tuple[str, ...]]) -> tuple[tuple[str, int], ...]:
            where_in = {key: list(dict.fromkeys(named(events[n]))).index(key) for key, (_, n) in counts.items()}
            return tuple((key, c) for key, (c, _) in sorted(counts.items(), key=lambda item: (item[1][1], where_in[item[0]])))

        return EventsSummary(
            count, events[first], events[last], in_order(grouped["actors"], lambda e: e.actors),
            in_order(grouped["places"], lambda e: e.places), in_order(grouped["types"], lambda e: (e.type,)), disputed,
        )  # fmt: skip

    @_or_plain
    def count(self, where: EventFilter | None = None) -> int:
        return sum(rows[0][0] for rows in self._each("SELECT count(*) FROM {s}.events WHERE {where}", where))

    @_or_plain
    def actor_counts(self, where: EventFilter | None = None) -> dict[str, int]:
        if _links_answer(where, actors=False):
            # The links carry each event's days (and name each actor once per event): counted alone,
            # without looking up every event (an actor list at 1M: 0.8 s -> 0.12 s).
            answers = self._each_link("SELECT actor, count(*) FROM {s}.event_actors WHERE {links} GROUP BY actor", where)
        else:
            sql = f"SELECT actor, count(*) FROM {{s}}.event_actors WHERE {_N_NOT_INDEXED} IN (SELECT n FROM {{s}}.events WHERE {{where}}) GROUP BY actor"
            answers = self._each(sql, where)
        counts: dict[str, int] = {}
        for rows in answers:  # the index's, then the delta's
            for actor, count in rows:
                counts[actor] = counts.get(actor, 0) + count
        return counts

    # The position questions are answered by settled.py, imported at the first one asked:
    # a timeline never asks (and would pay 4 ms to import how positions are replayed).
    @_or_plain
    @_settled_first
    def settled_periods(
        self, as_of: datetime.date, actors: frozenset[str] | None = None
    ) -> tuple[list[ControlPeriod], frozenset[str]] | None:
        from syriabrief.storage import settled

        return settled.periods(self._db, as_of, actors)

    @_or_plain
    @_settled_first
    def settled_open_periods(self, as_of: datetime.date) -> OpenPeriods | None:
        from syriabrief.storage import settled

        return settled.open_periods(self._db, as_of)

    @_or_plain
    @_settled_first
    def settled_statuses(self, as_of: datetime.date) -> tuple[dict[str, SiteStatus], frozenset[str]] | None:
        from syriabrief.storage import settled

        return settled.statuses(self._db, as_of)

    @_or_plain
    @_settled_first
    def replay_at(
        self, sites: Iterable[str], as_of: datetime.date, actors: frozenset[str] | None = None, for_status: bool = False,
        kept_by: datetime.date | None = None,
    ) -> tuple[dict[str, KeptReplay], list[Move]]:  # fmt: skip
        from syriabrief.storage import settled

        return settled.replays(self._db, sites, as_of, actors, for_status, kept_by)

    @_or_plain
    def last_ended(self, where: EventFilter | None, day: datetime.date) -> Move | None:
        # The newest last day over by ``day`` is one index range (events_by_last), in each source.
        sql = f"SELECT last, id, {_MOVE_FIELDS} FROM {{s}}.events AS events WHERE {{where}} AND last <= ? ORDER BY last DESC, id DESC LIMIT 1"
        found = [row for rows in self._each(sql, where, (day.toordinal(),)) for row in rows]
        return move_from(max(found)[2]) if found else None

    @_or_plain
    def span(self, where: EventFilter | None = None) -> tuple[int, Move | None, Move | None]:
        count, first, last = 0, None, None
        if where is not None and _links_answer(where, actors=True):
            # Some actors' events (SDF's 180,000 at 1M) counted in their links alone, each event once:
            # all of them merged in number order; since a day, one range of actors_of_events each.
            if _links_merge(where) and where.since is None:
                answers = self._each_linked("SELECT count(*), min(n), max(n) FROM ({linked} ORDER BY n)", where)
            else:
                counted = "count(DISTINCT n)" if len(where.actors) > 1 else "count(*)"
                answers = self._each_link(f"SELECT {counted}, min(n), max(n) FROM {{s}}.event_actors WHERE {{links}}", where)
        else:
            answers = self._each("SELECT count(*), min(n), max(n) FROM {s}.events WHERE {where}", where)
        for [(some, low, high)] in answers:
            if some:
                count += some
                first = low if first is None else min(first, low)
                last = high if last is None else max(last, high)
        if not count:
            return 0, None, None
        ends = dict(itertools.chain.from_iterable(
            self._fetch(f"SELECT n, fields FROM {source}.moves WHERE n IN (?, ?)", (first, last)) for source in self._sources
        ))  # fmt: skip
        return count, move_from(ends[first]), move_from(ends[last])

    @_or_plain
    def moves(self, where: EventFilter | None = None) -> list[Move]:
        if where is not None and where.types and where.types <= DRIVING_TYPES and _links_answer(where._replace(types=frozenset()), actors=True):
            # Some actors' moves (a comparison's, a profile's): their links find them (flag 4) and the
            # moves table holds them, so no event is looked up; a type left out is dropped here.
            sql = "SELECT n, fields FROM {s}.moves WHERE n IN (SELECT n FROM {s}.event_actors WHERE {links}) ORDER BY n"
            found = [move_from(fields) for _, fields in _merged(self._each_link(sql, where))]
            return found if where.types == DRIVING_TYPES else [m for m in found if m.type in where.types]
        sql = f"SELECT n, {_MOVE_FIELDS} FROM {{s}}.events AS events WHERE {{where}} ORDER BY n"
        return [move_from(fields) for _, fields in _merged(self._each(sql, where))]

    def _rows(self, where: EventFilter | None, limit: int | None, columns: str = _ROW) -> list[tuple]:
        # No limit: none given, a negative one (as select_events reads it), or one past
        # SQLite's 64-bit integers (which cannot be bound), and so past any store's size.
        if limit is None or limit < 0 or limit > _SQL_INT_MAX:
            return _merged(self._each(f"SELECT {columns} FROM {{s}}.events AS events WHERE {{where}} ORDER BY n", where))
        if limit == 0:
            return []
        if where is not None and _links_merge(where):
            # An actor's latest events: the newest links first, not all its events listed and sorted.
            sql = f"SELECT {columns} FROM {{s}}.events AS events WHERE n IN ({{linked}} ORDER BY n DESC LIMIT ?) ORDER BY n DESC"
            answers = self._each_linked(sql, where, (limit,))
        else:
            sql = f"SELECT {columns} FROM {{s}}.events AS events WHERE {{where}} ORDER BY n DESC LIMIT ?"
            answers = self._each(sql, where, (limit,))
        return _merged([rows[::-1] for rows in answers])[-limit:]

    def _each(self, sql: str, where: EventFilter | None, more: Sequence[Any] = ()) -> list[list[tuple]]:
        """The rows of ``sql`` from the index, then from the delta if it holds events: each event's rows are in one of them.

        ``{s}`` in ``sql`` names the database, ``{where}`` the conditions of ``where``.
        """
        return [self._fetch(statement, params) for statement, params in self._statements(sql, where, more)]

    def _statements(self, sql: str, where: EventFilter | None, more: Sequence[Any] = ()) -> list[tuple[str, tuple]]:
        """``sql`` for each source (as ``_each`` reads it), with its parameters."""
        statements = []
        for source in self._sources:
            clauses, params = conditions(where or EventFilter(), source)
            statements.append((sql.format(s=source, where=clauses), (*params, *more)))
        return statements

    def _each_link(self, sql: str, where: EventFilter | None) -> list[list[tuple]]:
        """Like ``_each``, with ``{links}`` the conditions of ``where`` (dates, flags and actors) on event_actors."""
        where = where or _ANY
        clauses, params = _link_conditions("actor", where.actors, where)
        return [self._fetch(sql.format(s=source, links=clauses), params) for source in self._sources]

    def _each_linked(self, sql: str, where: EventFilter, more: Sequence[Any] = ()) -> list[list[tuple]]:
        """Like ``_each_link``, with ``{linked}`` a query of the numbers of the events that name any of
        ``where.actors`` and match its dates and flags: one per actor, joined by UNION. Given an order by
        n, SQLite merges them as actors_by_number reads them (where count(DISTINCT n), or an IN list, sorts
        every number first), and stops at a LIMIT (SDF's latest 20 events at 1M: 68 ms -> 0.1 ms)."""
        arms = [_link_conditions("actor", frozenset({actor}), where) for actor in sorted(where.actors)]
        values = [v for _, params in arms for v in params]
        answers = []
        for source in self._sources:
            linked = " UNION ".join(f"SELECT n FROM {source}.event_actors WHERE {clauses}" for clauses, _ in arms)
            answers.append(self._fetch(sql.format(s=source, linked=linked), (*values, *more)))
        return answers

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._db.execute(sql, params).fetchall()


def _grouped(answers: list[list[tuple]]) -> dict[str, tuple[int, int]]:
    """(key, count, first n) rows of the index and the delta: each key's count and first n across both."""
    grouped: dict[str, tuple[int, int]] = {}
    for rows in answers:
        for key, count, first in rows:
            had, earliest = grouped.get(key, (0, first))
            grouped[key] = (had + count, min(earliest, first))
    return grouped


def _merged(answers: list[list[tuple]]) -> list[tuple]:
    """Rows of the index and of the delta, each in order of their first column (n), in one list in that order."""
    return answers[0] if len(answers) == 1 else list(_merged_lazily(answers))


def _merged_lazily(answers: Sequence[Iterable[tuple]]) -> Iterator[tuple]:
    """Like ``_merged``, the rows read as they are merged."""
    import heapq

    return heapq.merge(*answers, key=lambda row: row[0])


def _reader(descriptors: list[int]) -> Callable[[int, int, int], bytes]:
    """``read(layer, offset, length)``: bytes of the store file of that layer, by its descriptor."""
    if hasattr(os, "pread"):  # one system call, no buffer to discard (not on Windows)
        return lambda layer, offset, length: os.pread(descriptors[layer], length, offset)

    def read(layer: int, offset: int, length: int) -> bytes:
        os.lseek(descriptors[layer], offset, os.SEEK_SET)
        return os.read(descriptors[layer], length)

    return read


def _pack(event: Event) -> bytes:
    """Every field of an event as plain values, marshalled (the fastest form to read back)."""
    return marshal.dumps((
        event.id, event.date, event.type, event.summary, tuple(_source_fields(s) for s in event.sources),
        event.end_date, event.date_precision, event.approximate, event.stage, event.actors, event.site,
        event.origin, event.destination, event.quantities, event.status,
        tuple((d.claim, tuple(_source_fields(s) for s in d.sources), d.about) for d in event.disputes), event.tags,
    ))  # fmt: skip


def move_from(fields: bytes) -> Move:
    """A Move from its marshalled fields (the ``moves`` and ``site_moves`` tables, written by ``describe``).
    Its twin is ``settled._move``: a change to this form changes both."""
    return Move._make(marshal.loads(fields))


def _source_fields(source: Source) -> tuple:
    return (source.outlet, source.document, source.url, source.published)


def _unpack(fields: bytes) -> Event:
    (event_id, date, kind, summary, sources, end_date, precision, approximate, stage, actors, site, origin,
     destination, quantities, status, disputes, tags) = marshal.loads(fields)  # fmt: skip
    # Lists, not generators, and no generator for the usual no disputes: an export unpacks every event.
    return Event(
        event_id, date, kind, summary, tuple([Source(*s) for s in sources]), end_date, precision, approximate,
        stage, actors, site, origin, destination, quantities, status,
        tuple([Dispute(claim, tuple([Source(*s) for s in cited]), about) for claim, cited, about in disputes])
        if disputes else (), tags,
    )  # fmt: skip


def event_text(event: Event) -> str:
    """An event's --json text: what render.write_json prints for it inside a list."""
    return json_text(event.to_json())


# --- queries ----------------------------------------------------------------------


def conditions(where: EventFilter, source: str = "main") -> tuple[str, list[Any]]:
    """The SQL for EventFilter.matches (domain/filters.py), clause for clause, over the events of ``source`` (main or delta)."""
    clauses, params = _days_and_flags(where)
    clauses.insert(0, "1")
    # Each link table is searched by (name, last day, first day): the date and flag
    # clauses are repeated inside, so that one index range finds only the events wanted.
    for column, table, values in (("actor", "event_actors", where.actors), ("site", "event_sites", where.sites)):
        if values:
            inner, inner_params = _link_conditions(column, values, where)
            clauses.append(f"n IN (SELECT n FROM {source}.{table} WHERE {inner})")
            params += inner_params
    for column, values in (("type", where.types), ("status", where.statuses)):
        if values:
            clauses.append(f"{column} IN ({marks(values)})")
            params += sorted(values)
    if where.ids:
        # One parameter whatever the number of ids: SQLite caps the number of "?".
        clauses.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(where.ids)))
    if where.search:
        # Both sides case-folded by Python and compared as UTF-8 bytes: a byte
        # substring of UTF-8 is a character substring, so this is exactly
        # ``search.casefold() in summary.casefold()`` (SQL LIKE folds ASCII only).
        clauses.append(f"n IN (SELECT n FROM {source}.summaries WHERE instr(folded, ?) > 0)")
        params.append(fold(where.search))
    return " AND ".join(clauses), params


def _link_conditions(column: str, values: frozenset[str], where: EventFilter) -> tuple[str, list[Any]]:
    """The conditions on a link table (event_actors, event_sites): ``column`` among ``values`` (any, if none), the dates and flags."""
    clauses, params = _days_and_flags(where)
    if values:
        clauses.insert(0, f"{column} IN ({marks(values)})")
        params[:0] = sorted(values)
        if column == "actor" and where.acting:
            clauses.append("flags & 8")  # EventFilter.acting: the acting party's link
    return " AND ".join(clauses or ["1"]), params


def _days_and_flags(where: EventFilter) -> tuple[list[str], list[Any]]:
    # The events table and the link tables carry these columns alike.
    clauses, params = [], []
    if where.since:
        clauses.append("last >= ?")
        params.append(where.since.start.toordinal())
    if where.until:
        clauses.append("first <= ?")
        params.append(where.until.end.toordinal())
    if where.with_strength:
        clauses.append("flags & 1")
    if where.disputed:
        clauses.append("flags & 2")
    if where.types and where.types <= DRIVING_TYPES:
        clauses.append("flags & 4")  # what the type clause keeps, known to the link tables too
    return clauses, params


def _links_answer(where: EventFilter | None, actors: bool) -> bool:
    """Whether event_actors alone answers ``where``: it asks about dates, flags and the driving types
    only, and with ``actors`` about actors too (which it then must name)."""
    if where is None:
        return not actors
    # All the driving types are what the links' flag 4 says (``_days_and_flags``); any other choice of types is not.
    types = frozenset() if where.types == DRIVING_TYPES else where.types
    # Who acts is an actor link's flag too: answered with the actors, and nothing without them.
    rest = where._replace(since=None, until=None, with_strength=False, disputed=False, types=types, acting=False)
    if actors:
        return bool(where.actors) and rest._replace(actors=frozenset()) == _ANY
    return rest == _ANY


_ANY = EventFilter()
# The most actors _each_linked joins, one query each (SQLite allows 500 in one compound query).
_MOST_MERGED = 64


def _links_merge(where: EventFilter) -> bool:
    """Whether ``where`` is answered by some actors' links alone, few enough to merge (_each_linked)."""
    return _links_answer(where, actors=True) and len(where.actors) <= _MOST_MERGED


def marks(values: Iterable[Any]) -> str:
    return ", ".join("?" for _ in values)


def fold(text: str) -> bytes:
    # surrogatepass: a lone surrogate escaped in JSON is still text to search in.
    return text.casefold().encode("utf-8", "surrogatepass")

# --- writing rows -----------------------------------------------------------------

# One event as the index keeps it: id, first day, last day, type, status, flags,
# canonical, offset, length, doc, folded summary, actor ids, site ids, packed fields,
# move fields.
Digest = tuple


def digest_lines(lines: list[tuple[int, bytes]]) -> list[Digest] | None:
    """Parse, check and describe a batch of event lines; None if any line has a problem.

    Runs in worker processes: takes and returns only plain data.
    """
    try:
        records = [json.loads(body) for _, body in lines]
    except (ValueError, RecursionError):
        return None
    from syriabrief.domain.validate import check_records  # a build's, never a question's

    if check_records("event", records):
        return None
    # The columns say what the Event says.
    return [describe(Event.from_json(record), offset, body, None) for (offset, body), record in zip(lines, records)]


def describe(event: Event, offset: int | None = None, body: bytes | None = None, doc: str | None = None) -> Digest:
    """An event's rows: kept in its store file at ``offset`` (its line ``body``), as ``doc``, or by its fields alone."""
    period = event.period
    length = len(body) if body is not None else None
    # Canonical: the text kept (the line, or doc) is exactly the event's --json text.
    canonical = doc is not None or (body is not None and json_utf8(event.to_json()) == body)
    return (
        event.id, period.start.toordinal(), period.end.toordinal(), event.type, event.status,
        (1 if event.strength_names else 0) | (2 if event.contested else 0) | (4 if event.type in DRIVING_TYPES else 0)
        | _PRECISION_BITS.get(event.date_precision, 0),
        canonical, offset, length, doc, fold(event.summary),
        tuple(dict.fromkeys(event.actors)), tuple(dict.fromkeys(event.places)), _pack(event),
        marshal.dumps(tuple(event.move())),
    )  # fmt: skip


def store_digests(db: sqlite3.Connection, layer: int, batches: Iterable[list[Digest]]) -> None:
    """Insert batches of a layer's digests, numbered on from the events already there."""
    for digests in batches:
        (start,) = db.execute("SELECT coalesce(max(n), 0) FROM events").fetchone()
        insert_digests(db, [(n, layer, digest) for n, digest in enumerate(digests, start + 1)])


def insert_digests(db: sqlite3.Connection, numbered: list[tuple[int, int, Digest]]) -> None:
    """The rows of each (number, layer, digest): the one place that knows how an event becomes rows."""
    events: list[tuple] = []
    summaries: list[tuple] = []
    packed: list[tuple] = []
    moves: list[tuple] = []
    links_a: list[tuple] = []
    links_s: list[tuple] = []
    for n, layer, digest in numbered:
        (event_id, first, last, kind, status, flags, canonical, offset, length, doc, folded, who, where,
         fields, move) = digest  # fmt: skip
        events.append((n, event_id, layer, first, last, kind, status, flags, canonical, offset, length, doc, who[0] if who else None))
        summaries.append((n, folded))
        packed.append((n, fields))
        moves.append((n, move))
        links_a += ((a, first, last, n, flags | (8 if i == 0 else 0)) for i, a in enumerate(who))
        links_s += ((s, first, last, n, flags) for s in where)
    db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", events)
    db.executemany("INSERT INTO summaries VALUES (?, ?)", summaries)
    db.executemany("INSERT INTO packed VALUES (?, ?)", packed)
    db.executemany("INSERT INTO moves VALUES (?, ?)", moves)
    db.executemany("INSERT INTO event_actors VALUES (?, ?, ?, ?, ?)", links_a)
    db.executemany("INSERT INTO event_sites VALUES (?, ?, ?, ?, ?)", links_s)


def in_memory(plain: Dataset) -> SqlDataset:
    """The engine over a dataset already read into memory (small stores), with that dataset as its reference."""
    import sqlite3

    # check_same_thread off: the dataset may be handed to another thread (a test runner's).
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript(SCHEMA)
    # Dataset.events is in date order (first day, last day, id): the numbering the tables expect.
    store_digests(db, 0, [[describe(e) for e in plain.events]])
    db.executescript(INDEXES)
    return SqlDataset(db, plain.actors.values(), plain.sites.values(), reference=lambda: plain, settled=False)
