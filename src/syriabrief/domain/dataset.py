"""A dataset: the actors, sites and events of one or more stores, with name lookup and selection.

Names resolve through ids, names and aliases, compared case-insensitively; an
unknown name raises NotFoundError carrying the closest known names. Commands ask
for events only through ``select`` (or its narrow form, ``moves``), so that a
dataset kept in an index (``index.py``) can answer the same questions without
loading every event.
"""

from __future__ import annotations

import datetime
import difflib
from typing import TYPE_CHECKING, Iterable

from syriabrief.errors import NotFoundError
from syriabrief.domain.model import Actor, Event, Move, Site, event_sort_key
from syriabrief.domain.dates import Period
from syriabrief.domain.filters import EventFilter, select_events

if TYPE_CHECKING:
    from syriabrief.domain.positions import ControlPeriod

__all__ = ["Catalogue", "Dataset"]


def _fold(name: str) -> str:
    """The form names are compared in: case-, space- and dot-insensitive ("U.S." == "us")."""
    return " ".join(name.casefold().replace(".", "").replace("’", "'").split())


class Catalogue:
    """Actors and sites by id, with name lookup: what every kind of dataset shares.

    Actors and sites are few (hundreds), so every dataset holds them in memory;
    subclasses add events and answer ``select``/``count``.
    """

    def __init__(self, actors: Iterable[Actor], sites: Iterable[Site]):
        self.actors: dict[str, Actor] = {a.id: a for a in actors}
        self.sites: dict[str, Site] = {s.id: s for s in sites}
        self._actor_names = _NameIndex(self.actors.values(), "actor")
        self._site_names = _NameIndex(self.sites.values(), "site")

    def actor(self, name: str) -> Actor:
        return self.actors[self._actor_names.resolve(name)]

    def site(self, name: str) -> Site:
        return self.sites[self._site_names.resolve(name)]

    def find_actor(self, name: str) -> Actor | None:
        """The actor ``name`` means, or None: ``actor`` without the error and its suggestions.

        For callers that try many spellings (reading an article): no close-match
        search is made for a name that is not known.
        """
        found = self._actor_names.lookup(name)
        return self.actors[found] if found is not None else None

    def find_site(self, name: str) -> Site | None:
        """The site ``name`` means, or None (see ``find_actor``)."""
        found = self._site_names.lookup(name)
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

    def settled_periods(
        self, as_of: datetime.date, actor: str | None = None
    ) -> tuple[list[ControlPeriod], frozenset[str]] | None:
        """The control periods (every actor's, or ``actor``'s) kept ready for ``as_of``; None: replay all.

        An indexed dataset keeps each site's settled history (positions.settled_history),
        the answer for any as-of day on or after the last day the site's moves may
        cover. It returns those periods from the sites settled at ``as_of``, and
        the other sites (where the actor is named), whose moves must be replayed.
        """
        return None

    def moves_at(self, sites: Iterable[str], until: datetime.date) -> list[Move]:
        """The moves made at these sites (driving types, ``site`` one of them) up to the end of ``until``."""
        from syriabrief.domain.positions import DRIVING_TYPES

        wanted = frozenset(sites)
        where = EventFilter(sites=wanted, types=DRIVING_TYPES, until=Period(until, until, "day"))
        return [m for m in self.moves(where) if m.site in wanted] if wanted else []

    def span(self, where: EventFilter | None = None) -> tuple[int, Event | Move | None, Event | Move | None]:
        """How many events match, and the first and the last of them."""
        moves = self.moves(where)
        return len(moves), moves[0] if moves else None, moves[-1] if moves else None

    def moves(self, where: EventFilter | None = None) -> list[Move]:
        """Like ``select`` (no limit), but each event only as the fields positions replay."""
        return [e.move() for e in self.select(where)]

    def select_json(self, where: EventFilter | None = None, limit: int | None = None) -> list[str]:
        """Like ``select``, but each event as its --json text (``jsonout.json_text`` of ``to_json()``).

        An indexed dataset hands out the stored text without decoding it.
        """
        from syriabrief.domain.safetext import json_text

        return [json_text(e.to_json()) for e in self.select(where, limit)]


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


class _NameIndex:
    """Every id, name and alias of a kind of record, folded for comparison."""

    def __init__(self, records: Iterable[Actor | Site], kind: str):
        self.kind = kind
        self.ids: dict[str, str] = {}  # folded spelling -> record id
        self.spellings: dict[str, str] = {}  # folded spelling -> spelling as written
        self.names: dict[str, str] = {}  # record id -> its name
        for record in records:
            self.names[record.id] = record.name
            for name in (*record.aliases, record.name, record.id):
                folded = _fold(name)
                self.ids.setdefault(folded, record.id)
                self.spellings.setdefault(folded, name)

    def lookup(self, name: str) -> str | None:
        """The id of the record ``name`` is a spelling of, or None."""
        return self.ids.get(_fold(name))

    def resolve(self, name: str) -> str:
        found = self.lookup(name)
        if found is not None:
            return found
        folded = _fold(name)
        close = difflib.get_close_matches(folded, list(self.ids), n=6, cutoff=0.6)
        # Suggest each record once, under the spelling that came closest.
        by_record: dict[str, str] = {}
        for spelling in close:
            by_record.setdefault(self.ids[spelling], self.spellings[spelling])
        chosen = list(by_record.items())[:3]
        # An alias is followed by the record's name, so that "Qasrek" is seen to mean "Qasrak base".
        meanings = {spelling: self.names[rid] for rid, spelling in chosen if _fold(spelling) != _fold(self.names[rid])}
        raise NotFoundError(self.kind, name, [spelling for _, spelling in chosen], meanings)
