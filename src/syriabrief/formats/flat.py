"""The flat form of events and sites: one plain value per column, for spreadsheets and GIS tools.

Our CSV's cells and the GeoJSON export's properties are this form, so that a
column means the same in both (docs/import-export.md):

- dates: ``start_date`` and ``end_date`` are the first and last day the event
  may cover, always ``YYYY-MM-DD`` (a spreadsheet sorts them as dates); ``date``,
  ``date_end`` and ``date_precision`` are the dates as stored (``2026``,
  ``2026-02``, ``2026-02-11``), which is what import reads.
- ids with the names beside them (``actors`` / ``actor_names``, ``site`` /
  ``site_name``), and the site's ``latitude`` and ``longitude``.
- sources as four lists with one item per source, in order: ``outlets``,
  ``documents``, ``urls``, ``published``; figures as ``troops=200; escaped=120..1500``.

Lists are joined with ``; ``. A list an item of which would not come back
from that (it holds a ``;``, has spaces at its ends, or the text would start
with ``[``) is written as a JSON array instead, so every value reads back
exactly. ``disputes`` (other accounts, each with its own sources) stay a JSON
array: they are nested, and empty for most events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from syriabrief.domain.dates import DATES_KEPT, event_period, parse_stored
from syriabrief.domain.model import Event, Site
from syriabrief.domain.safetext import json_text

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue

__all__ = [
    "DERIVED_COLUMNS",
    "EVENT_COLUMNS",
    "SITE_COLUMNS",
    "SOURCE_COLUMNS",
    "flat_event",
    "flat_site",
    "join_items",
]

SEPARATOR = "; "
EVENT_COLUMNS = (
    "id", "start_date", "end_date", "date", "date_end", "date_precision", "approximate",
    "type", "stage", "status", "actors", "actor_names", "site", "site_name", "latitude", "longitude",
    "origin", "origin_name", "destination", "destination_name", "summary",
    "outlets", "documents", "urls", "published", "quantities", "disputes", "tags",
)  # fmt: skip
# Written for people and tools, worked out from the other columns; import does not store them.
DERIVED_COLUMNS = (
    "start_date", "end_date", "actor_names", "site_name", "latitude", "longitude", "origin_name", "destination_name",
)  # fmt: skip
# One item per source, in the same order in each.
SOURCE_COLUMNS = ("outlets", "documents", "urls", "published")
SITE_COLUMNS = (
    "id", "name", "kind", "country", "admin1", "parent", "parent_name", "latitude", "longitude",
    "location_precision", "aliases", "as_of", "status", "holder", "holder_name", "since",
    "previous", "previous_name", "uncertain", "disputed", "last_reported", "age_days", "notes",
)  # fmt: skip

Value = str | int | float | bool | None


def flat_event(event: Event, data: Catalogue | None = None) -> dict[str, Value]:
    """The event as plain values, one per ``EVENT_COLUMNS`` entry; names and coordinates need ``data``."""
    start_date, end_date = _days(event.date, event.end_date)
    site = data.sites.get(event.site) if data is not None and event.site else None
    return {
        "id": event.id,
        "start_date": start_date,
        "end_date": end_date,
        "date": event.date,
        "date_end": event.end_date,
        "date_precision": event.date_precision,
        "approximate": event.approximate,
        "type": event.type,
        "stage": event.stage,
        "status": event.status,
        "actors": join_items(event.actors),
        "actor_names": _names(data, event.actors),
        "site": event.site,
        "site_name": _name(data, event.site),
        "latitude": site.lat if site else None,
        "longitude": site.lon if site else None,
        "origin": event.origin,
        "origin_name": _name(data, event.origin),
        "destination": event.destination,
        "destination_name": _name(data, event.destination),
        "summary": event.summary,
        "outlets": join_items([s.outlet for s in event.sources]),
        "documents": join_items([s.document for s in event.sources]),
        "urls": join_items([s.url for s in event.sources]),
        "published": join_items([s.published for s in event.sources]),
        "quantities": figures_text(event.quantities),
        "disputes": json_text([d.to_json() for d in event.disputes]) if event.disputes else None,
        "tags": join_items(event.tags),
    }


def flat_site(site: Site, events: Sequence[Event], as_of: date, data: Catalogue) -> dict[str, Value]:
    """The site as plain values (``SITE_COLUMNS``), with who is there on ``as_of``."""
    from syriabrief.domain.positions import site_status

    status = site_status(site.id, events, as_of)
    return {
        "id": site.id,
        "name": site.name,
        "kind": site.kind,
        "country": site.country,
        "admin1": site.admin1,
        "parent": site.parent,
        "parent_name": _name(data, site.parent),
        "latitude": site.lat,
        "longitude": site.lon,
        "location_precision": site.location_precision,
        "aliases": join_items(site.aliases),
        "as_of": as_of.isoformat(),
        "status": status.status,
        "holder": status.holder,
        "holder_name": data.actor_name(status.holder) if status.holder else None,
        "since": status.since,
        "previous": status.previous,
        "previous_name": data.actor_name(status.previous) if status.previous else None,
        "uncertain": status.uncertain,
        "disputed": status.disputed,
        # How old the evidence for that state is: a spreadsheet must not show a months-old "active" as news.
        "last_reported": status.last_reported,
        "age_days": (as_of - parse_stored(status.last_reported).end).days if status.last_reported else None,
        "notes": join_items(f"{n.text} ({', '.join(s.outlet for s in n.sources)})" for n in site.notes),
    }


def join_items(items: Iterable[str | None]) -> str | None:
    """Items joined with ``; `` (None: an empty item), or a JSON array when that would not read back.

    None for an empty list or one of Nones only.
    """
    if type(items) is not list:
        items = list(items)
    if len(items) == 1:  # one item (most lists): the rules below, without building the joined text
        item = items[0]
        if item is None:
            return None
        plain = bool(item) and item == item.strip() and ";" not in item and item[0] != "["
        return item if plain else json_text(items)
    if None in items:
        if items.count(None) == len(items):
            return None
        if "" in items:  # an empty string would read back as None
            return json_text(items)
        joined = SEPARATOR.join(item or "" for item in items)
        trimmed = all(item is None or item == item.strip() for item in items)
    elif not items:
        return None
    elif "" in items:
        return json_text(items)
    else:  # the usual case, checked in C: an export does this six times per event
        joined = SEPARATOR.join(cast("list[str]", items))
        if joined.isprintable():
            # Every other kind of whitespace is unprintable: an item ends in space only as a space
            # at an end of the text or beside a separator.
            trimmed = joined[0] != " " and joined[-1] != " " and " ;" not in joined and ";  " not in joined
        else:
            trimmed = all(map(str.__eq__, items, map(str.strip, items)))  # type: ignore[arg-type]
    # It reads back only if no item has a ";" of its own or space at an end (the reader strips them).
    plain = trimmed and joined.count(";") == len(items) - 1
    return joined if plain and not joined.startswith("[") else json_text(items)


def figures_text(quantities: dict[str, Any]) -> str | None:
    """``troops=200; escaped=120..1500``, or a JSON object when a name or value does not fit that form."""
    if not quantities:
        return None
    parts = []
    for name, value in quantities.items():
        plain_name = name and name == name.strip() and not any(c in name for c in "=;") and name[0] != "{"
        if isinstance(value, dict) and list(value) == ["low", "high"] and all(map(_is_number, value.values())):
            figure = f"{_number(value['low'])}..{_number(value['high'])}"
        elif _is_number(value):
            figure = _number(value)
        else:
            figure = None
        if not plain_name or figure is None:
            return json_text(quantities)
        parts.append(f"{name}={figure}")
    return SEPARATOR.join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: int | float) -> str:
    return repr(value)  # a float always shows a "." or an exponent, so it reads back as a float


@lru_cache(maxsize=DATES_KEPT)  # the dates of a store's events repeat: written once each
def _days(date_text: str, end_text: str | None) -> tuple[str, str]:
    """The first and last day an event may cover, as YYYY-MM-DD."""
    period = event_period(date_text, end_text)
    return period.start.isoformat(), period.end.isoformat()


def _names(data: Catalogue | None, actor_ids: Sequence[str]) -> str | None:
    return SEPARATOR.join(data.actor_name(a) for a in actor_ids) if data is not None and actor_ids else None


def _name(data: Catalogue | None, site_id: str | None) -> str | None:
    return data.site_name(site_id) if data is not None and site_id else None
