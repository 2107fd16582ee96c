"""GeoJSON export (RFC 7946): events at their site, or sites with who holds them.

A FeatureCollection of Point features, coordinates ``[longitude, latitude]``
in WGS84, numbers as numbers and no ``crs`` member — what QGIS and geojson.io
load as is. Events whose site has no coordinates cannot be placed and are left
out (the caller says how many).

Properties are the flat form (formats/flat.py, the columns of our CSV): plain
strings, numbers and booleans, which GDAL (``ogr2ogr``, QGIS) maps to fields
without a warning. ``nested=True`` gives the records' JSON form instead (lists
and objects), for tools like jq that prefer structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from syriabrief.domain.dates import describe
from syriabrief.domain.model import Event, Site
from syriabrief.domain.safetext import json_text
from syriabrief.formats.flat import flat_event, flat_site

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue

__all__ = ["event_features", "geojson_chunks", "placed_events", "site_features", "write_geojson"]


def event_features(
    events: Iterable[Event], data: Catalogue, nested: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """One Point feature per event whose site has coordinates; and the ids of those left out."""
    unplaced: list[str] = []
    return list(placed_events(events, data, unplaced, nested)), unplaced


def placed_events(
    events: Iterable[Event], data: Catalogue, unplaced: list[str], nested: bool = False
) -> Iterator[dict[str, Any]]:
    """``event_features`` one at a time, for an export that streams; the ids left out go to ``unplaced``."""
    for event in events:
        site = data.sites.get(event.site) if event.site else None
        if site is None or site.lat is None or site.lon is None:
            unplaced.append(event.id)
            continue
        record = (
            {**event.to_json(), "site_name": site.name, "actor_names": [data.actor_name(a) for a in event.actors]}
            if nested
            else flat_event(event, data)
        )
        properties = {
            "feature": "event",
            **record,
            "when": describe(event.date, event.end_date, event.approximate),
            "location_precision": site.location_precision,
        }
        yield _feature(event.id, site, properties)


def site_features(
    sites: Iterable[Site], events: Sequence[Event], as_of: date, data: Catalogue, nested: bool = False
) -> list[dict[str, Any]]:
    """One Point feature per site with coordinates, with who holds it on ``as_of``."""
    features = []
    for site in sites:
        if site.lat is None or site.lon is None:
            continue
        flat = flat_site(site, events, as_of, data)
        if nested:
            properties: dict[str, Any] = {"feature": "site", **site.to_json()}
            del properties["lat"], properties["lon"]
            properties.update({key: flat[key] for key in _STATUS_KEYS})
        else:
            properties = {"feature": "site", **flat}
        features.append(_feature(site.id, site, properties))
    return features


# What the nested form of a site adds to its JSON: who holds it on the as-of day.
_STATUS_KEYS = ("as_of", "holder", "holder_name", "status", "uncertain", "disputed")


def write_geojson(features: Iterable[dict[str, Any]]) -> str:
    """A FeatureCollection as text, one feature per line."""
    return "".join(geojson_chunks(features))


def geojson_chunks(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``write_geojson`` a block of whole features at a time, for an export that streams."""
    rows: list[str] = []
    started = False
    for feature in features:
        rows.append(json_text(feature))
        if len(rows) == _FEATURES_PER_CHUNK:
            yield (",\n" if started else _OPENING) + ",\n".join(rows)
            rows, started = [], True
    if rows:
        yield (",\n" if started else _OPENING) + ",\n".join(rows)
        started = True
    yield "\n]}\n" if started else '{"type": "FeatureCollection", "features": []}\n'


_OPENING = '{"type": "FeatureCollection", "features": [\n'
_FEATURES_PER_CHUNK = 500


def _feature(feature_id: str, site: Site, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
        "properties": properties,
    }
