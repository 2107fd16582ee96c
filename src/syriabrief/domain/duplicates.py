"""Events that report the same thing twice: what ``add`` refuses and ``import`` points out.

Two events are **near-duplicates** when they share the date, the type, the
actors (in any order) and the site: one occurrence, perhaps told twice in other
words, or two that a source could not tell apart. They are **identical** when
their summaries are the same too (ignoring case and runs of spaces): the same
report added twice. Neither is ever merged here; callers refuse or report.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable

from syriabrief.domain.model import Event

__all__ = ["identical", "near_duplicates", "occurrence"]


def occurrence(event: Event) -> tuple[str, str, frozenset[str], str | None]:
    """What near-duplicates share: date, type, actors (any order), site."""
    return (event.date, event.type, frozenset(event.actors), event.site)


def near_duplicates(event: Event, others: Iterable[Event]) -> list[Event]:
    """The other events (by id) with the same date, type, actors and site as ``event``."""
    wanted = occurrence(event)
    return [other for other in others if other.id != event.id and occurrence(other) == wanted]


def identical(event: Event, others: Iterable[Event]) -> list[Event]:
    """The near-duplicates of ``event`` whose summary is also the same."""
    return [other for other in near_duplicates(event, others) if _words(other.summary) == _words(event.summary)]


def _words(text: str) -> str:
    return " ".join(text.casefold().split())
