"""Plain-text sentences built from query results — never written by hand.

Each function takes model objects (and the Dataset for names) and returns
plain strings without markup; rendering decides how they look.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

from .dates import describe
from .dataset import Catalogue
from .model import Event

__all__ = ["count_phrase", "join_names", "timeline_summary", "type_label"]

# How many actors or sites a summary names before it stops listing.
TOP_NAMES = 3


def timeline_summary(
    events: Sequence[Event], data: Catalogue, shown: int | None = None, total: int | None = None
) -> str:
    """A few sentences on events in date order: how many, when, who and where dominates, what is disputed.

    ``shown`` is how many of them a table below will show, when it shows fewer.
    ``total``, when larger than ``len(events)``, says ``events`` are only the
    latest of that many matches: the sentences then describe those shown.
    """
    if not events:
        return "No events match."
    first, last = events[0], max(events, key=lambda e: e.period.end)
    span_start = describe(first.date, None, first.approximate)
    span_end = describe(last.end_date or last.date, None, last.approximate)
    if total is not None and total > len(events):
        sentences = [
            f"{count_phrase(total, 'event')} match; the latest {len(events):,}, "
            f"from {span_start} to {span_end}, are shown and described here."
        ]
    else:
        total = len(events)
        shown = total if shown is None else shown
        sentences = [
            f"{count_phrase(total, 'event')} from {span_start} to {span_end}"
            + (f" (the latest {shown:,} shown)" if shown != total else "")
            + "."
        ]
    actors = Counter(a for e in events for a in dict.fromkeys(e.actors))
    if actors:
        sentences.append("The actors named most often are " + _ranked(actors, data.actor_name) + ".")
    places = Counter(p for e in events for p in dict.fromkeys(e.places))
    if places:
        sentences.append("The sites most often named are " + _ranked(places, data.site_name) + ".")
    types = Counter(e.type for e in events)
    sentences.append("By type: " + ", ".join(count_phrase(n, type_label(t), type_label(t, plural=True)) for t, n in types.most_common()) + ".")
    contested = [e for e in events if e.status == "disputed" or e.disputes]
    if contested:
        sentences.append(
            f"Sources disagree on {count_phrase(len(contested), 'of them', 'of them')}: "
            + "; ".join(e.id for e in contested[:TOP_NAMES])
            + ("; ..." if len(contested) > TOP_NAMES else "")
            + "."
        )
    return " ".join(sentences)


def type_label(event_type: str, plural: bool = False) -> str:
    """``control_change`` -> ``control change`` (``control changes``; ``clashes``)."""
    label = event_type.replace("_", " ")
    if not plural:
        return label
    return label + ("es" if label.endswith(("sh", "ch", "s")) else "s")


def count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    """``1 event``, ``3 events``, ``1,204 events``."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def join_names(names: Iterable[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ranked(counts: Counter, name_of) -> str:
    top = counts.most_common(TOP_NAMES)
    return join_names(f"{name_of(key)} ({n})" for key, n in top)
