"""Where a place falls on a flat map of Syria: the projection the terminal map and the SVG map share.

Syria spans about five degrees of latitude, so a plate carrée scaled by the
cosine of the middle latitude (an equirectangular projection) keeps its shape
within a few per cent — no map library is needed. A map is a grid of ``cols``
by ``rows`` cells; a terminal cell is about twice as tall as it is wide, so
a terminal map has half as many rows as a square-celled one. Pure and stdlib only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from syriabrief.domain import basemap

__all__ = ["CELL_ASPECT", "SAME_PLACE_KM", "Projection", "SYRIA", "distance_km", "inside"]

# Two records of one name this far apart are two places (a town's name is often another's too);
# closer, they are taken as one. An ACLED location matches a known site only within it.
SAME_PLACE_KM = 25.0
EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two points in degrees."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# A terminal cell's height over its width (monospace fonts are about 1:2).
CELL_ASPECT = 2.0

Point = tuple[float, float]


@dataclass(frozen=True)
class Projection:
    """An equirectangular projection of a frame (west, south, east, north, in degrees) onto the unit square's width."""

    west: float
    south: float
    east: float
    north: float

    @property
    def scale_x(self) -> float:
        """How much shorter a degree of longitude is than one of latitude, at the frame's middle."""
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def aspect(self) -> float:
        """The frame's width over its height, on the ground."""
        return (self.east - self.west) * self.scale_x / (self.north - self.south)

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def unit(self, lon: float, lat: float) -> Point:
        """``(x, y)`` from 0 to 1 across the frame: x eastward from its west edge, y southward from its north edge."""
        return (lon - self.west) / (self.east - self.west), (self.north - lat) / (self.north - self.south)

    def rows_for(self, cols: int, cell_aspect: float = CELL_ASPECT) -> int:
        """How many rows a map ``cols`` cells wide needs to keep the ground's shape."""
        return max(1, round(cols / self.aspect / cell_aspect))

    def cell(self, lon: float, lat: float, cols: int, rows: int) -> tuple[int, int]:
        """The ``(col, row)`` of the cell a place falls in, counted from the top left (clamped to the grid)."""
        x, y = self.unit(lon, lat)
        return min(cols - 1, max(0, math.floor(x * cols))), min(rows - 1, max(0, math.floor(y * rows)))

    def scaled(self, lon: float, lat: float, width: float, height: float) -> Point:
        """A place in a drawing ``width`` by ``height`` units (SVG user units, braille dots)."""
        x, y = self.unit(lon, lat)
        return x * width, y * height


SYRIA = Projection(*basemap.FRAME)


def inside(point: Point, rings: Iterable[Sequence[Point]]) -> bool:
    """Whether ``(lon, lat)`` lies inside a polygon given as rings (even-odd rule)."""
    x, y = point
    result = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                result = not result
    return result
