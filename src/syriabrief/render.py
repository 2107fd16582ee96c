"""How results look: Rich tables and paragraphs for people, exact JSON for scripts.

The only module that imports Rich. Text from stores and import files is
untrusted: it reaches Rich only as ``Text`` (never markup) and only after
``visible()`` has made control characters, escape sequences and bidirectional
overrides visible. JSON never passes through Rich.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterable, Sequence, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .dates import describe
from .jsonout import write_json
from .dataset import Dataset
from .model import Event

__all__ = ["event_table", "make_console", "print_paragraph", "visible", "write_json"]

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode
# characters that reorder or hide text (bidi overrides and isolates, marks).
# Terminals narrower than this get the sources under each summary, not in a column.
WIDE_TABLE = 110
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def visible(text: Any) -> str:
    """Untrusted text with every control or reordering character shown as an escape (``\\x1b``)."""
    value = "" if text is None else str(text)
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def make_console(file: TextIO | None = None, width: int | None = None) -> Console:
    """A console for human output; colour and width follow the terminal and NO_COLOR."""
    return Console(file=file or sys.stdout, width=width, highlight=False, emoji=False, markup=False)


def print_paragraph(console: Console, text: str, style: str | None = None) -> None:
    console.print(Text(visible(text), style=style or ""))


def event_table(events: Sequence[Event], data: Dataset, width: int = 120) -> Table:
    """One row per event: date with its precision, type and status, actors and place, summary, sources.

    Below ``WIDE_TABLE`` columns the sources move under the summary to leave it room.
    """
    wide = width >= WIDE_TABLE
    table = Table(show_lines=True, expand=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Type", ratio=2, min_width=12)
    table.add_column("Actors · place", ratio=3, min_width=12)
    table.add_column("Summary", ratio=6, min_width=20)
    if wide:
        table.add_column("Sources", ratio=2, min_width=8)
    for event in events:
        who = ", ".join(data.actor_name(a) for a in event.actors) or "–"
        where = _where(event, data)
        outlets = ", ".join(dict.fromkeys(s.outlet for s in event.sources))
        summary = Text(visible(event.summary))
        if not wide:
            summary.append("\n" + visible(outlets), style="dim")
        cells = [
            Text(describe(event.date, event.end_date, event.approximate)),
            _type_cell(event),
            Text(visible(who + (f"\n{where}" if where else ""))),
            summary,
        ]
        table.add_row(*cells, *([Text(visible(outlets))] if wide else []))
    return table


def _type_cell(event: Event) -> Text:
    cell = Text(event.type.replace("_", " "))
    if event.stage:
        cell.append(f" ({event.stage})")
    if event.status != "confirmed":
        cell.append("\n" + event.status, style="bold yellow" if event.status == "disputed" else "dim")
    if event.disputes and event.status != "disputed":
        cell.append("\ncontested", style="yellow")
    return cell


def _where(event: Event, data: Dataset) -> str:
    site = data.site_name(event.site) if event.site else ""
    route = ""
    if event.origin or event.destination:
        origin = data.site_name(event.origin) if event.origin and event.origin != event.site else ""
        destination = data.site_name(event.destination) if event.destination else ""
        route = f"{origin} → {destination}" if origin else (f"→ {destination}" if destination else "")
    return "@ " + " ".join(part for part in (site, route) if part) if site or route else ""
