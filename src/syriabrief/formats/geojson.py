"""GeoJSON export (RFC 7946): events at their site, or sites with who holds them.

A FeatureCollection of Point features, coordinates ``[longitude, latitude]``
in WGS84, numbers as numbers and no ``crs`` member — what QGIS and geojson.io
load as is. Events whose site has no coordinates cannot be placed and are left
out (the caller says how many).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from syriabrief.domain.dates import describe
from syriabrief.domain.model import Event, Site

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Dataset

__all__ = ["event_features", "site_features", "write_geojson"]


def event_features(events: Iterable[Event], data: Dataset) -> tuple[list[dict[str, Any]], list[str]]:
    """One Point feature per event whose site has coordinates; and the ids of those left out."""
    features, unplaced = [], []
    for event in events:
        site = data.sites.get(event.site) if event.site else None
        if site is None or site.lat is None or site.lon is None:
            unplaced.append(event.id)
            continue
        properties = {
            "feature": "event",
            **event.to_json(),
            "when": describe(event.date, event.end_date, event.approximate),
            "site_name": site.name,
            "actor_names": [data.actor_name(a) for a in event.actors],
            "location_precision": site.location_precision,
        }
        features.append(_feature(event.id, site, properties))
    return features, unplaced


def site_features(
    sites: Iterable[Site], events: Sequence[Event], as_of: date, data: Dataset
) -> list[dict[str, Any]]:
    """One Point feature per site with coordinates, with who holds it on ``as_of`` when that can be told."""
    site_status = _site_status_function()
    features = []
    for site in sites:
        if site.lat is None or site.lon is None:
            continue
        properties: dict[str, Any] = {"feature": "site", **site.to_json()}
        del properties["lat"], properties["lon"]
        if site_status is not None:
            status = site_status(site.id, events, as_of)
            properties.update(
                as_of=as_of.isoformat(),
                holder=status.holder,
                holder_name=data.actor_name(status.holder) if status.holder else None,
                status=status.status,
                uncertain=status.uncertain,
                disputed=status.disputed,
            )
        features.append(_feature(site.id, site, properties))
    return features


def write_geojson(features: list[dict[str, Any]]) -> str:
    """A FeatureCollection as text, one feature per line."""
    if not features:
        return '{"type": "FeatureCollection", "features": []}\n'
    rows = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=False) for f in features)
    return '{"type": "FeatureCollection", "features": [\n' + rows + "\n]}\n"


def _feature(feature_id: str, site: Site, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
        "properties": properties,
    }


def _site_status_function():
    """``positions.site_status`` when this installation has it (it comes with the positions feature)."""
    try:
        from syriabrief.domain.positions import site_status
    except ImportError:
        return None
    return site_status
