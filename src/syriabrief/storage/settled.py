"""Positions kept in the engine's tables: every site's settled history and status, and replays kept.

``settle`` replays every site's moves once, to their end, and keeps the result
(``keep_settled``: a site's periods, status, kept replay and moves): when an
index is built, or, for a store read into memory, at the first position asked.
The other functions read those rows back for ``SqlDataset``'s position
questions. The engine imports this module only when one is asked: a timeline
or an export never needs positions, and replaying them is most of what it
would import (``domain/positions.py``).
"""

from __future__ import annotations

import datetime
import itertools
import json
import marshal
import sys
from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from syriabrief.domain.dataset import OpenPeriods
from syriabrief.domain.model import Move, filled
from syriabrief.domain.positions import (
    ControlPeriod,
    KeptReplay,
    SiteStatus,
    closed_positions,
    last_to_leave,
    replay_prefixes,
    settled_history,
    settled_status,
)

if TYPE_CHECKING:  # sqlite3 is imported by whoever opens a connection
    import sqlite3

__all__ = ["keep_settled", "open_periods", "periods", "replays", "resume_day", "settle", "statuses"]

# A period's and a status's fields in order: what _pack_fields marshals and _period and _status read back.
_PERIOD_FIELDS = ControlPeriod._fields
_STATUS_FIELDS = tuple(f.name for f in dataclass_fields(SiteStatus))


def _pack_fields(record: ControlPeriod | SiteStatus, names: tuple[str, ...]) -> bytes:
    # Field by field, not dataclasses.astuple, which deep-copies every value (a third of a small build).
    # Texts are marshalled as interned, so reading them back shares one copy of each site, actor,
    # status and date instead of making one per period (a third of an actor list's memory at 1M).
    return marshal.dumps(tuple(_interned(getattr(record, name)) for name in names))


def _period(fields: bytes) -> ControlPeriod:
    """A period back from what _pack_fields wrote: every field, in order (a tuple of another length fails)."""
    return ControlPeriod._make(marshal.loads(fields))


def _status(fields: bytes) -> SiteStatus:
    """A status back from what _pack_fields wrote (every field, in order)."""
    return filled(SiteStatus, zip(_STATUS_FIELDS, marshal.loads(fields), strict=True))


def _move(fields: bytes) -> Move:
    # The moves tables' form, as engine.move_from reads it (not imported: the engine imports this module).
    return Move._make(marshal.loads(fields))


def _interned(value: Any) -> Any:
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, tuple):
        return tuple(_interned(v) for v in value)
    return value


# --- reading ----------------------------------------------------------------------
# The position tables are named without a schema: an index with a delta sees the
# delta's rows for the sites it re-settled through TEMP views of the same names.


def periods(
    db: sqlite3.Connection, as_of: datetime.date, actors: frozenset[str] | None
) -> tuple[list[ControlPeriod], frozenset[str]]:
    """``Dataset.settled_periods``: the periods at the sites settled at ``as_of``, and the other sites."""
    day = as_of.toordinal()
    settled = "site IN (SELECT site FROM settled WHERE day <= ?)"
    if actors is None:
        # Decoded as the rows come (a cursor, not fetchall): a million-event store has hundreds of thousands.
        rows = (fields for (fields,) in db.execute(f"SELECT fields FROM periods WHERE {settled} ORDER BY seq", (day,)))
        unsettled = db.execute("SELECT site FROM settled WHERE day > ?", (day,)).fetchall()
    else:
        # Asked without ORDER BY, DISTINCT or a join, and put in order here: through a delta's views
        # (index._OVERLAY) any of them made SQLite read each file's table whole, not search its index.
        named = json.dumps(sorted(actors))
        sql = f"SELECT seq, fields FROM periods WHERE actor IN (SELECT value FROM json_each(?)) AND {settled}"
        rows = (fields for _, fields in sorted(db.execute(sql, (named, day)), key=itemgetter(0)))
        # The unsettled sites among those where the actors' moves were made.
        unsettled = db.execute(
            "SELECT site FROM site_actors WHERE actor IN (SELECT value FROM json_each(?)) "
            "AND site IN (SELECT site FROM settled WHERE day > ?)",
            (named, day),
        ).fetchall()
    return [_period(fields) for fields in rows], frozenset(site for (site,) in unsettled)


def open_periods(db: sqlite3.Connection, as_of: datetime.date) -> OpenPeriods:
    """``Dataset.settled_open_periods``: the open periods read, the closed ones counted by actor."""
    # Every site with periods has a settled row: those not settled yet are the few to leave out.
    settled = "site NOT IN (SELECT site FROM settled WHERE day > ?)"
    day = (as_of.toordinal(),)
    rows = db.execute(f"SELECT fields FROM periods WHERE open AND {settled} ORDER BY seq", day)
    found = [_period(fields) for (fields,) in rows]
    closed = db.execute(f"SELECT actor, count(*), max(coalesce(changed, '')) FROM periods WHERE NOT open AND {settled} GROUP BY actor", day)
    unsettled = db.execute("SELECT site FROM settled WHERE day > ?", day).fetchall()
    return OpenPeriods(found, {actor: (count, changed) for actor, count, changed in closed}, frozenset(s for (s,) in unsettled))


def statuses(db: sqlite3.Connection, as_of: datetime.date) -> tuple[dict[str, SiteStatus], frozenset[str]]:
    """``Dataset.settled_statuses``: the state of every site settled at ``as_of``, and the sites not settled."""
    rows = db.execute("SELECT site, day, status FROM settled").fetchall()
    day = as_of.toordinal()
    kept = {site: _status(status) for site, last, status in rows if last <= day}
    return kept, frozenset(site for site, last, _ in rows if last > day)


def replays(
    db: sqlite3.Connection, sites: Iterable[str], as_of: datetime.date, actors: frozenset[str] | None, for_status: bool,
    kept_by: datetime.date | None = None,
) -> tuple[dict[str, KeptReplay], list[Move]]:  # fmt: skip
    """``Dataset.replay_at``: the replays kept for these sites, and the moves to replay after them."""
    named, day = json.dumps(sorted(sites)), as_of.toordinal()
    by = min((kept_by or as_of).toordinal(), day)  # a replay kept past the day asked would hold moves after it
    found = db.execute(
        "SELECT site, kept_day, kept_upto, state, left_pos FROM settled WHERE site IN (SELECT value FROM json_each(?))", (named,)
    ).fetchall()
    # Each site's latest kept replay by ``by``: the build day's, else an earlier quarter's.
    latest = {site: (upto, state, left) for site, kept_day, upto, state, left in found if kept_day is not None and kept_day <= by}
    if len(latest) < len(found):
        earlier = db.execute(
            "SELECT site, day, upto, state, left_pos FROM earlier WHERE site IN (SELECT value FROM json_each(?)) AND day <= ?", (named, by)
        ).fetchall()
        for site, _, upto, state, left in sorted(earlier, key=itemgetter(1)):
            if site not in latest or latest[site][0] < upto:
                latest[site] = (upto, state, left)
    # The moves after each kept replay (numbered past its upto; all of a site without one), one range of
    # site_moves_by_site per site: asked site by site, since a join through a delta's views
    # (index._OVERLAY) copied the whole table.
    kept = [(site, state, left) for site, (_, state, left) in latest.items()]
    after = {site: latest[site][0] if site in latest else -1 for site, _, _, _, _ in found}
    rows = [row for site, upto in after.items()
            for row in db.execute("SELECT n, fields FROM site_moves WHERE site = ? AND n > ? AND first <= ?", (site, upto, day))]  # fmt: skip
    rows.sort()  # in number order (event_sort_key), the order a replay takes them in
    moves = [_move(fields) for _, fields in rows]
    if not kept:
        return {}, moves
    states = {site: marshal.loads(state) for site, state, _ in kept}
    # The kept replays' closed stays are periods of the settled histories: a status needs
    # only the one it would tell, a profile those of its actors.
    if for_status:
        sql = "SELECT site, pos, fields FROM periods WHERE (site, pos) IN "
        sql += "(SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))"
        params: tuple = (json.dumps([(site, pos) for site, _, pos in kept if pos is not None]),)
    else:
        sql, params = "SELECT site, pos, fields FROM periods WHERE site IN (SELECT value FROM json_each(?))", (json.dumps(sorted(states)),)
        if actors is not None:
            sql, params = sql + " AND actor IN (SELECT value FROM json_each(?))", (*params, json.dumps(sorted(actors)))
    closed: dict[str, dict[int, ControlPeriod]] = {site: {} for site in states}
    wanted = {site: set(closed_positions(state)) for site, state in states.items()}
    for site, pos, fields in db.execute(sql, params):
        if pos in wanted[site]:
            closed[site][pos] = _period(fields)
    return {site: KeptReplay(state, closed[site]) for site, state in states.items()}, moves


# --- writing ----------------------------------------------------------------------


def settle(db: sqlite3.Connection) -> None:
    """Replay every site's history once, to its end, and keep it (keep_settled)."""

    # Site by site (a site's moves come together), so only one site's moves are held at a time.
    # Flag 4 on a link: the event's type is one of DRIVING_TYPES (engine.describe).
    rows = db.cursor().execute(
        "SELECT x.site, x.first, x.last, x.n, m.fields FROM event_sites AS x "
        "JOIN moves AS m ON m.n = x.n WHERE x.flags & 4 ORDER BY x.site, x.n"
    )
    for site, group in itertools.groupby(rows, key=lambda row: row[0]):
        # The links name every place of a move (its origin and destination too); the
        # history is made of the moves made *at* the site.
        here = [(first, n, fields) for _, first, _, n, fields in group if _move(fields).site == site]
        if here:
            keep_settled(db, site, here)


def resume_day() -> datetime.date:
    """The day a site's kept replay reaches: the build's (a function, so that a test can move it)."""
    return datetime.date.today()


def keep_settled(db: sqlite3.Connection, site: str, rows: list[tuple[int, int, bytes]]) -> None:
    """Keep ``site``'s settled history, status, kept replay and moves, from the (first day, n, move fields) of its
    moves in ``n`` order, which is event_sort_key's (replay_prefix counts a prefix of them as given)."""
    moves = [_move(fields) for _, _, fields in rows]
    history = settled_history(site, moves)
    db.executemany(
        "INSERT INTO periods (actor, site, pos, open, changed, fields) VALUES (?, ?, ?, ?, ?, ?)",
        [(p.actor, site, pos, p.is_open, p.last_change, _pack_fields(p, _PERIOD_FIELDS))
         for pos, p in enumerate(history)],  # fmt: skip
    )
    last = max(m.period.end.toordinal() for m in moves)
    status = _pack_fields(settled_status(site, history), _STATUS_FIELDS)
    db.executemany("INSERT INTO site_actors VALUES (?, ?)", ((a, site) for a in {a for m in moves for a in m.actors}))
    db.executemany("INSERT INTO site_moves VALUES (?, ?, ?, ?)", ((site, first, n, fields) for first, n, fields in rows))
    # Questions are mostly about today or later: keep the replay as far as today allows; and, for the
    # past, as far as the first day of each quarter allows, on days before the site settles.
    today = resume_day()
    days = _quarters(moves[0].period.start, min(today, datetime.date.fromordinal(last) - datetime.timedelta(days=1)))
    if last > today.toordinal():
        days.append(today)
    kept = replay_prefixes(site, moves, days)
    grown = 0
    for day, (count, state) in zip(days, kept, strict=True):
        if state is None or count == grown or day == today:
            continue
        grown = count
        db.execute("INSERT INTO earlier VALUES (?, ?, ?, ?, ?)", (site, day.toordinal(), rows[count - 1][1], marshal.dumps(state), _left(state, history)))
    count, state = kept[-1] if days and days[-1] == today else (0, None)
    if state is None:
        db.execute("INSERT INTO settled VALUES (?, ?, ?, NULL, NULL, NULL, NULL)", (site, last, status))
        return
    db.execute(
        "INSERT INTO settled VALUES (?, ?, ?, ?, ?, ?, ?)",
        (site, last, status, today.toordinal(), rows[count - 1][1], marshal.dumps(state), _left(state, history)),
    )


def _left(state: tuple, history: list[ControlPeriod]) -> int | None:
    """Which closed period of a kept ``state`` a status tells when nobody holds the site (last_to_leave)."""
    closed = closed_positions(state)
    return closed[last_to_leave([history[n] for n in closed])] if closed else None


def _quarters(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the quarters after ``first`` up to ``last``: the days replays are kept through."""
    day = datetime.date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
    days: list[datetime.date] = []
    while True:
        day = datetime.date(day.year + day.month // 10, (day.month + 2) % 12 + 1, 1)
        if day > last:
            return days
        days.append(day)
