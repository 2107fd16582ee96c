"""Pure functions over events: which events a query selects, in what order.

No I/O and no presentation: commands resolve names and dates first, then ask
here. Derived state (who holds which site when) lives in ``positions.py``.
"""

from collections.abc import Iterable
from typing import NamedTuple

from syriabrief.domain.dates import Period
from syriabrief.domain.model import Event

__all__ = ["EventFilter", "select_events"]


class EventFilter(NamedTuple):
    """What to keep. Values of one field are alternatives; different fields all apply.

    Names are already resolved to ids. ``since`` and ``until`` are periods: an
    event is kept when any day it may cover falls between the start of
    ``since`` and the end of ``until``. A NamedTuple, like the records: every
    query imports this class, and defining it as a frozen dataclass took 1.5 ms of each run
    (its annotations are not deferred either, for the reason model.py gives).
    """

    since: Period | None = None
    until: Period | None = None
    actors: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    search: str | None = None
    # Only events that give a force's size (model.STRENGTH_WORDS).
    with_strength: bool = False
    # Only these events (by id): the ones a derived position cites.
    ids: frozenset[str] = frozenset()
    # Only events the sources disagree about (status disputed, or another account kept).
    disputed: bool = False
    # With actors: only events whose acting party (the first actor named) is one of them.
    acting: bool = False

    def matches(self, event: Event) -> bool:
        period = event.period
        if self.since and period.end < self.since.start:
            return False
        if self.until and period.start > self.until.end:
            return False
        if self.actors and self.actors.isdisjoint(event.actors):
            return False
        if self.acting and self.actors and event.actors[0] not in self.actors:
            return False
        if self.sites and self.sites.isdisjoint(event.places):
            return False
        if self.types and event.type not in self.types:
            return False
        if self.statuses and event.status not in self.statuses:
            return False
        if self.search and self.search.casefold() not in event.summary.casefold():
            return False
        if self.with_strength and not event.strength_names:
            return False
        if self.ids and event.id not in self.ids:
            return False
        if self.disputed and not event.contested:
            return False
        return True


def select_events(events: Iterable[Event], where: EventFilter, limit: int | None = None) -> list[Event]:
    """The events that match, in date order; with a limit, the most recent ``limit`` of them."""
    chosen = [e for e in events if where.matches(e)]
    if limit is not None and limit >= 0:
        # max(0, ...): a limit past the number of matches keeps them all (a negative
        # start would count from the end instead).
        chosen = chosen[max(0, len(chosen) - limit) :] if limit else []
    return chosen
