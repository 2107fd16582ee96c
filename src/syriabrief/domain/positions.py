"""Derived state: who held which site when, computed from the events alone.

Nobody types "Al-Tanf: held by the Syrian army" into the data; it follows from
the withdrawal, deployment, presence, handover and control-change events at the site
(docs/data-model.md gives their meaning). Every answer is "as of" a day and uses
only the events dated on or before it.

Partial dates are taken seriously. An event whose date may fall on either side
of the as-of day (a ``2026-02`` event seen from 10 February) is not applied;
the state is marked uncertain and the event is listed as pending. A history
that rests on an event the sources disagree about is marked disputed.

Pure functions over model objects (whole Events or their narrow Moves): no
I/O, standard library only. The index keeps settled histories, statuses and
replay states (``replay_prefix``: a _Stay's fields in their order) computed
here: a change to what they derive or to _Stay's fields must bump
``index.INDEX_FORMAT``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any, NamedTuple

from syriabrief.domain.dates import parse_stored
from syriabrief.domain.model import DRIVING_TYPES, Event, Move, event_sort_key

Replayable = Event | Move  # a Move carries every field the replay reads

__all__ = [
    "CLOSED_STATUSES",
    "DRIVING_TYPES",
    "OPEN_STATUSES",
    "ActorPositions",
    "ControlPeriod",
    "KeptReplay",
    "SiteStatus",
    "actor_positions",
    "closed_positions",
    "control_history",
    "history_and_status",
    "last_to_leave",
    "positions_by_actor",
    "replay_prefix",
    "replay_prefixes",
    "settled_history",
    "settled_status",
    "site_status",
    "statuses_then_and_now",
]

# A period in one of these is still running at the as-of day.
OPEN_STATUSES = ("active", "withdrawing")
# How a period can end: the actor left, gave the site to someone, or had it taken.
CLOSED_STATUSES = ("vacated", "handed_over", "lost")
# An as-of day after every event: the settled state (settled_history).
SETTLED = datetime.date.max
# Stages of a withdrawal that say the force is still leaving.
_LEAVING_STAGES = ("began", "ongoing")


class ControlPeriod(NamedTuple):
    """One actor's stay at one site, and how it stands at the as-of day.

    ``role`` is ``holder`` (controls the site), ``partner`` (named alongside the
    acting party, e.g. a coalition with its lead state) or ``guest`` (arrived
    while another actor held it). ``start`` is None when the events show the
    actor leaving or losing a site without saying when it arrived. ``end`` is
    set once the period is closed (``vacated``, ``handed_over``, ``lost``).
    ``status_since`` is when the current status began (the start of a
    withdrawal, for ``withdrawing``); ``destination`` is where the actor went.

    A NamedTuple, made in one call: a profile at 1M reads back twenty thousand (storage/settled.py).
    """

    site: str
    actor: str
    role: str
    start: str | None
    end: str | None
    status: str
    events: tuple[str, ...]
    disputed: bool = False
    uncertain: bool = False
    status_since: str | None = None
    destination: str | None = None
    # The last day of the newest event behind this period: how fresh the evidence is.
    last_reported: str | None = None
    # Who took the site over when this period closed (the taker or the recipient), if an event says.
    successor: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def last_change(self) -> str | None:
        """When it last changed: its end, else when its status began, else its start (a stored date)."""
        return self.end or self.status_since or self.start

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "actor": self.actor,
            "role": self.role,
            "start": self.start,
            "end": self.end,
            "status": self.status,
            "status_since": self.status_since,
            "destination": self.destination,
            "events": list(self.events),
            "disputed": self.disputed,
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True)
class SiteStatus:
    """Who is at a site on the as-of day, and since when.

    ``status`` is the status of the period that decides it: ``active`` or
    ``withdrawing`` (``holder`` is there), ``vacated``/``handed_over``/``lost``
    (nobody is known to be there; ``previous`` is who left) or ``unknown`` (no
    events place anyone there). ``pending`` lists events whose date may fall on
    either side of the as-of day; when there are any, ``uncertain`` is true.
    """

    site: str
    holder: str | None
    status: str
    since: str | None
    uncertain: bool
    disputed: bool
    events: tuple[str, ...]
    previous: str | None = None
    pending: tuple[str, ...] = ()
    last_reported: str | None = None
    successor: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "holder": self.holder,
            "status": self.status,
            "since": self.since,
            "previous": self.previous,
            "uncertain": self.uncertain,
            "disputed": self.disputed,
            "events": list(self.events),
            "pending": list(self.pending),
        }


@dataclass(frozen=True)
class ActorPositions:
    """The sites an actor is at on the as-of day (``holds``) and those it has left (``left``)."""

    actor: str
    holds: tuple[ControlPeriod, ...]
    left: tuple[ControlPeriod, ...]
    pending: tuple[str, ...] = ()

    @classmethod
    def of(cls, actor: str, periods: Iterable[ControlPeriod], pending: Iterable[str] = ()) -> ActorPositions:
        """The actor's periods sorted into holds (by start) and left (by end)."""
        holds: list[ControlPeriod] = []
        left: list[ControlPeriod] = []
        for period in periods:
            (holds if period.is_open else left).append(period)
        # Each date text read once, not once per period: a big actor at 1M has twenty thousand.
        starts = {text: _day(text, first=True) or datetime.date.min for text in {p.start for p in holds}}
        ends = {text: _day(text) or datetime.date.min for text in {p.end for p in left}}
        holds.sort(key=lambda p: (starts[p.start], p.site))
        left.sort(key=lambda p: (ends[p.end], p.site))
        return cls(actor, tuple(holds), tuple(left), tuple(dict.fromkeys(pending)))

    def to_json(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "holds": [p.to_json() for p in self.holds],
            "left": [p.to_json() for p in self.left],
            "pending": list(self.pending),
        }


def control_history(site_id: str, events: Iterable[Replayable], as_of: datetime.date) -> list[ControlPeriod]:
    """Every actor's periods at ``site_id`` as of the end of ``as_of``, in the order they began.

    Only events whose ``site`` is ``site_id`` and whose type is in DRIVING_TYPES
    count; the others are ignored, so callers may pass a wider selection.
    """
    return list(_History.build(site_id, events, as_of).periods())


class KeptReplay(NamedTuple):
    """A site's replay as an index keeps it (replay_prefix), to go on from with the events after it."""

    state: tuple
    # The periods of the stays it had closed, by their position in the site's history. They
    # never change again, so they are the settled history's periods at those positions: an
    # index reads them from there, and only those asked about — an actor's, or for a site's
    # status only the one last_to_leave picks among them (the status tells no other).
    closed: Mapping[int, ControlPeriod]


def history_and_status(site_id: str, events: Iterable[Replayable], as_of: datetime.date) -> tuple[list[ControlPeriod], SiteStatus]:
    """control_history and site_status from one replay (a site's profile shows both)."""
    history = _History.build(site_id, events, as_of)
    periods = list(history.periods())
    return periods, _status_from(site_id, periods, tuple(e.id for e in history.pending))


def statuses_then_and_now(
    site_id: str, events: Iterable[Replayable], before: datetime.date, after: datetime.date, resume: KeptReplay | None = None
) -> tuple[SiteStatus, SiteStatus, Callable[[str], list[ControlPeriod]]]:
    """site_status at ``before`` and at ``after`` (not earlier), from one replay of what they share,
    and what gives an actor's periods there at ``after`` (only a changed site's loser is asked about).

    The events wholly over by ``before`` that lead the replay order are applied
    alike seen from either day (none is pending, spans the day, or leaves a
    withdrawal unfinished), so they are replayed once; the replay then forks,
    and each copy goes on with the rest as seen from its own day. ``resume``: a
    replay an index kept through a day no later than ``before``, with ``events``
    only those after it.
    """
    assert before <= after, (before, after)  # the fork goes on from the earlier day's replay
    relevant = sorted(_replayed(site_id, events), key=event_sort_key)
    now = _History(site_id, after)
    if resume is not None:
        now._restore(resume)
    shared = 0
    for event in relevant:
        if event.period.end > before:
            break
        now.apply(event)
        shared += 1
    then = now.fork(before)
    for event in relevant[shared:]:
        if event.period.start > before:  # in date order: so are all after it, and then skips them
            break
        then.apply(event)
    for event in relevant[shared:]:
        now.apply(event)
    return then.status(), now.status(), lambda actor: list(now.periods({actor}))


def site_status(site_id: str, events: Iterable[Replayable], as_of: datetime.date, resume: KeptReplay | None = None) -> SiteStatus:
    """The state of ``site_id`` at the end of ``as_of`` (``unknown`` when no event places anyone there).

    ``resume``: a replay an index kept, with ``events`` only those after it.
    """
    return _History.build(site_id, events, as_of, resume).status()


def settled_status(site_id: str, history: list[ControlPeriod]) -> SiteStatus:
    """The state of a site from its settled history (settled_history): the same as site_status on any day from then on."""
    return _status_from(site_id, history, ())


def actor_positions(actor_id: str, events: Iterable[Replayable], as_of: datetime.date) -> ActorPositions:
    """Where ``actor_id`` is and what it has left, at the end of ``as_of``.

    A site's history depends on every actor's events there (another party may
    take it), so ``events`` must hold all driving events at each site the actor
    appears at, not only the actor's own.
    """
    return positions_by_actor(events, as_of, only={actor_id}).get(actor_id, ActorPositions(actor_id, (), ()))


def positions_by_actor(
    events: Iterable[Replayable],
    as_of: datetime.date,
    only: Set[str] | None = None,
    resume: Mapping[str, KeptReplay] | None = None,
) -> dict[str, ActorPositions]:
    """Every actor's positions at the end of ``as_of`` (or only those of the actors in ``only``), one replay per site.

    Each site is replayed once for all the actors seen there, so listing every
    actor costs what profiling the busiest one does, and a profile of an actor
    with its units what profiling the actor alone does. ``resume`` holds the kept
    replays (replay_prefix) of sites whose ``events`` are only those after them.
    """
    resume = resume or {}
    by_site: dict[str, list[Replayable]] = {site: [] for site in resume}
    for event in events:
        if event.site and event.type in DRIVING_TYPES and event.status != "planned":
            by_site.setdefault(event.site, []).append(event)
    periods: dict[str, list[ControlPeriod]] = {}
    pending: dict[str, list[Replayable]] = {}
    for site_id, site_events in by_site.items():
        # A resumed site is replayed even if no later move names one of ``only``: its kept state may hold their stays.
        if only is not None and site_id not in resume and not any(not only.isdisjoint(e.actors) for e in site_events):
            continue
        history = _History.build(site_id, site_events, as_of, resume.get(site_id))
        for event in history.pending:
            for actor in event.actors:
                pending.setdefault(actor, []).append(event)
        for period in history.periods(only):
            periods.setdefault(period.actor, []).append(period)
    actors = sorted(periods.keys() | pending.keys())
    # Pending events in date order, not in the order their sites happened to be replayed.
    return {
        a: ActorPositions.of(a, periods.get(a, ()), [e.id for e in sorted(pending.get(a, ()), key=event_sort_key)])
        for a in actors
        if only is None or a in only
    }


def settled_history(site_id: str, events: Iterable[Replayable]) -> list[ControlPeriod]:
    """``site_id``'s history once every one of ``events`` has happened.

    Seen from any day on or after the last day every event may cover, nothing
    is pending or uncertain any more and control_history gives this answer,
    so an index can keep it.
    """
    return control_history(site_id, events, SETTLED)


def replay_prefix(site_id: str, events: Sequence[Replayable], through: datetime.date) -> tuple[int, tuple | None]:
    """How many of ``events`` (in replay order, event_sort_key) come before the first that may end after ``through``
    (planned ones aside), and the state of ``site_id``'s replay after them (None: there are none).

    Seen from any as-of day from ``through`` on, those first events have all
    happened, none is pending and none spans the day, so replaying them gives
    the same state: an index keeps it, and a question about such a day replays
    only the events after them (``positions_by_actor`` and ``site_status`` take
    it as ``resume``). ``through`` is the day the index is built; a site whose
    vague "2026" report keeps it unsettled all year then replays that year only.
    The state holds how many stays there are and the open ones, whole; a closed
    stay never changes again, so it is the settled history's period at the same
    position (KeptReplay.closed). ``events`` must be in event_sort_key order.
    """
    return replay_prefixes(site_id, events, [through])[0]


def replay_prefixes(site_id: str, events: Sequence[Replayable], days: Sequence[datetime.date]) -> list[tuple[int, tuple | None]]:
    """``replay_prefix`` through each of ``days`` (in ascending order), from one replay.

    Each prefix holds only events over by its day, which any later day sees alike,
    so one replay seen from the last day gives every state on the way.
    """
    history = _History(site_id, days[-1]) if days else None
    kept: list[tuple[int, tuple | None]] = []
    count = 0
    for day in days:
        assert history is not None
        while count < len(events):
            event = events[count]
            # A planned move moves nobody (build skips it), so it does not end the part kept.
            if event.period.end > day and event.status != "planned":
                break
            if _applies(site_id, event):
                history.apply(event)
            count += 1
        kept.append((count, history.state() if count else None))
    return kept


def closed_positions(state: tuple) -> list[int]:
    """Where in the site's history the stays a kept ``state`` (replay_prefix) had closed are."""
    stays, opened, _ = state
    still_open = {n for n, _ in opened}
    return [n for n in range(stays) if n not in still_open]


# --- the history builder -------------------------------------------------------------


@dataclass(slots=True)
class _Stay:
    """A ControlPeriod while it is being built."""

    actor: str
    role: str
    start: str | None
    status: str = "active"
    end: str | None = None
    status_since: str | None = None
    destination: str | None = None
    events: dict[str, None] = field(default_factory=dict)  # ids in order, without repeats
    disputed: bool = False
    uncertain: bool = False
    last_reported: str | None = None
    last_day: datetime.date = datetime.date.min
    successor: str | None = None
    leaving_with: frozenset[str] = frozenset()  # who the withdrawal that set "withdrawing" named

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def copied(self) -> _Stay:
        """A copy that changes apart from this one (its ids too); every other field is immutable."""
        twin = _Stay(*[getattr(self, name) for name in _STAY_FIELDS])
        twin.events = dict(self.events)
        return twin

    def note(self, event: Replayable) -> None:
        self.events[event.id] = None
        self.disputed = self.disputed or event.state_disputed
        last = event.end_date or event.date
        day = parse_stored(last).end
        if day >= self.last_day:
            self.last_day, self.last_reported = day, last



_STAY_FIELDS = tuple(f.name for f in dataclass_fields(_Stay))


def _stay_from(values: tuple) -> _Stay:
    fields = dict(zip(_STAY_FIELDS, values, strict=True))
    fields["events"] = dict.fromkeys(fields["events"])
    fields["last_day"] = datetime.date.fromordinal(fields["last_day"])
    fields["leaving_with"] = frozenset(fields["leaving_with"])
    return _Stay(**fields)


def _stay_value(value: Any) -> Any:
    """A _Stay field as a plain value: ids in order, a day as its ordinal, a set sorted."""
    if isinstance(value, dict):
        return tuple(value)
    if isinstance(value, datetime.date):
        return value.toordinal()
    if isinstance(value, frozenset):
        return tuple(sorted(value))
    return value


def _applies(site_id: str, event: Replayable) -> bool:
    """Whether a replay of ``site_id`` applies ``event``. A planned move is only an intention: it moves
    nobody (the brief still lists it)."""
    return event.site == site_id and event.type in DRIVING_TYPES and event.status != "planned"


def _replayed(site_id: str, events: Iterable[Replayable]) -> list[Replayable]:
    return [e for e in events if _applies(site_id, e)]


class _History:
    """Replays a site's driving events in date order, up to the as-of day."""

    def __init__(self, site_id: str, as_of: datetime.date):
        self.site_id = site_id
        self.as_of = as_of
        # None for a stay closed before a kept state (its period is in ``closed``).
        self.stays: list[_Stay | None] = []
        self.closed: Mapping[int, ControlPeriod] = {}
        # The open stays by actor (an actor has at most one) and every actor seen:
        # kept apart so that long histories replay in linear time.
        self.open: dict[str, _Stay] = {}
        self.seen: set[str] = set()
        self.pending: list[Replayable] = []

    @classmethod
    def build(cls, site_id: str, events: Iterable[Replayable], as_of: datetime.date, kept: KeptReplay | None = None) -> _History:
        """The replay of ``events`` up to ``as_of``, from the start or from a ``kept`` one (replay_prefix)."""
        history = cls(site_id, as_of)
        if kept is not None:
            history._restore(kept)
        for event in sorted(_replayed(site_id, events), key=event_sort_key):
            history.apply(event)
        return history

    def fork(self, as_of: datetime.date) -> _History:
        """A copy that goes on as seen from ``as_of``. A closed stay never changes again, so the
        copy shares those and copies only the open ones."""
        copy = _History(self.site_id, as_of)
        copy.closed, copy.seen, copy.pending = self.closed, set(self.seen), list(self.pending)
        for stay in self.stays:
            if stay is not None and self.open.get(stay.actor) is stay:  # in the order they opened, as ``open`` is
                stay = copy.open[stay.actor] = stay.copied()
            copy.stays.append(stay)
        return copy

    def status(self) -> SiteStatus:
        # While anyone is there, the status tells only the open stays: the others need not be made periods.
        periods = [self._period(stay) for stay in self.open.values()] if self.open else list(self.periods())
        return _status_from(self.site_id, periods, tuple(e.id for e in self.pending))

    def state(self) -> tuple:
        """What the replay holds, as plain values (marshal can keep them): how many stays it has, the open
        ones whole (with their positions, in the order they opened) and every actor seen. Nothing is pending."""
        where = {id(stay): n for n, stay in enumerate(self.stays)}
        opened = tuple(
            (where[id(stay)], tuple(_stay_value(getattr(stay, name)) for name in _STAY_FIELDS)) for stay in self.open.values()
        )
        return len(self.stays), opened, tuple(sorted(self.seen))

    def _restore(self, kept: KeptReplay) -> None:
        count, opened, seen = kept.state
        self.stays = [None] * count
        for n, values in opened:
            stay = self.stays[n] = _stay_from(values)
            self.open[stay.actor] = stay
        self.seen = set(seen)
        self.closed = kept.closed

    def periods(self, actors: Set[str] | None = None) -> Iterable[ControlPeriod]:
        """The stays as periods (only those of ``actors``, when given), in the order they began."""
        for n, stay in enumerate(self.stays):
            if stay is None:  # closed before the kept state: its period, if it was read
                period = self.closed.get(n)
                if period is not None and (actors is None or period.actor in actors):
                    yield period
            elif actors is None or stay.actor in actors:
                yield self._period(stay)

    def _period(self, stay: _Stay) -> ControlPeriod:
        return ControlPeriod(
            site=self.site_id,
            actor=stay.actor,
            role=stay.role,
            start=stay.start,
            end=stay.end,
            status=stay.status,
            events=tuple(stay.events),
            disputed=stay.disputed,
            uncertain=stay.uncertain,
            status_since=stay.status_since,
            destination=stay.destination,
            last_reported=stay.last_reported,
            successor=stay.successor,
        )

    # Each event is applied, skipped (it comes after the as-of day) or held as
    # pending (its date may fall on either side of it).
    def apply(self, event: Replayable) -> None:
        begins = parse_stored(event.date)
        if begins.start > self.as_of:
            return
        if begins.end > self.as_of:
            # A "2026-02" event seen from 10 February may not have happened yet:
            # do not guess, but say that whoever is there may have changed.
            self.pending.append(event)
            for stay in self.open.values():
                stay.uncertain = True
            return
        handler = getattr(self, "_" + event.type)
        touched = handler(event)
        if event.approximate and event.period.start <= self.as_of < event.period.end:
            # An approximate span around the as-of day: the order of things is not known.
            for stay in touched:
                stay.uncertain = True

    def _open_stay(self, actor: str) -> _Stay | None:
        return self.open.get(actor)

    def _holder(self, other_than: str | None = None) -> _Stay | None:
        for stay in reversed(list(self.open.values())):
            if stay.role == "holder" and stay.actor != other_than:
                return stay
        return None

    def _new_stay(self, actor: str, role: str, start: str | None) -> _Stay:
        stay = _Stay(actor=actor, role=role, start=start, status_since=start)
        self.stays.append(stay)
        self.open[actor] = stay
        self.seen.add(actor)
        return stay

    def _close(self, stay: _Stay, status: str, when: str, event: Replayable | None, successor: str | None = None) -> None:
        stay.status, stay.end, stay.status_since = status, when, when
        stay.successor = successor
        if event is not None:
            stay.note(event)
        if self.open.get(stay.actor) is stay:
            del self.open[stay.actor]

    def _role_for(self, actor: str, position: int) -> str:
        if position > 0:
            return "partner"
        return "guest" if self._holder(other_than=actor) else "holder"

    def _deployment(self, event: Replayable) -> list[_Stay]:
        touched = []
        for position, actor in enumerate(event.actors):
            stay = self._open_stay(actor)
            if stay is not None and stay.status == "withdrawing":
                # Forces arriving while a withdrawal is under way halt it: no report has the
                # site left, so the stay goes on, held again from this day (the US at Qasrak,
                # Feb–Mar 2026). The events tell the withdrawal, whose destination is dropped; its
                # doubts stay with the stay, as every event's do (a disputed stay lists them all).
                # Those who began leaving with this actor stop too: the one process is halted,
                # as it is over for all of them when it ends (``_withdrawal``).
                for other in self.open.values():
                    if other.status == "withdrawing" and actor in other.leaving_with:
                        other.status, other.status_since = "active", event.date
                        other.destination, other.leaving_with = None, frozenset()
                        if other is not stay:
                            touched.append(other)
            if stay is None:
                stay = self._new_stay(actor, self._role_for(actor, position), event.date)
            stay.note(event)
            touched.append(stay)
        return touched

    def _presence(self, event: Replayable) -> list[_Stay]:
        touched = []
        for position, actor in enumerate(event.actors):
            # Reported there: present since a day no event gives, unless one already did.
            stay = self._open_stay(actor) or self._new_stay(actor, self._role_for(actor, position), None)
            stay.note(event)
            touched.append(stay)
        return touched

    def _withdrawal(self, event: Replayable) -> list[_Stay]:
        touched = []
        for position, actor in enumerate(event.actors):
            stay = self._open_stay(actor)
            if stay is None:
                # Leaving a site no event brought the actor to: it was there, since when is unknown.
                stay = self._new_stay(actor, self._role_for(actor, position), None)
            if event.destination and event.destination != self.site_id:
                stay.destination = event.destination
            last_day = event.end_date or event.date
            finished = event.stage not in _LEAVING_STAGES and parse_stored(last_day).end <= self.as_of
            if finished:
                self._close(stay, "vacated", last_day, event)
                # Those who began leaving together with this actor have left with it: the one
                # process is over, even when its end is reported of one of them only.
                for other in list(self.open.values()):
                    if other.status == "withdrawing" and actor in other.leaving_with and other.actor not in event.actors:
                        self._close(other, "vacated", last_day, event)
                        touched.append(other)
            else:
                if stay.status != "withdrawing":
                    stay.status, stay.status_since = "withdrawing", event.date
                    stay.leaving_with = frozenset(event.actors)
                stay.note(event)
                if event.stage not in _LEAVING_STAGES and parse_stored(last_day).start <= self.as_of:
                    # The last day is a month or year that contains the as-of day.
                    stay.uncertain = True
            touched.append(stay)
        return touched

    def _handover(self, event: Replayable) -> list[_Stay]:
        giver = event.actors[0] if event.actors else None
        recipient = event.actors[1] if len(event.actors) > 1 else None
        touched = []
        if giver:
            stay = self._open_stay(giver) or self._new_stay(giver, "holder", None)
            if event.destination and event.destination != self.site_id:
                stay.destination = event.destination
            self._close(stay, "handed_over", event.date, event, recipient)
            touched.append(stay)
        # The giver's partners go with it; guests of the site stay.
        for stay in list(self.open.values()):
            if stay.role == "partner" and stay.actor != recipient:
                self._close(stay, "handed_over", event.date, event, recipient)
                touched.append(stay)
        if recipient:
            touched.append(self._take(recipient, event))
        return touched

    def _control_change(self, event: Replayable) -> list[_Stay]:
        taker = event.actors[0] if event.actors else None
        loser = event.actors[1] if len(event.actors) > 1 else None
        touched = []
        if loser and loser != taker:
            stay = self._open_stay(loser)
            if stay is None and loser not in self.seen:
                # Lost a site no event brought it to.
                stay = self._new_stay(loser, "holder", None)
            if stay is not None:
                self._close(stay, "lost", event.date, event, taker)
                touched.append(stay)
        # Whoever else held the site no longer does: lost if they were there,
        # vacated if they were already leaving.
        for stay in list(self.open.values()):
            if stay.role != "guest" and stay.actor != taker:
                self._close(stay, "vacated" if stay.status == "withdrawing" else "lost", event.date, event, taker)
                touched.append(stay)
        if taker:
            touched.append(self._take(taker, event))
        return touched

    def _take(self, actor: str, event: Replayable) -> _Stay:
        stay = self._open_stay(actor)
        if stay is None:
            stay = self._new_stay(actor, "holder", event.date)
        elif (stay.role, stay.status) != ("holder", "active"):
            stay.role, stay.status, stay.status_since = "holder", "active", event.date
        stay.note(event)
        return stay


def last_to_leave(periods: Sequence[ControlPeriod]) -> int:
    """Where in ``periods`` (not empty) is the one a site's status tells when nobody holds it:
    the last to leave; on one day, the holder rather than those who left with it; the first of equals."""
    return max(range(len(periods)), key=lambda n: (_day(periods[n].end) or datetime.date.min, periods[n].role == "holder"))


def _status_from(site_id: str, periods: list[ControlPeriod], pending: tuple[str, ...]) -> SiteStatus:
    open_periods = [p for p in periods if p.is_open]
    if open_periods:
        holders = [p for p in open_periods if p.role == "holder"]
        current = (holders or open_periods)[-1]
        since = current.status_since if current.status == "withdrawing" else current.start
        # A holder is as recently reported as anyone reported there with it (in one event, or
        # through others who were): Russia's Jan 2026 report at Hmeimim, not only its army's of 2025.
        group, events = [current], set(current.events)
        for _ in open_periods:
            joined = [p for p in open_periods if p not in group and events.intersection(p.events)]
            if not joined:
                break
            group += joined
            events.update(*(p.events for p in joined))
        last_reported = max((p.last_reported for p in group if p.last_reported), key=lambda d: _day(d) or datetime.date.min, default=None)
        return SiteStatus(
            site=site_id,
            holder=current.actor,
            status=current.status,
            since=since,
            uncertain=current.uncertain or bool(pending),
            disputed=current.disputed,
            events=current.events,
            pending=pending,
            last_reported=last_reported,
        )
    if periods:
        last = periods[last_to_leave(periods)]
        return SiteStatus(
            site=site_id,
            holder=None,
            status=last.status,
            since=last.end,
            uncertain=last.uncertain or bool(pending),
            disputed=last.disputed,
            events=last.events,
            previous=last.actor,
            pending=pending,
            last_reported=last.last_reported,
            successor=last.successor,
        )
    return SiteStatus(site_id, None, "unknown", None, bool(pending), False, (), None, pending)


def _day(text: str | None, first: bool = False) -> datetime.date | None:
    if not text:
        return None
    period = parse_stored(text)
    return period.start if first else period.end

