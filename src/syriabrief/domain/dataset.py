"""A dataset: the actors, sites and events of one or more stores, with name lookup and selection.

Names resolve through ids, names and aliases as people type them (``names.py``):
an unknown name raises NotFoundError carrying the closest known names, a name
of two records AmbiguousNameError naming both. Sites nest (``Site.parent``):
``within`` gives a site and everything inside it. Commands ask
for events only through ``select`` (or its narrow form, ``moves``), so that a
dataset kept in an index (``index.py``) can answer the same questions without
loading every event.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from syriabrief.domain.dates import Period
from syriabrief.domain.filters import EventFilter, select_events
from syriabrief.domain.model import Actor, Event, Move, Site, event_sort_key
from syriabrief.domain.names import NameIndex

if TYPE_CHECKING:
    from syriabrief.domain.positions import ControlPeriod, KeptReplay, SiteStatus

__all__ = ["Catalogue", "Dataset", "EventTexts", "EventsSummary", "OpenPeriods", "Tally", "summarize_events", "tally_events"]


class EventsSummary(NamedTuple):
    """What a paragraph about a set of events says of them (narrative.overview_text): ``summarize``."""

    event_count: int
    first: Event | None  # the first in date order
    last: Event | None  # the one that ends last (the first such in date order)
    # Each actor, place and type the events name, with how many events name it, in the order
    # they first appear (the order a Counter of the events keeps, which ranks ties).
    actors: tuple[tuple[str, int], ...]
    places: tuple[tuple[str, int], ...]
    types: tuple[tuple[str, int], ...]
    disputed: int  # events the sources disagree about (Event.contested)


def summarize_events(events: Sequence[Event]) -> EventsSummary:
    """The summary of events in date order: the reference ``summarize`` answers with."""
    if not events:
        return EventsSummary(0, None, None, (), (), (), 0)
    actors = Counter(a for e in events for a in dict.fromkeys(e.actors))
    places = Counter(p for e in events for p in dict.fromkeys(e.places))
    types = Counter(e.type for e in events)
    return EventsSummary(
        len(events), events[0], max(events, key=lambda e: e.period.end), tuple(actors.items()),
        tuple(places.items()), tuple(types.items()), sum(1 for e in events if e.contested),
    )  # fmt: skip


class OpenPeriods(NamedTuple):
    """What ``settled_open_periods`` answers."""

    open: list[ControlPeriod]  # of the sites settled at the day
    closed: dict[str, tuple[int, str]]  # by actor: how many closed periods, and the latest change among them
    unsettled: frozenset[str]  # the sites whose moves must be replayed


class Catalogue:
    """Actors and sites by id, with name lookup: what every kind of dataset shares.

    Actors and sites are few (hundreds), so every dataset holds them in memory;
    subclasses add events and answer ``select``/``count``.
    """

    def __init__(self, actors: Iterable[Actor], sites: Iterable[Site] | Callable[[], Iterable[Site]]):
        self.actors: dict[str, Actor] = {a.id: a for a in actors}
        # Sites may come as a way to read them: an index decodes its hundreds only when a
        # question needs a site (a timeline of an actor never does). Given as records, they
        # are copied now, as the actors are: the caller may go on to change what it passed.
        if callable(sites):
            self._site_reader = sites
        else:
            copied = list(sites)
            self._site_reader = lambda: copied
        # Name indexes build themselves at the first lookup (names.NameIndex), or take what was kept.
        self.actor_names = NameIndex(self.actors, "actor")
        self.actor_names.restore_from(lambda: self._kept_names("actor"))
        self._children: dict[str, list[str]] | None = None
        self._subordinates: dict[str, list[str]] | None = None

    @functools.cached_property
    def sites(self) -> dict[str, Site]:
        return {s.id: s for s in self._site_reader()}

    @functools.cached_property
    def site_names(self) -> NameIndex:
        names = NameIndex(self.sites, "site", parent_of=self._parent_of, kind_of=self._kind_of)
        names.restore_from(lambda: self._kept_names("site"))
        return names

    def _kept_names(self, kind: str) -> tuple | None:
        """The state of a name index of these very records kept somewhere (``NameIndex.state``),
        for ``kind`` "actor" or "site"; None: it is worked out from the records."""
        return None

    def actor(self, name: str) -> Actor:
        """The actor ``name`` means: any id, name or alias, spelt as people spell it."""
        return self.actors[self.actor_names.resolve(name)]

    def site(self, name: str) -> Site:
        """The site ``name`` means; a name shared by a place and what it contains means the place."""
        return self.sites[self.site_names.resolve(name)]

    def within(self, site_id: str) -> frozenset[str]:
        """The site and every site nested under it, at any depth."""
        if self._children is None:
            self._children = _by_parent(self.sites.values())
        return frozenset(_closure(site_id, self._children))

    def under(self, actor_id: str) -> tuple[str, ...]:
        """The actor and every actor under it, at any depth (the actor first): Israel, the IDF and
        its units, its ministers. An actor stands for all of them in a filter, a profile and a comparison."""
        if self._subordinates is None:
            self._subordinates = _by_parent(self.actors.values())
        return _closure(actor_id, self._subordinates)

    def force_of(self, actor_id: str, as_of: datetime.date | None = None) -> str:
        """The force an actor belongs to: the top of its chain of parents (the United States for
        CENTCOM). Bases are grouped, maps coloured and a brief's moves counted by it.

        With ``as_of``, an actor that had joined another by that day (``Actor.joined``: the HTS-led
        factions, the defence ministry's since 29 Jan 2025) goes on up the chain of the one it joined.
        """
        chain = list(self._chain(actor_id, as_of))
        return chain[-1].id if chain else actor_id

    def joining(self, actor_id: str, as_of: datetime.date) -> Actor | None:
        """The actor in ``actor_id``'s chain of parents that had joined another by ``as_of`` (the
        Syrian National Army for one of its divisions), or None: why ``force_of`` differs with a day."""
        return next((a for a in self._chain(actor_id) if a.joined and a.joined.by(as_of)), None)

    def _chain(self, actor_id: str, as_of: datetime.date | None = None) -> Iterator[Actor]:
        """The actor and those above it, nearest first: its parents, or with ``as_of`` the actor it had
        joined by then where it had (a loop, or an id of no record, ends the chain)."""
        seen = {actor_id}
        actor = self.actors.get(actor_id)
        while actor is not None:
            yield actor
            joined = actor.joined.actor if as_of and actor.joined and actor.joined.by(as_of) else None
            above = joined or actor.parent
            if not above or above in seen:
                return
            seen.add(above)
            actor = self.actors.get(above)

    def joined_into(self, through: Sequence[str], as_of: datetime.date) -> dict[str, tuple[str, ...]]:
        """The actors that had joined one of ``through`` (an actor with those under it) by ``as_of``,
        or joined one that had, each with the actors under it: what ``force_of`` counts as the same force
        seen from the other end. The HTS-led opposition forces for the Syrian government in 2026."""
        inside = set(through)
        found: dict[str, tuple[str, ...]] = {}
        while True:
            new = [a.id for a in self.actors.values()
                   if a.id not in inside and a.joined and a.joined.actor in inside and a.joined.by(as_of)]  # fmt: skip
            if not new:
                return found
            for actor_id in new:
                found[actor_id] = tuple(i for i in self.under(actor_id) if i not in inside)
                inside.update(found[actor_id])

    def _parent_of(self, site_id: str) -> str | None:
        site = self.sites.get(site_id)
        return site.parent if site else None

    def _kind_of(self, site_id: str) -> str | None:
        site = self.sites.get(site_id)
        return site.kind if site else None

    def find_actor(self, name: str) -> Actor | None:
        """The actor ``name`` spells, or None: ``actor`` without the error and its suggestions.

        For callers that try many spellings (reading an article): only names as
        listed match (any case, punctuation or article; not the loose
        transliteration key), a name of two records is None, and no close-match
        search is made for a name that is not known.
        """
        found = self.actor_names.lookup(name)
        return self.actors[found] if found is not None else None

    def find_site(self, name: str) -> Site | None:
        """The site ``name`` spells, or None (see ``find_actor``)."""
        found = self.site_names.lookup(name)
        return self.sites[found] if found is not None else None

    def actor_name(self, actor_id: str) -> str:
        actor = self.actors.get(actor_id)
        return actor.name if actor else actor_id

    def site_name(self, site_id: str) -> str:
        site = self.sites.get(site_id)
        return site.name if site else site_id

    def select(self, where: EventFilter | None = None, limit: int | None = None) -> list[Event]:
        """The events that match, in date order; with a limit, the most recent ``limit``."""
        raise NotImplementedError

    def count(self, where: EventFilter | None = None) -> int:
        raise NotImplementedError

    def summarize(self, where: EventFilter | None = None) -> EventsSummary:
        """What the matching events come to (count, first and last, who, where, what): without holding
        them, from the engine, so that a briefing's overview can come before its events are streamed."""
        return summarize_events(self.select(where))

    def stream(self, where: EventFilter | None = None) -> Iterator[Event]:
        """The events ``select`` gives (no limit), one at a time: the engine reads them a page at a time."""
        return iter(self.select(where))

    def actor_counts(self, where: EventFilter | None = None) -> dict[str, int]:
        """How many of the matching events name each actor (actors named by none are left out)."""
        counts: dict[str, int] = {}
        for event in self.select(where):
            for actor in dict.fromkeys(event.actors):
                counts[actor] = counts.get(actor, 0) + 1
        return counts

    def settled_periods(
        self, as_of: datetime.date, actors: frozenset[str] | None = None
    ) -> tuple[list[ControlPeriod], frozenset[str]] | None:
        """The control periods (every actor's, or those of ``actors``) kept ready for ``as_of``; None: replay all.

        An indexed dataset keeps each site's settled history (positions.settled_history),
        the answer for any as-of day on or after the last day the site's moves may
        cover. It returns those periods from the sites settled at ``as_of``, and
        the other sites (where the actors are named), whose moves must be replayed.
        """
        return None

    def settled_open_periods(self, as_of: datetime.date) -> OpenPeriods | None:
        """``settled_periods`` of every actor with only the open periods read: the closed ones counted,
        with the latest change among them (ControlPeriod.last_change), by actor; None: replay all."""
        return None

    def settled_statuses(self, as_of: datetime.date) -> tuple[dict[str, SiteStatus], frozenset[str]] | None:
        """The state of every site settled at ``as_of`` (positions.settled_status), and the sites not settled; None: replay all."""
        return None

    def replay_at(
        self, sites: Iterable[str], as_of: datetime.date, actors: frozenset[str] | None = None, for_status: bool = False,
        kept_by: datetime.date | None = None,
    ) -> tuple[dict[str, KeptReplay], list[Move]]:  # fmt: skip
        """What replaying these sites to ``as_of`` starts from: kept replays (positions.replay_prefix) by site, with
        the closed periods of ``actors`` (all: None; ``for_status``: only the one a status tells), and the moves
        to replay after them (driving types, ``site`` one of them, up to the end of ``as_of``). ``kept_by``: the
        latest day a kept replay may reach (``as_of`` unless given), for a replay to two days from one start.

        Nothing is kept here: every move is replayed. The engine keeps replays in its index.
        """
        from syriabrief.domain.model import DRIVING_TYPES

        wanted = frozenset(sites)
        where = EventFilter(sites=wanted, types=DRIVING_TYPES, until=Period(as_of, as_of, "day"))
        return {}, ([m for m in self.moves(where) if m.site in wanted] if wanted else [])

    def span(self, where: EventFilter | None = None) -> tuple[int, Event | Move | None, Event | Move | None]:
        """How many events match, and the first and the last of them."""
        moves = self.moves(where)
        return len(moves), moves[0] if moves else None, moves[-1] if moves else None

    def last_ended(self, where: EventFilter | None, day: datetime.date) -> Move | None:
        """Of the events that match and are over by the end of ``day``, the one whose last day is the
        latest (then the greatest id): the newest report behind an answer."""
        over = [m for m in self.moves(where) if m.period.end <= day]
        return max(over, key=lambda m: (m.period.end, m.id)) if over else None

    def moves(self, where: EventFilter | None = None) -> list[Move]:
        """Like ``select`` (no limit), but each event only as the fields positions replay."""
        return [e.move() for e in self.select(where)]

    def tally(self, where: EventFilter | None = None, by: str = "type") -> Tally:
        """How many events match, by (first day, date precision, type or acting party): what a chart counts.
        The engine counts in SQL, never making the events (a chart at 1M held 1 GB of them)."""
        return tally_events(self.select(where), by)

    def select_json(self, where: EventFilter | None = None, limit: int | None = None) -> list[bytes]:
        """Like ``select``, but each event as its --json text (``safetext.json_text`` of ``to_json()``),
        in UTF-8: what ``--json`` writes. An indexed dataset hands out the stored bytes as they are."""
        from syriabrief.domain.safetext import json_utf8

        return [json_utf8(e.to_json()) for e in self.select(where, limit)]

    def stream_json(self, where: EventFilter | None = None) -> Iterator[bytes]:
        """The texts ``select_json`` gives (no limit), one at a time (the engine reads them as they are asked for)."""
        from syriabrief.domain.safetext import json_utf8

        return (json_utf8(e.to_json()) for e in self.stream(where))


# How many events there are by (first day, date precision, series key): Catalogue.tally.
Tally = Counter[tuple[datetime.date, str, str]]


def tally_events(events: Iterable[Event | Move], by: str = "type") -> Tally:
    """``Catalogue.tally`` of the events given: keyed by type, or (``by`` "actor") by the acting
    party, the first actor named ("" when none is)."""
    return Counter(
        (e.period.start, e.date_precision, e.type if by == "type" else (e.actors[0] if e.actors else "")) for e in events
    )


class EventTexts:
    """The --json texts of the events ``where`` matches, read from ``data`` each time they are
    iterated (``stream_json``): what a profile's --json lists, so that an actor's 180,000 events
    are written one after the other, never held together."""

    __slots__ = ("_data", "_where")

    def __init__(self, data: Catalogue, where: EventFilter):
        self._data = data
        self._where = where

    def __iter__(self) -> Iterator[bytes]:
        return self._data.stream_json(self._where)


class Dataset(Catalogue):
    """Actors, sites and events read from one or more stores, held in memory."""

    def __init__(self, actors: Iterable[Actor], sites: Iterable[Site], events: Iterable[Event]):
        super().__init__(actors, sites)
        self.events: list[Event] = sorted(events, key=event_sort_key)

    def select(self, where: EventFilter | None = None, limit: int | None = None) -> list[Event]:
        """The events that match, in date order; with a limit, the most recent ``limit``."""
        return select_events(self.events, where or EventFilter(), limit)

    def count(self, where: EventFilter | None = None) -> int:
        where = where or EventFilter()
        return sum(1 for e in self.events if where.matches(e))


def _by_parent(records: Iterable[Actor | Site]) -> dict[str, list[str]]:
    """The ids of the records under each parent id."""
    children: dict[str, list[str]] = {}
    for record in records:
        if record.parent:
            children.setdefault(record.parent, []).append(record.id)
    return children


def _closure(start: str, children: dict[str, list[str]]) -> tuple[str, ...]:
    """``start`` and everything below it in ``children``, at any depth: level by level, each
    level's ids in order (a report lists them so)."""
    found = {start: None}
    level = [start]
    while level:
        below = sorted({child for parent in level for child in children.get(parent, ()) if child not in found})
        found.update(dict.fromkeys(below))  # a cycle (refused by validation) cannot loop here
        level = below
    return tuple(found)
