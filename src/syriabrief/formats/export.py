"""One export: events, or sites with who holds them, in one format, as text handed on a block at a time.

The events come as an iterable, in date order, from the query engine a page at
a time (``stream``), so that no export holds its output nor its events
(Markdown too: the engine summarizes the events for the overview at its top).
``Written`` counts what went out, for the line the command prints after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from syriabrief.domain.dataset import Catalogue, EventsSummary
from syriabrief.domain.model import Actor, Event, Site

__all__ = ["JSON_FORMATS", "Written", "event_chunks", "referenced", "site_chunks"]

# The formats whose text is JSON: unsafe characters are escaped in them (safetext.json_safe_utf8).
JSON_FORMATS = ("json", "jsonl", "geojson")


@dataclass
class Written:
    """How many records an export wrote, and how many events or sites GeoJSON could not place."""

    count: int = 0
    unplaced: int = 0


def event_chunks(
    fmt: str, events: Iterable[Event], data: Catalogue, written: Written, *, nested: bool = False,
    title: str = "", overview: Callable[[], tuple[EventsSummary, str]] | None = None,
    store_text: Callable[[Iterable[Event]], Iterator[str]] | None = None,
) -> Iterator[str]:  # fmt: skip
    """The events in ``fmt``; ``store_text`` writes a whole store (json), ``overview`` gives a Markdown
    briefing's summary of them and its paragraph."""
    events = _counted(events, written)
    if fmt == "json":
        assert store_text is not None
        return store_text(events)
    if fmt == "jsonl":
        from syriabrief.formats.jsonfmt import jsonl_lines

        return jsonl_lines(events)
    if fmt == "csv":
        from syriabrief.formats.csvfmt import csv_chunks

        return csv_chunks(events, data)
    if fmt == "geojson":
        return _placed(events, data, written, nested)
    if fmt == "markdown":
        from syriabrief.formats.markdown import markdown_chunks

        assert overview is not None
        summary, paragraph = overview()
        return markdown_chunks(events, data, title, summary, paragraph)
    raise ValueError(f"unknown export format {fmt!r}")


def site_chunks(
    fmt: str, sites: Sequence[Site], events: Sequence[Event], as_of: date, data: Catalogue, written: Written,
    nested: bool = False,
) -> Iterator[str]:  # fmt: skip
    """One row (csv) or feature (geojson) per site, with who holds it on ``as_of``."""
    if fmt == "csv":
        from syriabrief.formats.csvfmt import sites_csv_chunks

        written.count = len(sites)
        return sites_csv_chunks(sites, events, as_of, data)
    from syriabrief.formats.geojson import geojson_chunks, site_features

    features = site_features(sites, events, as_of, data, nested)
    written.count = len(features)
    written.unplaced = len(sites) - len(features)  # those without coordinates
    return geojson_chunks(features)


def referenced(events: Sequence[Event], data: Catalogue) -> tuple[list[Any], list[Any]]:
    """The actors and sites the events name, with every record those name in turn (parents, allies)."""
    actor_ids = _closure([a for e in events for a in e.actors], data.actors, _actor_links)
    # Each site with the sites it lies in, so that the export imports into an empty store.
    site_ids = _closure([s for e in events for s in e.places], data.sites, lambda s: (s.parent,))
    return (
        [a for a in data.actors.values() if a.id in actor_ids],
        [s for s in data.sites.values() if s.id in site_ids],
    )


def _counted(events: Iterable[Event], written: Written) -> Iterator[Event]:
    for event in events:
        written.count += 1
        yield event


def _placed(events: Iterable[Event], data: Catalogue, written: Written, nested: bool) -> Iterator[str]:
    """GeoJSON of the events that have a place; ``written`` counts features, not events."""
    from syriabrief.formats.geojson import geojson_chunks, placed_events

    unplaced: list[str] = []
    yield from geojson_chunks(placed_events(events, data, unplaced, nested))
    written.unplaced = len(unplaced)
    written.count -= len(unplaced)


def _actor_links(actor: Actor) -> tuple[str | None, ...]:
    """The actors one names: the one it is part of, its allies, and the one it joined."""
    return (actor.parent, *actor.affiliations, actor.joined.actor if actor.joined else None)


def _closure(start: Iterable[str], records: Mapping[str, Any], linked: Callable[[Any], Iterable[str | None]]) -> set[str]:
    """The ids in ``start`` and every id reached from them through ``linked`` (ids of no record left out)."""
    found: set[str] = set()
    pending = list(start)
    while pending:
        record_id = pending.pop()
        if record_id in found or record_id not in records:
            continue
        found.add(record_id)
        pending += [linked_id for linked_id in linked(records[record_id]) if linked_id]
    return found
