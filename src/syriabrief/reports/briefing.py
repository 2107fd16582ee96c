"""The reports behind ``actor``, ``base``, ``compare`` and ``brief``: a dataset in, a typed report out.

Each report gathers the facts a command shows: it asks the dataset for events
(``select``; ``moves`` where only dates, parties and sites matter, which keeps a
big actor's profile fast), derives positions with ``domain.positions``, and has
``narrative`` write the sentences. The reports are the dataclasses of
``reports.types``, whose ``to_json()`` is the ``--json`` contract. No I/O and
no presentation here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import NamedTuple, TypeVar

from syriabrief.domain.dataset import Catalogue, EventTexts
from syriabrief.domain.dates import Period, parse_stored
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import EVENT_STATUSES, Actor, Event, Move, Site, filled
from syriabrief.domain.positions import (
    DRIVING_TYPES,
    OPEN_STATUSES,
    ActorPositions,
    ControlPeriod,
    KeptReplay,
    SiteStatus,
    history_and_status,
    positions_by_actor,
    site_status,
    statuses_then_and_now,
)
from syriabrief.reports import narrative
from syriabrief.reports.narrative import Citer
from syriabrief.reports.types import (
    Account,
    ActorChange,
    ActorIdentity,
    ActorLine,
    ActorLines,
    ActorList,
    ActorProfile,
    ActorRow,
    ActorSubject,
    Age,
    Aspect,
    BaseRow,
    BaseState,
    Brief,
    Changes,
    Comparison,
    Contested,
    EventRef,
    Figure,
    MoveView,
    PeriodView,
    SiteChange,
    SiteIdentity,
    SiteList,
    SiteProfile,
    SiteSubject,
    Span,
    StatusView,
)

__all__ = [
    "AREA_KINDS",
    "BASE_KINDS",
    "MOVE_TYPES",
    "actor_lines",
    "actor_list",
    "actor_report",
    "base_list",
    "base_report",
    "brief_report",
    "change_report",
    "compare_actors",
    "compare_sites",
    "day_period",
]

# The site kinds the brief tracks as bases (towns, fields and regions show up as moves).
BASE_KINDS = ("air_base", "base", "garrison", "airport", "naval_base")
# Areas rather than places: a force is never said to "hold" one only because it began leaving it.
AREA_KINDS = ("region", "country")
# What counts as a move in a brief: a force or a site changing hands, or detainees moved.
# A presence report places a force but moves nothing, so it is not listed as a move.
MOVE_TYPES = (DRIVING_TYPES - {"presence"}) | {"detainee_transfer"}
# Of those, the names that count the whole force rather than a part of it ("troops_remaining").
_TOTAL_STRENGTH = ("troops", "troops_in_syria", "soldiers", "personnel", "fighters")

Dataset = Catalogue  # any dataset: in memory or indexed


def day_period(day: datetime.date) -> Period:
    return Period(day, day, "day")


def _window(since: Period | None, until: Period | None, as_of: datetime.date) -> EventFilter:
    """Events from ``since`` to ``until``, never after the as-of day."""
    end = min(until.end, as_of) if until else as_of
    return EventFilter(since=since, until=day_period(end))


# --- age ------------------------------------------------------------------------------------


def _last_day(text: str | None) -> datetime.date | None:
    return parse_stored(text).end if text else None


def _is_stale(last_reported: str | None, as_of: datetime.date) -> bool:
    day = _last_day(last_reported)
    return day is not None and (as_of - day).days > Age.STALE_DAYS


def _age(latest: Event | Move | EventRef | None, as_of: datetime.date) -> Age:
    """How old the newest report behind an answer is at the as-of day."""
    if latest is None:
        return Age(None, None, None, False)
    last = latest.end_date or latest.date
    day = parse_stored(last).end
    days = (as_of - min(day, as_of)).days
    return Age(last, latest.id, days, days > Age.STALE_DAYS)


def _latest(*candidates: Event | Move | EventRef | None) -> Event | Move | EventRef | None:
    present = [c for c in candidates if c is not None]
    return max(present, key=lambda e: (parse_stored(e.end_date or e.date).end, e.id)) if present else None


# --- pieces -------------------------------------------------------------------------------


def _event_ref(event: Event | Move) -> EventRef:
    return EventRef(event.id, event.date, event.end_date, event.type)


def _span(count: int, first: Event | Move | None, last: Event | Move | None) -> Span:
    return Span(count, _event_ref(first) if first else None, _event_ref(last) if last else None)


def _events_span(events: Sequence[Event | Move]) -> Span:
    """The span of events already at hand, in date order."""
    return _span(len(events), events[0] if events else None, events[-1] if events else None)


def _status_view(status: SiteStatus, data: Dataset, as_of: datetime.date, behind: Iterable[Event | Move] = ()) -> StatusView:
    disputed_about: tuple[str, ...] = ()
    if status.disputed:
        ids = set(status.events)
        disputed_about = _aspects_of(e for e in behind if e.id in ids)
    return StatusView(
        holder=status.holder,
        holder_name=data.actor_name(status.holder) if status.holder else None,
        status=status.status,
        since=status.since,
        previous=status.previous,
        previous_name=data.actor_name(status.previous) if status.previous else None,
        uncertain=status.uncertain,
        disputed=status.disputed,
        status_events=tuple(status.events),
        pending=tuple(status.pending),
        last_reported=status.last_reported,
        stale=_is_stale(status.last_reported, as_of),
        disputed_about=disputed_about,
    )


def _aspects_of(events: Iterable[Event | Move]) -> tuple[str, ...]:
    """What the sources disagree on about a state, from the events behind it that say."""
    found: list[str] = []
    for event in events:
        if isinstance(event, Event) and event.state_disputed:
            found += [a for a in event.disputed_about if a not in ("figures", "details")]
    return tuple(dict.fromkeys(found))


class _Names(NamedTuple):
    """Site and actor names by id, as plain dicts: read once per report, for every view it makes."""

    sites: dict[str, str]
    actors: dict[str, str]

    @classmethod
    def of(cls, data: Dataset) -> _Names:
        return cls({s.id: s.name for s in data.sites.values()}, {a.id: a.name for a in data.actors.values()})


def _period_views(periods: Iterable[ControlPeriod], names: _Names, as_of: datetime.date) -> tuple[PeriodView, ...]:
    """Periods as reports show them, with the names of their sites and actors."""
    # Every field given, so that each view is built without the frozen __init__:
    # an actor list makes tens of thousands of views.
    site_names, actor_names = names
    views = []
    for period in periods:
        lost, handed = period.status == "lost", period.status == "handed_over"
        views.append(filled(PeriodView, {
            "site": period.site,
            "site_name": site_names.get(period.site, period.site),
            "actor": period.actor,
            "actor_name": actor_names.get(period.actor, period.actor),
            "role": period.role,
            "status": period.status,
            "since": period.start,
            "until": period.end,
            "status_since": period.status_since,
            "destination": period.destination,
            "destination_name": site_names.get(period.destination, period.destination) if period.destination else None,
            "events": tuple(period.events),
            "disputed": period.disputed,
            "uncertain": period.uncertain,
            "last_reported": period.last_reported,
            "stale": period.is_open and _is_stale(period.last_reported, as_of),
            "lost_to": period.successor if lost else None,
            "lost_to_name": actor_names.get(period.successor, period.successor) if lost and period.successor else None,
            "handed_to": period.successor if handed else None,
            "handed_to_name": actor_names.get(period.successor, period.successor) if handed and period.successor else None,
        }))  # fmt: skip
    return tuple(views)


def _move_views(events: Iterable[Event | Move], names: _Names, window: EventFilter | None = None, summaries: bool = False) -> tuple[MoveView, ...]:
    """Moves as reports show them; with ``window``, whether each falls inside it or possibly straddles an edge."""
    site_names, actor_names = names
    views = []
    for event in events:
        inside = "inside"
        if window is not None:
            period = event.period
            starts_inside = window.since is None or period.start >= window.since.start
            ends_inside = window.until is None or period.end <= window.until.end
            inside = "inside" if starts_inside and ends_inside else "possibly"
        views.append(filled(MoveView, {  # as in _period_views: a comparison of two big actors has thousands
            "event": event.id,
            "type": event.type,
            "stage": event.stage,
            "date": event.date,
            "end_date": event.end_date,
            "actors": tuple(event.actors),
            "actor_names": tuple([actor_names.get(a, a) for a in event.actors]),
            "site": event.site,
            "site_name": site_names.get(event.site, event.site) if event.site else None,
            "destination": event.destination,
            "destination_name": site_names.get(event.destination, event.destination) if event.destination else None,
            "disputed": event.state_disputed if isinstance(event, Move) else event.contested,
            "status": event.status,
            "origin": event.origin,
            "origin_name": site_names.get(event.origin, event.origin) if event.origin else None,
            "summary": event.summary if summaries and isinstance(event, Event) else None,
            "in_window": inside,
        }))  # fmt: skip
    return tuple(views)


def _contested(events: Iterable[Event]) -> tuple[Contested, ...]:
    """For each disputed event, every account and who gives it: the event's own first."""
    out = []
    for event in events:
        if not event.contested:
            continue
        accounts = [Account(event.summary, _outlets(event.sources))]
        accounts += [Account(d.claim, _outlets(d.sources)) for d in event.disputes]
        out.append(Contested(event.id, event.date, tuple(accounts)))
    return tuple(out)


def _outlets(sources) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s.outlet for s in sources))


def _strength(events: Sequence[Event], data: Dataset) -> tuple[Figure, ...]:
    """Figures of a force's size: whole-force totals first, then partial counts; latest first in each."""
    # A figure's name is a key ("troops_in_syria"): its words read with the data's own spelling of
    # any one-word name in it ("troops in Syria").
    names = [(a.name, *a.aliases) for a in data.actors.values()] + [(s.name, *s.aliases) for s in data.sites.values()]
    spellings = {word.casefold(): word for words in names for word in words if " " not in word and word[:1].isupper()}
    figures = [
        Figure(name, event.quantities[name], event.date, event.end_date, event.approximate, event.status, event.id,
               event.site, data.site_name(event.site) if event.site else None,
               " ".join(spellings.get(word, word) for word in name.split("_")))
        for event in reversed(events)
        for name in event.strength_names
    ]
    figures.sort(key=lambda f: f.name not in _TOTAL_STRENGTH)  # stable: keeps latest first
    return tuple(figures)


def _select_ids(data: Dataset, ids: Iterable[str]) -> list[Event]:
    """The events with these ids, in date order (none for no ids: an empty filter keeps everything)."""
    wanted = frozenset(ids)
    return data.select(EventFilter(ids=wanted)) if wanted else []


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _by_site(events: Iterable[Move]) -> dict[str, list[Move]]:
    """Moves grouped by their site, so each site's history replays only its own."""
    groups: dict[str, list[Move]] = {}
    for event in events:
        if event.site:
            groups.setdefault(event.site, []).append(event)
    return groups


def _within(text: str | None, window: EventFilter) -> bool:
    """Whether a date may fall inside the window (any day of it)."""
    if not text:
        return False
    period = parse_stored(text)
    if window.since and period.end < window.since.start:
        return False
    return window.until is None or period.start <= window.until.end


# --- positions ------------------------------------------------------------------------------


def _positions(data: Dataset, as_of: datetime.date, actors: frozenset[str] | None = None) -> dict[str, ActorPositions]:
    """Every actor's positions at the as-of day (or only those of ``actors``), by actor id.

    Sites whose history the dataset keeps settled for this day are read as they
    are; the others are replayed from their moves, each once for all the actors.
    """
    until = day_period(as_of)
    kept = data.settled_periods(as_of, actors)
    if kept is not None:
        periods, replay = kept
    elif actors is None:
        periods, replay = [], None  # every site
    else:
        # A site's history depends on every party's moves there, at every site the actors' moves name.
        own = data.moves(EventFilter(actors=actors, types=DRIVING_TYPES, until=until))
        periods, replay = [], frozenset(m.site for m in own if m.site)
    return _with_replayed(data, as_of, actors, periods, replay)


def _with_replayed(
    data: Dataset, as_of: datetime.date, actors: frozenset[str] | None, periods: list[ControlPeriod],
    replay: frozenset[str] | None,
) -> dict[str, ActorPositions]:
    """The positions of ``periods`` (kept settled) with those of the ``replay`` sites (None: every site) replayed."""
    states: dict[str, KeptReplay] = {}
    if replay is None:
        moves = data.moves(EventFilter(types=DRIVING_TYPES, until=day_period(as_of)))
    else:
        states, moves = data.replay_at(replay, as_of, actors)
    replayed = positions_by_actor(moves, as_of, only=actors, resume=states)
    by_actor: dict[str, list[ControlPeriod]] = {}
    for period in periods:
        by_actor.setdefault(period.actor, []).append(period)
    return {
        a: ActorPositions.of(a, [*by_actor.get(a, ()), *_all_periods(replayed.get(a))], replayed[a].pending if a in replayed else ())
        for a in sorted(by_actor.keys() | replayed.keys())
    }


def _all_periods(positions: ActorPositions | None) -> tuple[ControlPeriod, ...]:
    return positions.holds + positions.left if positions else ()


# Kinds of actor that visit places but hold none: a minister touring a hilltop is not a garrison.
_NOT_FORCES = ("person", "media")


def _is_force(data: Dataset, actor_id: str) -> bool:
    actor = data.actors.get(actor_id)
    return actor is None or actor.kind not in _NOT_FORCES


def _holds_and_left(
    positions: ActorPositions, data: Dataset, as_of: datetime.date, names: _Names
) -> tuple[tuple[PeriodView, ...], tuple[PeriodView, ...]]:
    """An actor's periods as shown (``_shown``), as views."""
    holds, left = _shown(positions, data)
    return _period_views(holds, names, as_of), _period_views(left, names, as_of)


def _shown(positions: ActorPositions, data: Dataset) -> tuple[list[ControlPeriod], list[ControlPeriod]]:
    """An actor's holds and left as shown: a withdrawal from an area it was never placed in is not a hold,
    and a person's visit is no position."""
    holds, left = [], [p for p in positions.left if _is_force(data, p.actor)]
    for period in positions.holds:
        if not _is_force(data, period.actor):
            continue
        site = data.sites.get(period.site)
        if period.status == "withdrawing" and site is not None and site.kind in AREA_KINDS:
            left.append(period)
        else:
            holds.append(period)
    return holds, left


def _one_per_site(periods: list[ControlPeriod]) -> list[ControlPeriod]:
    """An actor's forces at one site are one position: a unit alongside its army is not another hold.

    The position kept is the holder's, as recently reported as any of them there (with the event
    that reported it, so that the date is cited); a departure that several of them made together
    (one end, one status) is told once.
    """
    # Whether each period is open, asked once: a big actor at 1M has twenty thousand periods.
    is_open = [p.is_open for p in periods]
    holding = {p.site for p, open_ in zip(periods, is_open) if open_ and p.role == "holder"}
    newest: dict[str, datetime.date] = {}
    reported: dict[str, ControlPeriod] = {}
    for p, open_ in zip(periods, is_open):
        day = _last_day(p.last_reported) if open_ else None
        if day is not None and (p.site not in newest or day > newest[p.site]):
            newest[p.site], reported[p.site] = day, p
    told = {(p.site, p.end, p.status) for p, open_ in zip(periods, is_open) if not open_ and p.role == "holder"}
    kept = []
    for p, open_ in zip(periods, is_open):
        if open_:
            if p.role == "holder" or p.site not in holding:
                latest = reported.get(p.site, p)
                if latest.last_reported == p.last_reported:
                    kept.append(p)
                else:  # its events are in date order: the last is the one that reported that day
                    cited = latest.events[-1:]
                    kept.append(p._replace(last_reported=latest.last_reported, events=(*p.events, *(e for e in cited if e not in p.events))))
        elif p.role == "holder" or (p.site, p.end, p.status) not in told:
            told.add((p.site, p.end, p.status))
            kept.append(p)
    return kept


def _through(
    actor_id: str, through: Sequence[str], joined: Sequence[str], everyone: dict[str, ActorPositions],
    data: Dataset, as_of: datetime.date,
) -> ActorPositions:  # fmt: skip
    """An actor's positions with those of the forces under it (``through``: Catalogue.under), one per site,
    and what the forces that joined it brought (``joined``: _joined_forces; ``_brought``)."""
    mine = [everyone.get(a) for a in through]
    periods = [p for positions in mine for p in _all_periods(positions)]
    pending = [e for positions in mine if positions for e in positions.pending]
    return ActorPositions.of(actor_id, _one_per_site([*periods, *_brought(joined, everyone, data, as_of)]), pending)


def _brought(joined: Sequence[str], everyone: dict[str, ActorPositions], data: Dataset, as_of: datetime.date) -> list[ControlPeriod]:
    """What the forces that had joined an actor (``joined``: Catalogue.joined_into) still held on joining
    and hold now: not what they had left, or had begun leaving, before."""
    return [p for a in joined if (positions := everyone.get(a)) for p in positions.holds
            if p.status == "active" or (p.status_since and not _before_joining(data, p.actor, p.status_since, as_of))]  # fmt: skip


def force_of_state(data: Dataset, status: StatusView, as_of: datetime.date) -> str | None:
    """The force a site's state belongs to (its holder's, else its last holder's): a force that joined
    another counts as that one's for what it held when it joined, not for a stay it had already
    begun leaving or had left (the SNA's withdrawal from Afrin, begun before it joined)."""
    who = status.holder or status.previous
    if who is None:
        return None
    if status.status != "active" and status.since and _before_joining(data, who, status.since, as_of):
        return data.force_of(who)
    return data.force_of(who, as_of)


def _before_joining(data: Dataset, actor_id: str, day: str, as_of: datetime.date) -> bool:
    """Whether ``day`` (when a stay's state began) may fall before the actor's force joined another."""
    joiner = data.joining(actor_id, as_of)
    return joiner is not None and joiner.joined is not None and parse_stored(day).start <= joiner.joined.counts_from


def _joined_forces(joiners: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(i for ids in joiners.values() for i in ids)


def _joined_by(joiners: dict[str, tuple[str, ...]], holds: Sequence[PeriodView]) -> tuple[str, ...]:
    """The joiners (Catalogue.joined_into) that, or a force under which, still hold one of ``holds``."""
    holders = {p.actor for p in holds}
    return tuple(j for j, ids in joiners.items() if holders & set(ids))


_Told = TypeVar("_Told", ActorProfile, SiteProfile, Comparison, Changes, Brief)


def _told(report: _Told, write: Callable[[Citer], str], data: Dataset) -> _Told:
    """``report`` with the paragraph ``write`` makes of it and the events it cites, numbered as read."""
    citer = Citer()
    text, citations = citer.finish(write(citer), data)
    return replace(report, narrative=text, citations=citations)


# --- actors -----------------------------------------------------------------------------------


def actor_list(data: Dataset, as_of: datetime.date) -> ActorList:
    """Every actor with the sites it holds and has left at the as-of day."""
    return ActorList(as_of.isoformat(), tuple(actor_rows(data, as_of)))


def actor_rows(data: Dataset, as_of: datetime.date) -> Iterator[ActorRow]:
    """The rows of ``actor_list``, each made as it is asked for: --json writes one at a time."""
    until = day_period(as_of)
    everyone = _positions(data, as_of)
    counts = data.actor_counts(EventFilter(until=until))
    names = _Names.of(data)
    for actor in sorted(data.actors.values(), key=lambda a: a.name.casefold()):
        # Popped, so that each actor's periods are freed once its views are made (a 1M store has 250,000).
        holds, left = _holds_and_left(everyone.pop(actor.id, ActorPositions.of(actor.id, ())), data, as_of, names)
        count = counts.get(actor.id, 0)
        yield ActorRow(actor=ActorIdentity.of(actor), as_of=as_of.isoformat(), holds=holds, left=left, event_count=count)


def actor_lines(data: Dataset, as_of: datetime.date) -> ActorLines:
    """What the actor list table shows (``ActorList.lines``), without a view of every period.

    The table names the sites each actor holds and only counts the stays that ended:
    a dataset that keeps settled histories hands out the open periods and counts the
    closed ones (at 100k events, 26,000 periods of which 2,500 are open).
    """
    kept = data.settled_open_periods(as_of)
    if kept is None:
        return actor_list(data, as_of).lines()
    periods, closed, replay = kept
    everyone = _with_replayed(data, as_of, None, periods, replay)
    counts = data.actor_counts(EventFilter(until=day_period(as_of)))
    site_names = _Names.of(data).sites
    rows = []
    for actor in sorted(data.actors.values(), key=lambda a: a.name.casefold()):
        holds, left = _shown(everyone.pop(actor.id, ActorPositions.of(actor.id, ())), data)
        uncounted, last_closed = closed.get(actor.id, (0, "")) if _is_force(data, actor.id) else (0, "")
        changed = max([last_closed, *(p.last_change or "" for p in (*holds, *left))])
        held = tuple(dict.fromkeys(site_names.get(p.site, p.site) for p in holds))
        doubtful = frozenset(site_names.get(p.site, p.site) for p in holds if p.disputed or _is_stale(p.last_reported, as_of))
        rows.append(ActorLine(ActorIdentity.of(actor), held, uncounted + len(left), counts.get(actor.id, 0), changed, doubtful))
    return ActorLines(as_of.isoformat(), tuple(rows))


def actor_report(
    data: Dataset,
    actor: Actor,
    as_of: datetime.date,
    since: Period | None = None,
    until: Period | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> ActorProfile:
    """Profile of one actor: what it and the forces under it hold and have left, its strength, its events.

    ``limit`` keeps only the latest ``limit`` events in ``events``; the span
    still describes them all. ``events`` holds Event objects (a table needs only
    a few), or with ``as_json`` their --json texts (``_events``).
    """
    through = data.under(actor.id)
    ids = frozenset(through)
    listed = _window(since, until, as_of)._replace(actors=ids)
    joiners = data.joined_into(through, as_of)
    joined = _joined_forces(joiners)
    everyone = _positions(data, as_of, ids | frozenset(joined))
    positions = _through(actor.id, through, joined, everyone, data, as_of)
    holds, left = _holds_and_left(positions, data, as_of, _Names.of(data))
    figures = data.select(EventFilter(actors=ids, until=day_period(as_of), with_strength=True))
    count, first, last = data.span(listed)
    latest_move = data.select(EventFilter(actors=ids, types=DRIVING_TYPES, until=day_period(as_of)), limit=1)
    age = _age(_latest(last, *latest_move), as_of)
    profile = ActorProfile(
        actor=ActorIdentity.of(actor),
        affiliation_names=tuple(data.actor_name(a) for a in actor.affiliations),
        parent_name=data.actor_name(actor.parent) if actor.parent else None,
        as_of=as_of.isoformat(),
        holds=holds,
        left=left,
        strength=_strength(figures, data),
        pending=tuple(dict.fromkeys(positions.pending)),
        span=_span(count, first, last),
        age=age,
        through=through,
        joined_by=_joined_by(joiners, holds),
        events=_events(data, listed, limit, as_json),
    )
    return _told(profile, lambda cite: narrative.actor_narrative(profile, data, cite), data)


def _events(data: Dataset, where: EventFilter, limit: int | None, as_json: bool) -> tuple[Event | bytes, ...] | EventTexts:
    """A profile's events: Event objects for a table, or --json texts; all of them (no limit)
    are read as they are written (EventTexts)."""
    if not as_json:
        return tuple(data.select(where, limit))
    return EventTexts(data, where) if limit is None else tuple(data.select_json(where, limit))


# --- sites ----------------------------------------------------------------------------------


def base_list(data: Dataset, as_of: datetime.date) -> SiteList:
    """Every site with its status at the as-of day."""
    return SiteList(as_of.isoformat(), tuple(base_rows(data, as_of)))


def base_rows(data: Dataset, as_of: datetime.date) -> Iterator[BaseRow]:
    """The rows of ``base_list``, each made as it is asked for."""
    statuses = _statuses(data, as_of)
    for site in sorted(data.sites.values(), key=lambda s: s.name.casefold()):
        status = statuses.get(site.id) or site_status(site.id, (), as_of)
        yield BaseRow(site=SiteIdentity.of(site), as_of=as_of.isoformat(), status=_status_view(status, data, as_of))


def _statuses(data: Dataset, as_of: datetime.date) -> dict[str, SiteStatus]:
    """The status at the as-of day of every site a move was made at: kept settled, or replayed."""
    kept = data.settled_statuses(as_of)
    if kept is None:
        moves = data.moves(EventFilter(types=DRIVING_TYPES, until=day_period(as_of)))
        return {site: site_status(site, at_site, as_of) for site, at_site in _by_site(moves).items()}
    statuses, unsettled = kept
    states, moves = data.replay_at(unsettled, as_of, for_status=True)
    replayed: dict[str, list[Move]] = {site: [] for site in states} | _by_site(moves)
    return statuses | {site: site_status(site, at_site, as_of, states.get(site)) for site, at_site in replayed.items()}


def base_report(
    data: Dataset,
    site: Site,
    as_of: datetime.date,
    since: Period | None = None,
    until: Period | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> SiteProfile:
    """Profile of one site: where and what it is, its control history and status, its events, a narrative."""
    at_site = frozenset({site.id})
    driving = data.moves(EventFilter(sites=at_site, types=DRIVING_TYPES, until=day_period(as_of)))
    history, status = history_and_status(site.id, driving, as_of)
    # The events listed are those at the site and everything inside it (a governorate's bases).
    listed = _window(since, until, as_of)._replace(sites=data.within(site.id))
    # Every disputed event the history rests on, not only the latest: an old
    # disputed departure still decides who was where.
    behind = {i for p in history for i in p.events}
    contested = _select_ids(data, [m.id for m in driving if m.site == site.id and m.id in behind])
    contested = [e for e in contested if e.contested]
    count, first, last = data.span(listed)
    profile = SiteProfile(
        site=SiteIdentity.of(site),
        notes=site.notes,
        as_of=as_of.isoformat(),
        status=_status_view(status, data, as_of, contested),
        history=_period_views((p for p in history if _is_force(data, p.actor)), _Names.of(data), as_of),
        accounts=_contested(contested),
        span=_span(count, first, last),
        age=_age(_latest(last, *driving[-1:]), as_of),
        events=_events(data, listed, limit, as_json),
        inside=_held_within(data, site, as_of),
    )
    force = force_of_state(data, profile.status, as_of)
    profile = replace(profile, force=force, force_name=data.actor_name(force) if force else None)
    return _told(profile, lambda cite: narrative.base_narrative(profile, {m.id: m for m in driving}, data, cite), data)


def _held_within(data: Dataset, site: Site, as_of: datetime.date) -> tuple[BaseRow, ...]:
    """The sites inside ``site`` that a force holds or is leaving at the as-of day, by name."""
    inner = data.within(site.id) - {site.id}
    if not inner:
        return ()
    statuses = _statuses(data, as_of)
    return tuple(
        BaseRow(site=SiteIdentity.of(data.sites[i]), as_of=as_of.isoformat(), status=_status_view(statuses[i], data, as_of))
        for i in sorted(inner & statuses.keys(), key=lambda i: data.sites[i].name.casefold())
        if statuses[i].status in OPEN_STATUSES
    )


# --- comparisons ----------------------------------------------------------------------------


def compare_actors(
    data: Dataset, actors: Sequence[Actor], as_of: datetime.date, since: Period | None = None, until: Period | None = None
) -> Comparison:
    """Side by side: what each actor holds and left, where it went, its figures, first and last events."""
    window = _window(since, until, as_of)
    subjects = []
    cited: dict[str, Event | Move] = {}
    # Each actor with the forces under it, as its profile has them (Israel through the IDF).
    through = {a.id: data.under(a.id) for a in actors}
    joiners = {a.id: data.joined_into(through[a.id], as_of) for a in actors}
    joined = {a.id: _joined_forces(joiners[a.id]) for a in actors}
    everyone = _positions(data, as_of, frozenset(i for a in actors for i in (*through[a.id], *joined[a.id])))
    names = _Names.of(data)
    for actor in actors:
        ids = frozenset(through[actor.id])
        positions = _through(actor.id, through[actor.id], joined[actor.id], everyone, data, as_of)
        holds, left = _holds_and_left(positions, data, as_of, names)
        pending = tuple(dict.fromkeys(positions.pending))
        mine = window._replace(actors=ids)
        # Its own moves (it or a force under it acts first); of its other events only the count, first and last.
        # A planned move is an intention: no move of its own, and no destination it went to.
        moves = [e for e in data.moves(mine._replace(types=DRIVING_TYPES - {"presence"}, acting=True)) if e.status != "planned"]
        figures = data.select(mine._replace(with_strength=True))
        left_in_window = tuple(p for p in left if _within(p.until, window) or p.status == "withdrawing")
        leaving = [p for p in holds if p.status == "withdrawing"]
        cited.update({e.id: e for e in moves})
        cited.update({e.id: e for e in figures})
        cited.update({e.id: e for e in _select_ids(data, (i for i in pending if i not in cited))})
        held_regions = _unique(_admin1(data, p.site) for p in holds if p.status == "active")
        departed = _unique(_admin1(data, p.site) for p in (*left_in_window, *leaving))
        destinations = _unique(e.destination for e in moves if e.destination and e.destination != e.site)
        subjects.append(
            ActorSubject(
                kind="actor",
                id=actor.id,
                name=actor.name,
                holds=holds,
                left=left_in_window,
                moves=_move_views(moves, names),
                destinations=destinations,
                destination_names=tuple(data.site_name(d) for d in destinations),
                # A region is left only when no site in it is still held.
                regions_left=tuple(r for r in departed if r not in held_regions),
                regions_held=held_regions,
                strength=_strength(figures, data)[:1],
                pending=pending,
                span=_span(*data.span(mine)),
                joined_by=_joined_by(joiners[actor.id], holds),
            )
        )
    return _comparison(data, subjects, window, as_of, ("holds", "left", "regions_left", "destinations"), cited)


def _admin1(data: Dataset, site_id: str) -> str | None:
    site = data.sites.get(site_id)
    return site.admin1 if site else None


def compare_sites(
    data: Dataset, sites: Sequence[Site], as_of: datetime.date, since: Period | None = None, until: Period | None = None
) -> Comparison:
    """Side by side: each site's status and holder, who left it, its latest change."""
    window = _window(since, until, as_of)
    subjects = []
    cited: dict[str, Event | Move] = {}
    names = _Names.of(data)
    for site in sites:
        at_site = frozenset({site.id})
        driving = data.moves(EventFilter(sites=at_site, types=DRIVING_TYPES, until=day_period(as_of)))
        history, status = history_and_status(site.id, driving, as_of)
        events = data.moves(window._replace(sites=at_site))
        cited.update({e.id: e for e in driving})
        cited.update({e.id: e for e in events})
        # A plan changes nothing at the site: not one of its changes.
        changes = [e for e in driving if e.site == site.id and e.status != "planned" and _within(e.end_date or e.date, window)]
        closed = [p for p in history if not p.is_open and _within(p.end, window)]
        subjects.append(
            SiteSubject(
                kind="site",
                id=site.id,
                name=site.name,
                admin1=site.admin1,
                status=_status_view(status, data, as_of),
                left_by=_unique(p.actor for p in closed),
                # The event that closed each of those stays, for the narrative to cite.
                left_events=_unique(p.events[-1] for p in closed if p.events),
                changes=_move_views(changes, names),
                span=_events_span(events),
            )
        )
    return _comparison(data, subjects, window, as_of, ("status", "holder", "left_by", "admin1"), cited)


def _comparison(
    data: Dataset,
    subjects: Sequence[ActorSubject | SiteSubject],
    window: EventFilter,
    as_of: datetime.date,
    aspects: Sequence[str],
    cited: dict[str, Event | Move],
) -> Comparison:
    """The subjects side by side, what they share and where they differ, and the paragraph."""
    similarities, differences = _aspects(subjects, aspects)
    latest = _latest(*(s.span.last_event for s in subjects))
    for s in subjects:
        if isinstance(s, SiteSubject) and s.status.status_events:
            latest = _latest(latest, *(cited[i] for i in s.status.status_events[-1:] if i in cited))
    comparison = Comparison(
        as_of=as_of.isoformat(),
        since=window.since.start.isoformat() if window.since else None,
        until=window.until.end.isoformat() if window.until else as_of.isoformat(),
        subjects=tuple(subjects),
        similarities=similarities,
        differences=differences,
        age=_age(latest, as_of),
    )
    return _told(comparison, lambda cite: narrative.compare_narrative(comparison, cited, data, cite), data)


def _aspects(subjects: Sequence[ActorSubject | SiteSubject], keys: Sequence[str]) -> tuple[tuple[Aspect, ...], tuple[Aspect, ...]]:
    """Split the compared aspects into those all subjects share and those where they differ."""
    similarities: list[Aspect] = []
    differences: list[Aspect] = []
    for key in keys:
        values = {s.id: _comparable(_aspect_value(s, key)) for s in subjects}
        shared = set.intersection(*(set(v) for v in values.values())) if values else set()
        item = Aspect(key, {k: sorted(v) for k, v in values.items()}, tuple(sorted(shared)))
        distinct = {tuple(sorted(v)) for v in values.values()}
        (similarities if len(distinct) == 1 and shared else differences).append(item)
        if len(distinct) > 1 and shared:
            similarities.append(item)
    return tuple(similarities), tuple(differences)


def _aspect_value(subject: ActorSubject | SiteSubject, key: str):
    if isinstance(subject, SiteSubject) and key in ("status", "holder"):
        return getattr(subject.status, key)
    return getattr(subject, key)


def _comparable(value) -> set[str]:
    """The names an aspect's value stands for (a list of periods becomes their site ids)."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {v.site if isinstance(v, PeriodView) else v for v in value if v}


def change_report(data: Dataset, before: datetime.date, after: datetime.date, told: int | None = None) -> Changes:
    """What changed between two days: sites whose holder or status changed, who gained and who lost.
    The paragraph tells one by one the ``told`` sites that changed last (those a table shows; else CHANGES_TOLD)."""
    # Only a site with a move that may end after the first day and begin by the second can differ:
    # where every move is over by the first day, or starts after the second, both days see the
    # same moves alike. Each of those sites goes on from a replay the index kept through a day no
    # later than the first (what it holds, both days see alike), with only the moves after it.
    inside = data.moves(EventFilter(types=DRIVING_TYPES, since=day_period(before + datetime.timedelta(days=1)), until=day_period(after)))
    touched = frozenset(m.site for m in inside if m.site)
    kept, driving = data.replay_at(touched, after, for_status=True, kept_by=before) if touched else ({}, [])
    changes = []
    taken: set[str] = set()  # sites whose loser had them taken, not left or handed over
    # The sites in the order of their names, as a reader looks for them (ids can start elsewhere).
    at_touched = [(site, moves) for site, moves in _by_site(driving).items() if site in touched]  # not a destination's
    for site_id, at_site in sorted(at_touched, key=lambda item: (data.site_name(item[0]).casefold(), item[0])):
        # A kept replay holds of the periods closed by then only the one a status tells: the loser's
        # asked about below ended after the first day, so none of them is among those.
        then, now, periods_of = statuses_then_and_now(site_id, at_site, before, after, kept.get(site_id))
        if (then.holder, then.status) == (now.holder, now.status):
            continue
        # What happened in between: the moves the second day's replay applies and the first day's does not
        # wholly (one may run on past the second day: "2 Jan – 1 Mar"); a plan is no change.
        between = [e for e in at_site if e.period.end > before and parse_stored(e.date).end <= after and e.status != "planned"]
        moved = [e for e in between if e.type != "presence"]
        if then.status == "unknown" and not moved:
            # Only a presence report in between: the force was first *reported*
            # there, which is news about the record, not a change on the ground.
            continue
        loser = _loser(then, now, moved)
        if loser and _taken_from(loser, periods_of(loser), moved, before):
            taken.add(site_id)
        changes.append(
            SiteChange(
                site=site_id,
                site_name=data.site_name(site_id),
                before=_status_view(then, data, before),
                after=_status_view(now, data, after),
                events=tuple(e.id for e in between),
                changed_on=(latest.end_date or latest.date) if (latest := _latest(*between)) else None,
                lost_by=loser,
                lost_by_name=data.actor_name(loser) if loser else None,
            )
        )
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    left: dict[str, list[str]] = {}
    leaving: dict[str, list[str]] = {}
    for change in changes:
        holder = change.after.holder
        if change.lost_by and change.lost_by != holder:
            (lost if change.site in taken else left).setdefault(change.lost_by, []).append(change.site)
        if holder and holder != change.before.holder and change.after.status == "active":
            gained.setdefault(holder, []).append(change.site)
        if holder and change.after.status == "withdrawing":
            leaving.setdefault(holder, []).append(change.site)
    actors = tuple(
        ActorChange(a, data.actor_name(a), tuple(gained.get(a, ())), tuple(lost.get(a, ())), tuple(leaving.get(a, ())),
                    tuple(left.get(a, ())))  # fmt: skip
        for a in sorted(set(gained) | set(lost) | set(left) | set(leaving), key=data.actor_name)
    )
    latest = data.last_ended(EventFilter(types=DRIVING_TYPES, until=day_period(after)), after)
    report = Changes(
        as_of=after.isoformat(), since=before.isoformat(), until=after.isoformat(), subjects=(),
        differences=tuple(changes), actors=actors, age=_age(latest, after),
    )  # fmt: skip
    return _told(report, lambda cite: narrative.change_narrative(report, data, cite, told or narrative.CHANGES_TOLD), data)


def _taken_from(loser: str, history: Sequence[ControlPeriod], moved: Sequence[Move], before: datetime.date) -> bool:
    """Whether ``loser`` lost the site to a taker (its stay ended ``lost``), rather than leaving it or
    handing it over; with no stay of its own on record, whether a control change names it the losing side."""
    ended = [p for p in history if p.actor == loser and p.end and parse_stored(p.end).end > before]
    if ended:
        return ended[-1].status == "lost"
    return any(e.type == "control_change" and e.actors[1:2] == (loser,) for e in moved)


def _loser(then: SiteStatus, now: SiteStatus, moved: Sequence[Move]) -> str | None:
    """Who no longer holds a site: its previous holder, else the losing side the events name."""
    if then.holder and then.status in ("active", "withdrawing") and then.holder != now.holder:
        return then.holder
    if now.status in ("vacated", "handed_over", "lost") and now.previous:
        return now.previous
    for event in reversed(moved):
        if event.type in ("control_change", "handover") and len(event.actors) > 1:
            # A control change names the loser second; a handover names the giver first.
            loser = event.actors[1] if event.type == "control_change" else event.actors[0]
            if loser != now.holder:
                return loser
    return None


# --- the brief -------------------------------------------------------------------------------


def brief_report(
    data: Dataset,
    as_of: datetime.date,
    days: int = 30,
    *,
    actors: frozenset[str] = frozenset(),
    sites: frozenset[str] = frozenset(),
    governorates: frozenset[str] = frozenset(),
) -> Brief:
    """The situation at the as-of day: who holds the tracked bases, the moves of the last ``days``, disputes.

    ``actors``, ``sites`` and ``governorates`` narrow it (ids; governorates as
    ``admin1`` names): a base is kept when its holder (or last holder) is one of
    the actors, it is one of the sites, or it lies in one of the governorates.
    Give an actor with the forces under it (``Catalogue.under``), as the command line does.
    """
    start = as_of - datetime.timedelta(days=max(days, 1) - 1)
    window = EventFilter(since=day_period(start), until=day_period(as_of))
    statuses = _statuses(data, as_of)
    folded = {g.casefold() for g in governorates}

    def wanted_site(site: Site) -> bool:
        return (not sites or site.id in sites) and (not folded or (site.admin1 or "").casefold() in folded)

    bases = []
    for site in sorted(data.sites.values(), key=lambda s: s.name.casefold()):
        if site.kind not in BASE_KINDS or not wanted_site(site):
            continue
        status = _status_view(statuses.get(site.id) or site_status(site.id, (), as_of), data, as_of)
        who = status.holder or status.previous
        if actors and who not in actors:
            continue
        force = force_of_state(data, status, as_of)
        bases.append(BaseState(site.id, site.name, site.admin1, status, force, data.actor_name(force) if force else None))
    narrowed = window._replace(actors=actors, sites=frozenset(s.id for s in data.sites.values() if wanted_site(s)) if (sites or folded) else frozenset())
    overlapping = data.select(narrowed._replace(types=frozenset(MOVE_TYPES)))
    moves = _move_views(overlapping, _Names.of(data), window, summaries=True)
    latest = _latest_done(data, narrowed._replace(since=None, types=frozenset(MOVE_TYPES)), as_of)
    recent = data.select(narrowed)
    deciding = {i for b in bases for i in b.status.status_events}
    disputed = [e for e in recent if e.contested]
    seen = {e.id for e in disputed}
    disputed += [e for e in _select_ids(data, sorted(deciding - seen)) if e.contested]
    newest = data.select(EventFilter(until=day_period(as_of), actors=actors), limit=1)
    report = Brief(
        as_of=as_of.isoformat(),
        since=start.isoformat(),
        days=days,
        bases=tuple(bases),
        moves=moves,
        disputes=_contested(sorted(disputed, key=lambda e: (e.period.end, e.id))),
        event_count=len(recent),
        # When nothing moved in the window, the reader needs to know how old the picture is.
        latest_move=latest.id if latest else None,
        age=_age(newest[-1] if newest else None, as_of),
    )
    cited: dict[str, Event | Move] = {e.id: e for e in (*recent, *([latest] if latest else ()))}
    return _told(report, lambda cite: narrative.brief_narrative(report, cited, data, cite), data)


def _latest_done(data: Dataset, where: EventFilter, as_of: datetime.date) -> Event | None:
    """The latest move of ``where`` known to have happened by ``as_of``: not a plan, and not one dated
    so roughly ("Jun 2025" seen from 1 June) that it may fall after the day."""
    where = where._replace(statuses=frozenset(EVENT_STATUSES) - {"planned"})
    wanted = _LATEST_READ
    while True:
        found = data.select(where, limit=wanted)
        done = [e for e in found if parse_stored(e.date).end <= as_of]
        if done or len(found) < wanted:
            return done[-1] if done else None
        wanted *= _LATEST_READ  # every one of the latest dated only roughly: look further back


# How many of the latest moves ``_latest_done`` reads at a time: a few may be dated only by a month
# that ends after the as-of day, and reading them one by one would cost a query each.
_LATEST_READ = 8


