"""The map in a terminal: Syria's outline in braille dots, cities, and every site marked by who holds it.

Borders are drawn in braille characters (2 by 4 dots a cell, so a line is four
times finer than the cells), governorate boundaries dotted; each site is a
letter in its force's colour, so the map reads the same without colour
(``NO_COLOR``, a pipe, paper). Sites that fall in one cell share it: one mark
when they agree, a digit when they do not, listed under the map. The map is
as wide as the terminal allows, up to ``MAX_MAP_COLS``; a terminal of
``SIDE_LEGEND_FROM`` columns or more gets the legend beside it. Where the
console cannot write Unicode, ASCII stands in for every mark.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from syriabrief.domain import basemap
from syriabrief.domain.dates import describe, parse_stored
from syriabrief.domain.geometry import SYRIA, Projection
from syriabrief.domain.safetext import visible
from syriabrief.output.terminal import status_word
from syriabrief.reports.briefing import BASE_KINDS
from syriabrief.reports.mapping import LEFT, NO_HOLDER, UNCHANGED, MapSite, SiteMap, shared_mark
from syriabrief.reports.narrative import count_phrase, most_recent

__all__ = ["MAX_MAP_COLS", "PALETTE", "map_size", "print_map", "render_map"]

# The widest map drawn: past this, more columns add little a reader can use.
MAX_MAP_COLS = 110
# The narrowest: below this, Syria is a smudge.
MIN_MAP_COLS = 30
# Terminals at least this wide get the legend beside the map, in this many columns.
SIDE_LEGEND_FROM = 130
SIDE_LEGEND_COLS = 44
# Force colours, in legend order (the letter says the same without colour).
PALETTE = (
    "red", "blue", "green", "magenta", "dark_orange", "cyan", "bright_red", "bright_blue",
    "bright_green", "bright_magenta", "yellow", "bright_cyan",
)  # fmt: skip
# Labels longer than this are cut on the map (the list under it has the whole name).
LABEL_CHARS = 18
CITY = "•"
# Marks where the console cannot write them.
_ASCII = {LEFT: "o", UNCHANGED: ".", CITY: "*"}
# Braille dot bits, by (x, y) inside a cell of 2 by 4 dots.
_DOTS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def map_size(width: int) -> tuple[int, int, bool]:
    """The map's columns and rows for a terminal ``width`` wide, and whether the legend goes beside it."""
    side = width >= SIDE_LEGEND_FROM
    room = width - 2 - (SIDE_LEGEND_COLS + 1 if side else 0)  # 2: the frame around the map
    cols = max(MIN_MAP_COLS, min(MAX_MAP_COLS, room))
    return cols, SYRIA.rows_for(cols), side


@dataclass
class _Canvas:
    """A grid of cells: two layers of braille dots (border, governorates) under text that covers them."""

    cols: int
    rows: int
    projection: Projection
    unicode: bool = True
    border: list[int] = field(init=False)
    inner: list[int] = field(init=False)
    text: dict[tuple[int, int], tuple[str, str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.border = [0] * (self.cols * self.rows)
        self.inner = [0] * (self.cols * self.rows)

    def cell(self, lon: float, lat: float) -> tuple[int, int]:
        return self.projection.cell(lon, lat, self.cols, self.rows)

    def polyline(self, points: Sequence[tuple[float, float]], layer: list[int], closed: bool = False, dotted: bool = False) -> None:
        dots = [self.projection.scaled(lon, lat, 2 * self.cols, 4 * self.rows) for lon, lat in points]
        if closed:
            dots.append(dots[0])
        step = 0
        for (x0, y0), (x1, y1) in zip(dots, dots[1:]):
            count = max(1, int(max(abs(x1 - x0), abs(y1 - y0))))
            for i in range(count + 1):
                step += 1
                if dotted and step % 4 > 1:  # two dots on, two off
                    continue
                self._dot(layer, x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count)

    def _dot(self, layer: list[int], x: float, y: float) -> None:
        dx, dy = min(2 * self.cols - 1, max(0, int(x))), min(4 * self.rows - 1, max(0, int(y)))
        layer[(dy // 4) * self.cols + dx // 2] |= _DOTS[dx % 2][dy % 4]

    def free(self, col: int, row: int, over_border: bool = False) -> bool:
        if not (0 <= col < self.cols and 0 <= row < self.rows) or (col, row) in self.text:
            return False
        return over_border or not self.border[row * self.cols + col]

    def put(self, col: int, row: int, char: str, style: str) -> None:
        if not self.unicode:
            char = _ASCII.get(char) or _fold(char)
        self.text[(col, row)] = (char, style)

    def label(self, col: int, row: int, words: str, style: str, over_border: bool = False) -> bool:
        """Write ``words`` one cell right of ``(col, row)``, else left of it, covering no mark (nor border).

        Only text of one cell a character, written left to right, can be laid into cells: a name
        with wide (CJK), combining or right-to-left (Arabic, Hebrew) characters is left to the list.
        """
        if not _one_cell_each(words):
            return False
        for start in (col + 2, col - len(words) - 1):
            span = range(start, start + len(words))
            # A blank cell either side keeps labels from running together (the anchor is one of them).
            ends = [c for c in (start - 1, start + len(words)) if c != col]
            if all(self.free(c, row, over_border) for c in span) and all((c, row) not in self.text for c in ends):
                for c, char in zip(span, words):
                    self.put(c, row, char, style)
                return True
        return False

    def lines(self) -> list[Text]:
        out = []
        for row in range(self.rows):
            line = Text()
            for col in range(self.cols):
                if (col, row) in self.text:
                    char, style = self.text[(col, row)]
                    line.append(char, style=style)
                    continue
                i = row * self.cols + col
                bits = self.border[i] | self.inner[i]
                if not bits:
                    line.append(" ")
                elif self.unicode:
                    line.append(chr(0x2800 + bits), style="" if self.border[i] else "dim")
                else:
                    line.append("." if self.border[i] else " ")
            out.append(line)
        return out


@dataclass(frozen=True)
class _Cell:
    col: int
    row: int
    sites: tuple[MapSite, ...]
    mark: str  # the mark that stands for every site here (reports.mapping.shared_mark), or a digit


def _cells(report: SiteMap, canvas: _Canvas) -> list[_Cell]:
    """The sites on the map by the cell they fall in; a cell no one mark can stand for gets a digit (then ``*``)."""
    by_cell: dict[tuple[int, int], list[MapSite]] = {}
    for site in report.on_map:
        by_cell.setdefault(canvas.cell(*site.point), []).append(site)
    cells, shared = [], 0
    # Digits are handed out in reading order: north to south, then west to east.
    for (col, row), sites in sorted(by_cell.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        mark = shared_mark(sites)
        if mark is None:
            shared += 1
            mark = str(shared) if shared < 10 else "*"
        cells.append(_Cell(col, row, tuple(sorted(sites, key=lambda s: s.site.name.casefold())), mark))
    return cells


def _colours(report: SiteMap) -> dict[str | None, str]:
    return {f.force: PALETTE[i % len(PALETTE)] for i, f in enumerate(report.legend)}


def _mark_style(site: MapSite, colours: dict[str | None, str]) -> str:
    if site.marker in (LEFT, NO_HOLDER, UNCHANGED):
        return "dim"
    colour = colours.get(site.force, "")
    return f"bold {colour}" if site.state == "held" else colour


def render_map(report: SiteMap, cols: int, rows: int, unicode: bool = True) -> tuple[list[Text], list[_Cell]]:
    """The map's lines, and the cells holding sites (for the list of shared cells)."""
    canvas = _Canvas(cols, rows, SYRIA, unicode)
    canvas.polyline(basemap.OUTLINE, canvas.border, closed=True)
    for line in basemap.GOVERNORATE_LINES:
        canvas.polyline(line, canvas.inner, dotted=True)
    colours = _colours(report)
    cells = _cells(report, canvas)
    for cell in cells:
        marked = [s for s in cell.sites if s.marker == cell.mark]
        canvas.put(cell.col, cell.row, cell.mark, _mark_style(marked[0], colours) if marked else "bold")
    # Labels, most useful first: the main cities, the bases, the other cities, the neighbours.
    cities = [c for c in basemap.CITIES if SYRIA.contains(c[1], c[2])]
    for name, lon, lat, rank in sorted(cities, key=lambda c: c[3]):
        if rank == 1:
            _city(canvas, name, lon, lat)
    for cell in cells:
        bases = [s for s in cell.sites if s.site.kind in BASE_KINDS and s.marker not in (NO_HOLDER, UNCHANGED)]
        if bases and len(cell.sites) == 1:
            canvas.label(cell.col, cell.row, _short(visible(bases[0].site.name)), "")
    for name, lon, lat, rank in cities:
        if rank > 1:
            _city(canvas, name, lon, lat)
    for name, point, _ in basemap.NEIGHBOURS:
        if point is None:
            continue
        col, row = canvas.cell(*point)
        words = name.upper()
        start = max(0, min(cols - len(words), col - len(words) // 2))
        if all(canvas.free(c, row) for c in range(start - 1, start + len(words) + 1) if 0 <= c < cols):
            for c, char in zip(range(start, start + len(words)), words):
                canvas.put(c, row, char, "dim italic")
    return canvas.lines(), cells


def _city(canvas: _Canvas, name: str, lon: float, lat: float) -> None:
    col, row = canvas.cell(lon, lat)
    if (col, row) not in canvas.text:  # else a site's mark is there, and says more than a dot
        canvas.put(col, row, CITY, "dim")
    # A city's name may cross a border line (a capital by the border is still worth naming).
    canvas.label(col, row, name, "dim") or canvas.label(col, row, name, "dim", over_border=True)


def _one_cell_each(words: str) -> bool:
    return all(
        unicodedata.east_asian_width(c) not in "WF" and not unicodedata.combining(c)
        and unicodedata.bidirectional(c) not in ("R", "AL", "AN") and c.isprintable()
        for c in words
    )  # fmt: skip


def _fold(char: str) -> str:
    """An ASCII letter for an accented one (Ş -> S, ı -> i); "?" when there is none."""
    if char.isascii():
        return char
    base = unicodedata.normalize("NFKD", char.replace("ı", "i"))[:1]
    return base if base.isascii() else "?"


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


# --- around the map -----------------------------------------------------------------------


def print_map(console: Console, report: SiteMap, limit: int | None = None) -> tuple[int, int]:
    """The heading, the map in its frame, the legend (beside or under it) and the list of sites:
    every one, or the ``limit`` that changed last of them (--json has them all). Returns how many
    sites the list shows, and of how many."""
    cols, rows, side = map_size(console.width)
    unicode = (console.encoding or "").lower().startswith("utf")
    lines, cells = render_map(report, cols, rows, unicode)
    console.print(_heading(report))
    frame = Panel(Text("\n").join(lines), box=box.SQUARE if unicode else box.ASCII, padding=0, expand=False)
    legend = _legend(report, cells, unicode)
    if side:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=cols + 2)
        grid.add_column(width=SIDE_LEGEND_COLS)
        grid.add_row(frame, legend)
        console.print(grid)
    else:
        console.print(frame)
        console.print(legend)
    shared = [c for c in cells if len(c.sites) > 1]
    if shared:
        console.print(Text("\nSites sharing a cell", style="bold"))
        for cell in shared:
            line = Text(f"{cell.mark:<3}", style="bold")
            line.append("; ".join(f"{visible(s.site.name)} ({_ascii(s.marker, unicode)})" for s in cell.sites))
            console.print(line)
    listed = _listed(report)
    # The sites whose state began last (its ``since``).
    shown = listed if limit is None else most_recent(listed, limit, lambda s: parse_stored(s.status.since).end if s.status.since else date.min)
    console.print(_site_table(report, shown, unicode))
    for note in _notes(report, unicode):
        console.print(Text(note, style="dim"))
    return len(shown), len(listed)


def _ascii(mark: str, unicode: bool) -> str:
    return mark if unicode else _ASCII.get(mark, mark)


def _heading(report: SiteMap) -> Text:
    shown = report.on_map
    if report.since:
        changed = sum(1 for s in report.sites if s.changed)
        line = Text(f"What changed hands between {describe(report.since)} and {describe(report.as_of)}", style="bold")
        line.append(f" — {changed} of {count_phrase(len(report.sites), 'site')} changed", style="dim")
        return line
    line = Text(f"Who holds what on {describe(report.as_of)}", style="bold")
    line.append(f" — {count_phrase(len(shown), 'site')} placed by their coordinates", style="dim")
    return line


def _legend(report: SiteMap, cells: Sequence[_Cell], unicode: bool) -> Group:
    """The forces by letter and colour, with the holders under each, then what every other mark means."""
    colours = _colours(report)
    forces = Table.grid(padding=(0, 1))
    forces.add_column(width=1)
    forces.add_column(overflow="fold")
    for force in report.legend:
        counts = [f"{n} {word}" for n, word in ((force.held, "held"), (force.leaving, "leaving"), (force.left, "left")) if n]
        words = Text(visible(force.force_name))
        words.append(" — " + ", ".join(counts), style="dim")
        others = [h for h in force.holders if h != force.force_name]
        if others:
            words.append("\n" + visible(", ".join(others)), style="dim")
        forces.add_row(Text(force.marker or _ascii(LEFT, unicode), style=f"bold {colours[force.force]}" if force.marker else "dim"), words)
    if not report.legend:
        forces.add_row(Text(""), Text("nobody recorded holding a site shown", style="dim"))
    drawn = {site.marker for site in report.on_map}
    letters = {m for m in drawn if m.isalpha()}
    if report.since:
        keys = [("X", "changed hands: X holds it on the second day", any(m.isupper() for m in letters)),
                ("x", "changed: X is leaving it on the second day", any(m.islower() for m in letters)),
                (UNCHANGED, "same holder and status on both days", UNCHANGED in drawn)]  # fmt: skip
    else:
        keys = [("X", "held by the force lettered X", any(m.isupper() for m in letters)),
                ("x", "lower case: that force is leaving", any(m.islower() for m in letters))]  # fmt: skip
    keys += [
        (LEFT, "left; nobody recorded there since", LEFT in drawn),
        (NO_HOLDER, "nobody recorded there", NO_HOLDER in drawn),
        ("1", "sites with different marks in one cell (listed below)", any(c.mark.isdigit() or c.mark == "*" for c in cells)),
        (CITY, "city", True),
        ("⣿" if unicode else ".", "border" + ("; dotted: governorate boundary" if unicode else ""), True),
    ]
    marks = Table.grid(padding=(0, 1))
    marks.add_column(width=1)
    marks.add_column(overflow="fold")
    for mark, meaning, shown in keys:
        if shown:
            marks.add_row(Text(_ascii(mark, unicode), style="bold" if mark.isalnum() else "dim"), Text(meaning))
    title = f"Holders on {describe(report.as_of)}" + (" of the sites that changed" if report.since else "")
    return Group(Text(title, style="bold"), forces, Text("Marks", style="bold"), marks)


def _listed(report: SiteMap) -> list[MapSite]:
    """The sites the list under the map tells: those that changed (with --at), else every marked one;
    sites nobody holds are counted under it. By force as the legend orders them, then state and name."""
    comparing = report.since is not None
    order = {f.force: i for i, f in enumerate(report.legend)}
    listed = [s for s in report.sites if (s.changed if comparing else s.marker != NO_HOLDER)]
    listed.sort(key=lambda s: (order.get(s.force or "", len(order)), ("held", "leaving", "left", "none").index(s.state), s.site.name.casefold()))
    return listed


def _site_table(report: SiteMap, shown: Sequence[MapSite], unicode: bool) -> Table:
    """The sites ``shown``, each with its holder and status (with --at, its state on both days)."""
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold", expand=False, title_justify="left")
    comparing = report.since is not None
    columns = ("", "Site", describe(report.since), describe(report.as_of)) if report.since else ("", "Site", "Holder", "Status", "Since")
    for column in columns:
        table.add_column(column, overflow="fold")
    for site in shown:
        mark = Text(_ascii(site.marker, unicode), style="bold")
        name = Text(visible(site.site.name) + ("" if site.on_map else " (beyond the map)"))
        if comparing:
            table.add_row(mark, name, Text(_state_words(site.before)), Text(_state_words(site.status)))
        else:
            table.add_row(mark, name, Text(visible(_holder(site))), Text(_status_words(site)), Text(describe(site.status.since) if site.status.since else "–"))
    return table


def _holder(site: MapSite) -> str:
    status = site.status
    return status.holder_name or (f"({status.previous_name} left)" if status.previous_name else "–")


_STATUS_WORDS = {"active": "held", "withdrawing": "leaving", "vacated": "vacated", "handed_over": "handed over",
                 "lost": "lost", "unknown": "no record"}  # fmt: skip


def _status_words(site: MapSite) -> str:
    status = site.status
    words = status_word(status.status, site.site.kind, _STATUS_WORDS)
    flags = [f for f, on in (("disputed", status.disputed), ("uncertain", status.uncertain)) if on]
    if status.stale and status.last_reported:
        flags.append(f"last reported {describe(status.last_reported)}")
    return words + (f" ({'; '.join(flags)})" if flags else "")


def _state_words(status) -> str:
    if status is None:
        return "no record"
    who = status.holder_name or status.previous_name
    words = _STATUS_WORDS.get(status.status, status.status)
    return visible(f"{who}: {words}" if who else words)


def _notes(report: SiteMap, unicode: bool) -> list[str]:
    notes = []
    if report.since:
        same = sum(1 for s in report.sites if not s.changed)
        if same:
            notes.append(f"{count_phrase(same, 'site')} kept {'its' if same == 1 else 'their'} holder and status ({_ascii(UNCHANGED, unicode)}).")
    else:
        nobody = [s for s in report.sites if s.marker == NO_HOLDER]
        if nobody:
            names = ", ".join(visible(s.site.name) for s in nobody[:8])
            rest = f" and {len(nobody) - 8:,} more ('syriabrief base' lists them)" if len(nobody) > 8 else ""
            notes.append(f"{count_phrase(len(nobody), 'site')} with nobody recorded there ({NO_HOLDER}): {names}{rest}.")
    beyond = report.beyond
    if beyond:
        more = f" and {len(beyond) - 6:,} more" if len(beyond) > 6 else ""
        notes.append(f"{count_phrase(len(beyond), 'site')} beyond the map's frame: " + ", ".join(visible(s.site.name) for s in beyond[:6]) + more + ".")
    if report.areas:
        notes.append(f"{count_phrase(len(report.areas), 'area')} (regions, countries) not drawn as points; 'syriabrief base' lists them.")
    if report.unplaced:
        notes.append(f"{count_phrase(len(report.unplaced), 'site')} without coordinates, not drawn.")
    notes.append("Outline, governorates and cities: Natural Earth (public domain).")
    return notes
