"""Pictures as inline SVG text: the map of sites and holders, and the activity chart.

Standard library only: SVG is a few element types, written with
``html.escape`` on every piece of text that comes from data. The map uses the
same projection (``domain.geometry``) and the same marks (``reports.mapping``)
as the terminal map; each force has a colour *and* its letter in the circle,
and each chart series a colour *and* a hatching, so both read in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from syriabrief.domain import basemap
from syriabrief.domain.geometry import SYRIA
from syriabrief.domain.safetext import visible
from syriabrief.reports.activity import OTHER, Activity
from syriabrief.reports.briefing import BASE_KINDS
from syriabrief.reports.mapping import LEFT, NO_HOLDER, UNCHANGED, MapSite, SiteMap, shared_mark

__all__ = ["FORCE_COLOURS", "SERIES_COLOURS", "activity_svg", "map_groups", "map_svg", "text"]

# Force colours in legend order (Okabe-Ito first: told apart by most colour-blind readers).
FORCE_COLOURS = (
    "#d55e00", "#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9",
    "#8b1a1a", "#1f3a93", "#2e7d32", "#6a1b9a", "#795548", "#455a64",
)  # fmt: skip
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#9e9e9e")
MAP_WIDTH = 1000  # user units; the SVG scales to its container
MARK_RADIUS = 11
# The size a page's CSS gives main labels on a phone (htmlbrief), where the map is drawn at a third.
PHONE_LABEL = 30
# Sites closer than this (user units) share one mark.
SHARE_WITHIN = 2 * MARK_RADIUS
FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\""


def text(value: object) -> str:
    """Untrusted text for SVG or HTML content and attributes: control characters shown, markup escaped."""
    return escape(visible(value), quote=True)


def _path(points: Sequence[tuple[float, float]], width: float, height: float, closed: bool) -> str:
    coords = [SYRIA.scaled(lon, lat, width, height) for lon, lat in points]
    return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + (" Z" if closed else "")


def map_groups(report: SiteMap, width: float = MAP_WIDTH) -> list[tuple[float, float, tuple[MapSite, ...], str]]:
    """Sites on the map gathered where their marks would overlap: (x, y, sites, mark); a digit where no mark stands for all."""
    height = width / SYRIA.aspect
    groups: list[list] = []
    for site in sorted(report.on_map, key=lambda s: (-s.point[1], s.point[0])):
        x, y = SYRIA.scaled(*site.point, width, height)
        for group in groups:
            if math.hypot(group[0] - x, group[1] - y) < SHARE_WITHIN:
                group[2].append(site)
                break
        else:
            groups.append([x, y, [site]])
    out, shared = [], 0
    for x, y, sites in groups:
        mark = shared_mark(sites)
        if mark is None:
            shared += 1
            mark = str(shared)
        out.append((x, y, tuple(sorted(sites, key=lambda s: s.site.name.casefold())), mark))
    return out


def map_svg(report: SiteMap, width: float = MAP_WIDTH) -> str:
    """The map as an ``<svg>`` element: neighbours, Syria, governorates, lakes, cities, and the sites' marks."""
    height = round(width / SYRIA.aspect)
    colours = {f.force: FORCE_COLOURS[i % len(FORCE_COLOURS)] for i, f in enumerate(report.legend)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height}" role="img" '
        f'aria-labelledby="map-title" class="map" {FONT}>',
        f'<title id="map-title">Map of Syria: who holds each site on {text(report.as_of)}</title>',
        f'<rect width="{width:.0f}" height="{height}" fill="#dbe9f4"/>',
    ]
    for _, _, rings in basemap.NEIGHBOURS:
        for ring in rings:
            out.append(f'<path d="{_path(ring, width, height, True)}" fill="#eeece6" stroke="#a8a39a" stroke-width="1"/>')
    out.append(f'<path d="{_path(basemap.OUTLINE, width, height, True)}" fill="#fffdf6" stroke="#333" stroke-width="2.2"/>')
    for line in basemap.GOVERNORATE_LINES:
        out.append(f'<path d="{_path(line, width, height, False)}" fill="none" stroke="#9a958c" stroke-width="1" stroke-dasharray="5 4"/>')
    for lake in basemap.LAKES:
        out.append(f'<path d="{_path(lake, width, height, True)}" fill="#b9d5ea" stroke="none"/>')
    taken: list[tuple[float, float, float, float]] = []  # label boxes already placed
    groups = map_groups(report, width)
    for x, y, _, _ in groups:
        taken.append((x - MARK_RADIUS, y - MARK_RADIUS, x + MARK_RADIUS, y + MARK_RADIUS))
    labels: list[str] = []
    for name, point, _ in basemap.NEIGHBOURS:
        if point:
            x, y = SYRIA.scaled(*point, width, height)
            labels.append(_label(x, y, name.upper(), 15, taken, "#8a857b", anchor="middle", letter_spacing=2, bounds=(width, height), major=True))
    cities = sorted(basemap.CITIES, key=lambda c: c[3])
    for name, lon, lat, rank in cities:
        if not SYRIA.contains(lon, lat):
            continue
        x, y = SYRIA.scaled(lon, lat, width, height)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#555"/>')
        taken.append((x - 3, y - 3, x + 3, y + 3))
        labels.append(_label(x + 6, y + 5, name, 14 if rank == 1 else 12, taken, "#444" if rank < 3 else "#777",
                             bounds=(width, height), gap=12, major=rank == 1))
    for x, y, sites, mark in groups:
        out.append(_mark(x, y, sites, mark, colours))
        held = [s for s in sites if s.site.kind in BASE_KINDS and s.marker not in (NO_HOLDER, UNCHANGED)]
        if len(sites) == 1 and held:
            labels.append(_label(x + MARK_RADIUS + 3, y + 4, held[0].site.name, 12, taken, "#222", weight="600",
                                 bounds=(width, height), gap=2 * MARK_RADIUS + 6))
    out += [label for label in labels if label]
    out.append(
        f'<text class="l2" x="{width - 8:.0f}" y="{height - 8}" text-anchor="end" font-size="11" fill="#666">'
        "Outline, governorates, cities: Natural Earth (public domain)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def _mark(x: float, y: float, sites: tuple[MapSite, ...], mark: str, colours: dict) -> str:
    """A site's mark at the origin of a group moved to ``(x, y)``: a page's CSS can scale ``.mk`` on a phone."""
    tip = text("; ".join(f"{s.site.name}: {_state_words(s)}" for s in sites))
    site = next((s for s in sites if s.marker == mark), sites[0])
    r = MARK_RADIUS
    if mark.isdigit() or mark.isalpha():
        colour = colours.get(site.force, "#333") if not mark.isdigit() else "#333"
        leaving = mark.isalpha() and mark.islower()
        # Held: a filled disc; leaving: a ring in the force's colour, the letter in lower case.
        fill, stroke, ink = (("#fff", colour, colour) if leaving else (colour, "#fff", "#fff"))
        body = (f'<circle r="{r}" fill="{fill}" stroke="{stroke}" stroke-width="{3 if leaving else 1.5}"/>'
                f'<text y="4.5" text-anchor="middle" font-size="13" font-weight="700" fill="{ink}">{text(mark)}</text>')  # fmt: skip
    elif mark == LEFT:
        body = f'<circle r="{r - 3}" fill="#fff" stroke="#555" stroke-width="2" stroke-dasharray="3 2"/>'
    elif mark == NO_HOLDER:  # nobody recorded: a small grey cross
        body = '<path d="M-5,0 H5 M0,-5 V5" stroke="#666" stroke-width="2"/>'
    else:  # unchanged between two days: a small grey dot
        body = '<circle r="3" fill="#888"/>'
    return f'<g transform="translate({x:.1f},{y:.1f})"><title>{tip}</title><g class="mk">{body}</g></g>'


def _state_words(site: MapSite) -> str:
    status = site.status
    who = status.holder_name or status.previous_name or "nobody recorded"
    return f"{who}, {status.status.replace('_', ' ')}"


def _label(x, y, words: str, size: int, taken: list, colour: str, anchor: str = "start", weight: str = "400",
           letter_spacing: int = 0, bounds: tuple[float, float] = (MAP_WIDTH, 10_000), gap: float = 0,
           major: bool = False) -> str:  # fmt: skip
    """A label that overlaps no other label or mark and stays inside ``bounds`` (else none); its box joins ``taken``.

    A start-anchored label is tried right of the point, a little above, a little below, then
    left of it (``gap`` further left, past the mark); a centred one is slid inside the bounds.
    """
    words = visible(words)
    wide = len(words) * size * 0.58 + letter_spacing * len(words)
    if anchor == "middle":
        x = min(max(x, wide / 2 + 4), bounds[0] - wide / 2 - 4)
        tries = [(x, y, "middle")]
    else:
        tries = [(x, y, "start"), (x + MARK_RADIUS, y, "start"), (x, y - size, "start"), (x, y + size, "start"),
                 (x - gap, y, "end")]  # fmt: skip
    for tx, ty, how in tries:
        left = tx - (wide / 2 if how == "middle" else wide if how == "end" else 0)
        box = (left, ty - size, left + wide, ty + 3)
        if box[0] < 2 or box[2] > bounds[0] - 2 or box[1] < 2 or box[3] > bounds[1] - 2:
            continue
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
            taken.append(box)
            spacing = f' letter-spacing="{letter_spacing}"' if letter_spacing else ""
            if major:
                # A phone's CSS draws main labels at PHONE_LABEL units: only where that still fits the frame.
                phone = len(words) * PHONE_LABEL * 0.58 + letter_spacing * len(words)
                start = tx - (phone / 2 if how == "middle" else phone if how == "end" else 0)
                major = start >= 2 and start + phone <= bounds[0] - 2 and ty - PHONE_LABEL >= 2
            return (
                f'<text class="{"l1" if major else "l2"}" x="{tx:.1f}" y="{ty:.1f}" text-anchor="{how}" font-size="{size}" font-weight="{weight}" '
                f'fill="{colour}" stroke="#fffdf6" stroke-width="3" paint-order="stroke"{spacing}>{escape(words)}</text>'
            )
    return ""


# --- the chart ----------------------------------------------------------------------------

# One hatching per series after the first (solid), so the columns read in black and white.
_HATCHES = (
    None,
    '<path d="M0,6 L6,0" stroke="#fff" stroke-width="1.5"/>',
    '<circle cx="3" cy="3" r="1.2" fill="#fff"/>',
    '<path d="M0,3 H6" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M0,0 L6,6" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M3,0 V6" stroke="#fff" stroke-width="1.5"/>',
    '<path d="M0,6 L6,0 M0,0 L6,6" stroke="#fff" stroke-width="1"/>',
)


def series_fill(i: int, report: Activity) -> tuple[str, str | None]:
    """A series' colour and hatch pattern id (None for solid)."""
    if report.series[i].key == OTHER:
        return SERIES_COLOURS[-1], f"hatch{len(_HATCHES) - 1}"
    hatch = _HATCHES[i % (len(_HATCHES) - 1)]
    return SERIES_COLOURS[i % (len(SERIES_COLOURS) - 1)], (f"hatch{i % (len(_HATCHES) - 1)}" if hatch else None)


def activity_svg(report: Activity, width: int = 720, height: int = 260) -> str:
    """Stacked columns, one per week or month, with the count above each and the periods below."""
    left, right, top, bottom = 36, 8, 18, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.total for b in report.buckets), default=0) or 1
    step = _nice_step(peak)
    ceiling = math.ceil(peak / step) * step
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" class="chart" {FONT}>',
        f'<title id="chart-title">Events per {text(report.per)}, by {text(report.by)}</title>',
        "<defs>",
    ]
    for i, hatch in enumerate(_HATCHES):
        if hatch:
            out.append(f'<pattern id="hatch{i}" width="6" height="6" patternUnits="userSpaceOnUse">{hatch}</pattern>')
    out.append("</defs>")
    for value in range(0, ceiling + 1, step):
        y = top + plot_h - value / ceiling * plot_h
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#666">{value}</text>')
    n = max(1, len(report.buckets))
    slot = plot_w / n
    bar = max(2.0, slot * 0.72)
    every = max(1, math.ceil(n / (plot_w / 56)))  # a label every few columns when they are narrow
    for k, bucket in enumerate(report.buckets):
        x = left + k * slot + (slot - bar) / 2
        y = top + plot_h
        for i, count in enumerate(bucket.counts):
            if not count:
                continue
            h = count / ceiling * plot_h
            y -= h
            colour, hatch = series_fill(i, report)
            tip = text(f"{bucket.label}: {count} {report.series[i].name}")
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}"><title>{tip}</title></rect>')
            if hatch:
                out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="url(#{hatch})" pointer-events="none"/>')
        if bucket.total:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" fill="#333">{bucket.total}</text>')
        if k % every == 0:
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" fill="#444">{text(bucket.label)}</text>'
            )
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>')
    out.append("</svg>")
    return "\n".join(out)


def swatch(i: int, report: Activity) -> str:
    """A small square in a series' colour and hatching, for the key under the chart."""
    colour, hatch = series_fill(i, report)
    overlay = f'<rect width="14" height="14" fill="url(#k{hatch})"/>' if hatch else ""
    pattern = ""
    if hatch:
        index = int(hatch.removeprefix("hatch"))
        pattern = f'<defs><pattern id="k{hatch}" width="6" height="6" patternUnits="userSpaceOnUse">{_HATCHES[index]}</pattern></defs>'
    return f'<svg class="swatch" viewBox="0 0 14 14" width="14" height="14" aria-hidden="true">{pattern}<rect width="14" height="14" fill="{colour}"/>{overlay}</svg>'


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if peak / step <= 5:
            return step
    return 10 ** len(str(peak))
