"""Activity over time in a terminal: one stacked bar per week or month, as wide as the window.

Each series has its own fill character as well as its colour, so the chart
reads the same without colour. A long run of empty periods is folded into one
line. Counts are printed at each bar's end: the bars show the shape, the
numbers the facts.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from syriabrief.domain.safetext import visible
from syriabrief.reports.activity import OTHER, Activity, Bucket
from syriabrief.reports.narrative import count_phrase

__all__ = ["FILLS", "bar_lengths", "print_activity"]

# One fill per series, told apart in black and white; "other" gets the last.
FILLS = ("█", "▓", "▒", "░", "▚", "=", "·")
ASCII_FILLS = ("#", "@", "%", "=", "+", "-", ".")
COLOURS = ("blue", "red", "green", "magenta", "dark_orange", "cyan", "bright_black")
# This many empty periods in a row or more are folded into one line.
FOLD_EMPTY = 4


def bar_lengths(counts: tuple[int, ...], scale: float) -> list[int]:
    """Characters per series in one bar: the bar's length follows its total, every non-zero count shows."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    length = max(round(total * scale), sum(1 for c in counts if c))
    raw = [c * length / total for c in counts]
    out = [max(1, int(r)) if c else 0 for r, c in zip(raw, counts)]
    # Hand out what rounding down left, largest remainder first; take back from the longest if over.
    order = sorted(range(len(counts)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(out) < length:
        if counts[order[i % len(order)]]:
            out[order[i % len(order)]] += 1
        i += 1
    while sum(out) > length:
        longest = max(range(len(out)), key=lambda k: out[k])
        out[longest] -= 1
    return out


def print_activity(console: Console, report: Activity, title: str = "") -> None:
    unicode = (console.encoding or "").lower().startswith("utf")
    fills = FILLS if unicode else ASCII_FILLS
    heading = Text(f"Events per {report.per}, by {report.by}", style="bold")
    if report.buckets:
        heading.append(
            f" — {count_phrase(report.total, 'event')}, {_when(report.buckets[0], report.per)} to {_when(report.buckets[-1], report.per)}",
            style="dim",
        )
    if title:
        heading.append(" · " + visible(title), style="dim")
    console.print(heading)
    if report.buckets:
        label_width = max(len(b.label) for b in report.buckets)
        count_width = len(f"{max(b.total for b in report.buckets):,}")
        room = max(10, console.width - label_width - count_width - 3)
        scale = room / max(1, max(b.total for b in report.buckets))
        for row in _rows(report.buckets):
            if isinstance(row, str):
                console.print(Text(" " * label_width + " ⋮ " + row if unicode else " " * label_width + " : " + row, style="dim"))
                continue
            line = Text(f"{row.label:>{label_width}} ")
            line.append("│" if unicode else "|", style="dim")
            for i, n in enumerate(bar_lengths(row.counts, scale)):
                if n:
                    line.append(_fill(fills, i, report) * n, style=_colour(i, report))
            line.append(f" {row.total:,}" if row.total else "", style="bold")
            console.print(line, no_wrap=True, overflow="crop")
    # The key, one "fill name count" item after another, never broken inside an item.
    items = []
    for i, series in enumerate(report.series):
        item = Text(_fill(fills, i, report) * 2, style=_colour(i, report))
        item.append(f" {visible(series.name)} {series.total:,}")
        items.append(item)
    line = Text()
    for item in items:
        if line and line.cell_len + 2 + item.cell_len > console.width:
            console.print(line)
            line = Text()
        if line:
            line.append("  ")
        line.append_text(item)
    if line:
        console.print(line)
    if report.coarse:
        precision = f"to the {report.coarse_precision}" if report.coarse_precision else "roughly"
        console.print(
            Text(
                f"{count_phrase(report.coarse, 'event')} dated only {precision} "
                f"{'is' if report.coarse == 1 else 'are'} not in the bars (a {report.per} cannot be told).",
                style="dim",
            )
        )


def _when(bucket: Bucket, per: str) -> str:
    return f"the week of {bucket.label}" if per == "week" else bucket.label


def _fill(fills: tuple[str, ...], i: int, report: Activity) -> str:
    return fills[-1] if report.series[i].key == OTHER else fills[i % (len(fills) - 1)]


def _colour(i: int, report: Activity) -> str:
    if report.series[i].key == OTHER:
        return COLOURS[-1]
    return COLOURS[i % (len(COLOURS) - 1)]


def _rows(buckets: tuple[Bucket, ...]) -> list[Bucket | str]:
    """The buckets, with each run of FOLD_EMPTY or more empty ones as one line saying so."""
    out: list[Bucket | str] = []
    run: list[Bucket] = []

    def flush() -> None:
        if len(run) >= FOLD_EMPTY:
            out.append(f"no events from {run[0].label} to {run[-1].label}")
        else:
            out.extend(run)
        run.clear()

    for bucket in buckets:
        if bucket.total:
            flush()
            out.append(bucket)
        else:
            run.append(bucket)
    flush()
    return out
