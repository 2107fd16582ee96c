"""How results look: Rich tables and paragraphs for people, exact JSON for scripts.

The only module that imports Rich. Text from stores and import files is
untrusted: it reaches Rich only as ``Text`` (never markup) and only after
``visible()`` has made control characters, escape sequences and bidirectional
overrides visible. JSON never passes through Rich.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from syriabrief.domain.dates import describe
from syriabrief.output.jsonout import write_json
from syriabrief.domain.safetext import visible
from syriabrief.domain.dataset import Dataset
from syriabrief.domain.model import Event

__all__ = ["event_table", "make_console", "print_paragraph", "progress_bar", "visible", "write_json"]

# Terminals narrower than this get the sources under each summary, not in a column.
WIDE_TABLE = 110
class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader stopped early (``syriabrief brief | head``): that is not a
        # failure, so exit 0 where Rich would exit 1, with stdout pointed at
        # /dev/null so that the final flush does not fail again.
        self.quiet = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        raise SystemExit(0)


def make_console(file: TextIO | None = None, width: int | None = None) -> Console:
    """A console for human output; colour and width follow the terminal and NO_COLOR."""
    return _Console(file=file or sys.stdout, width=width, highlight=False, emoji=False, markup=False)


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


# Below this many records a progress bar would only flicker.
PROGRESS_THRESHOLD = 5_000


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[], None]]:
    """A function that advances a progress bar on stderr — shown only for large totals on a terminal."""
    # A dumb terminal cannot redraw a line, so a bar would only litter it.
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(console=Console(file=sys.stderr), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)

# --- positions: actor, base, compare, brief --------------------------------------------
# These draw the report dicts built by ``briefing.py`` (the same dicts --json prints).

__all__ += [
    "actor_list_table",
    "base_list_table",
    "print_actor",
    "print_base",
    "print_brief",
    "print_comparison",
]

# Words shown for a status in tables.
_STATUS_WORDS = {
    "active": "held",
    "withdrawing": "withdrawing",
    "vacated": "vacated",
    "handed_over": "handed over",
    "lost": "lost",
    "unknown": "no record",
}
# How many moves and disputes the brief lists before saying how many more there are,
# so that it fits one screen.
BRIEF_MOVES = 6
# How many strength figures an actor's profile lists (--json has them all).
STRENGTH_ROWS = 5
BRIEF_DISPUTES = 3


def _date_text(value: str | None) -> str:
    return describe(value) if value else "–"


def _flags(item: dict) -> str:
    flags = [word for key, word in (("disputed", "disputed"), ("uncertain", "uncertain")) if item.get(key)]
    return ", ".join(flags)


def _status_text(item: dict) -> Text:
    text = Text(_STATUS_WORDS.get(item["status"], item["status"].replace("_", " ")))
    if item["status"] == "withdrawing" and item.get("status_since"):
        # When the leaving began; the period's own start is in the Since column.
        text.append(f" from {describe(item['status_since'])}")
    flags = _flags(item)
    if flags:
        text.append(f" ({flags})", style="yellow")
    return text


def _kind_words(kind: str | None) -> str:
    """A record's kind as words: ``non_state_armed_group`` -> ``non-state armed group``."""
    return (kind or "").replace("non_state", "non-state").replace("_", " ")


def _heading(console: Console, title: str, subtitle: str = "") -> None:
    line = Text(visible(title), style="bold")
    if subtitle:
        line.append(" — " + visible(subtitle), style="dim")
    console.print(line)


def _periods_table(items: Sequence[dict], columns: Sequence[str]) -> Table:
    """Periods (holds, left or a site's history) with the columns asked for."""
    table = Table(expand=False, show_edge=True)
    for column in columns:
        table.add_column(column)
    for item in items:
        cells = {
            "Site": Text(visible(item["site_name"])),
            "Actor": Text(visible(item["actor_name"])),
            "Role": Text(item["role"]),
            "Status": _status_text(item),
            "Since": Text(_date_text(item["since"])),
            "Until": Text(_date_text(item["until"])),
            "To": Text(visible(item.get("destination_name") or "–")),
        }
        table.add_row(*(cells[c] for c in columns))
    return table


def actor_list_table(rows: Sequence[dict]) -> Table:
    table = Table(expand=False)
    for column in ("Actor", "Kind", "Country", "Holds", "Left", "Events"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            Text(visible(row["name"])),
            Text(visible(_kind_words(row["kind"]) or "–")),
            Text(visible(row["country"] or "–")),
            Text(visible(", ".join(h["site_name"] for h in row["holds"]) or "–")),
            Text(str(len(row["left"]))),
            Text(str(row["event_count"])),
        )
    return table


def base_list_table(rows: Sequence[dict]) -> Table:
    table = Table(expand=False)
    for column in ("Site", "Kind", "Governorate", "Holder", "Status", "Since"):
        table.add_column(column)
    for row in rows:
        holder = row["holder_name"] or (f"({row['previous_name']} left)" if row["previous_name"] else "–")
        table.add_row(
            Text(visible(row["name"])),
            Text(visible(_kind_words(row["kind"]) or "–")),
            Text(visible(row["admin1"] or "–")),
            Text(visible(holder)),
            _status_text(row),
            Text(_date_text(row["since"])),
        )
    return table


def _print_periods(console: Console, title: str, periods: Sequence[dict], columns: Sequence[str], rows: int) -> None:
    """A titled table of periods, the latest ``rows`` of them when there are more (--json has all)."""
    if not periods:
        return
    shown = periods[-rows:]
    more = f" (the latest {len(shown)} of {len(periods):,}; --limit N shows more, --json lists all)"
    heading = f"\n{title}" + (more if len(shown) < len(periods) else "")
    console.print(Text(heading, style="bold"))
    console.print(_periods_table(shown, columns))


def print_actor(console: Console, report: dict, data: Dataset, rows: int) -> None:
    """An actor's profile: who it is, what it holds and has left, its figures, narrative and events.

    Each table shows its latest ``rows`` rows (the events are already the latest ones).
    """
    about = [_kind_words(report["kind"]), report["country"] or ""]
    _heading(console, report["name"], " · ".join(a for a in about if a) + f" · as of {describe(report['as_of'])}")
    extra = []
    if report["aliases"]:
        extra.append("Also: " + ", ".join(report["aliases"]))
    if report["parent_name"]:
        extra.append("Part of: " + report["parent_name"])
    if report["affiliation_names"]:
        extra.append("Affiliations: " + ", ".join(report["affiliation_names"]))
    for line in extra:
        console.print(Text(visible(line), style="dim"))
    console.print()
    print_paragraph(console, report["narrative"])
    _print_periods(console, "Holds", report["holds"], ("Site", "Role", "Status", "Since", "To"), rows)
    _print_periods(console, "Left", report["left"], ("Site", "Status", "Since", "Until", "To"), rows)
    if report["strength"]:
        console.print(Text("\nReported strength", style="bold"))
        for figure in report["strength"][:STRENGTH_ROWS]:
            line = Text(f"  {_figure(figure)}, {describe(figure['date'], figure['end_date'], figure['approximate'])}")
            if figure["status"] not in ("confirmed", "reported"):
                line.append(f" ({figure['status']})", style="yellow")
            line.append(f"  [{visible(figure['event'])}]", style="dim")
            console.print(line)
    _print_events(console, report, data)


def print_base(console: Console, report: dict, data: Dataset, rows: int) -> None:
    """A site's profile: where and what it is, its state, history, disputes, narrative and events."""
    kind = _kind_words(report["kind"]) or "site"
    where = ", ".join(p for p in (report["admin1"], report["country"]) if p)
    _heading(console, report["name"], f"{kind} · {where} · as of {describe(report['as_of'])}")
    if report["lat"] is not None and report["lon"] is not None:
        position = f"{report['lat']:.4f}, {report['lon']:.4f} ({report['location_precision']})"
        console.print(Text(visible(f"Location: {position}"), style="dim"))
    if report["aliases"]:
        console.print(Text(visible("Also: " + ", ".join(report["aliases"])), style="dim"))
    status = Text("Status: ", style="bold")
    status.append(visible(_status_line(report)))
    flags = _flags(report)
    if flags:
        status.append(f" ({flags})", style="yellow")
    console.print(status)
    console.print()
    print_paragraph(console, report["narrative"])
    _print_periods(console, "Control history", report["history"], ("Actor", "Role", "Status", "Since", "Until", "To"), rows)
    if report["accounts"]:
        console.print(Text("\nAccounts differ", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in report["accounts"]:
            grid.add_row(Text("•"), Text(visible(item["event"]), style="yellow"))
            for account in item["accounts"]:
                line = Text(visible(", ".join(account["outlets"]) or "unnamed source") + ": ", style="bold")
                line.append(visible(account["claim"]), style="not bold")
                grid.add_row(Text(""), line)
        console.print(grid)
    _print_events(console, report, data)


def _print_events(console: Console, report: dict, data: Dataset) -> None:
    """A profile's events: the latest ones the report lists, saying how many there are in all."""
    events, total = report["events"], report["event_count"]
    if not events:
        return
    heading = f"\nEvents ({len(events)} of {total:,} shown)" if len(events) < total else "\nEvents"
    console.print(Text(heading, style="bold"))
    console.print(event_table(events, data, console.width))


def print_comparison(console: Console, comparison: dict) -> None:
    """Subjects side by side, one column each, then the narrative."""
    subjects = comparison["subjects"]
    window = f"{describe(comparison['since'])} – " if comparison.get("since") else "up to "
    if subjects:
        _heading(console, "Comparison", f"{window}{describe(comparison['until'])} · as of {describe(comparison['as_of'])}")
    else:
        _heading(console, "What changed", f"between {describe(comparison['since'])} and {describe(comparison['until'])}")
    if subjects:
        table = Table(expand=False, show_lines=True)
        table.add_column("")
        for subject in subjects:
            table.add_column(Text(visible(subject["name"])))
        for label, cell in _comparison_rows(subjects):
            table.add_row(Text(label, style="bold"), *(Text(visible(cell(s))) for s in subjects))
        console.print(table)
    elif comparison.get("differences"):
        table = Table(expand=False)
        for column in ("Site", "Before", "After"):
            table.add_column(column)
        for change in comparison["differences"]:
            table.add_row(Text(visible(change["site_name"])), _state_cell(change["before"]), _state_cell(change["after"]))
        console.print(table)
    console.print()
    print_paragraph(console, comparison["narrative"])


def _status_line(report: dict) -> str:
    since = f" since {describe(report['since'])}" if report["since"] else ""
    if report["status"] == "active":
        return f"held by {report['holder_name']}{since}"
    if report["status"] == "withdrawing":
        return f"{report['holder_name']} withdrawing{since}"
    if report["status"] == "unknown":
        return "no record of who holds it"
    word = _STATUS_WORDS.get(report["status"], report["status"])
    who = f" — {report['previous_name']} left" if report["previous_name"] else ""
    return f"{word}{who}" + (f" on {describe(report['since'])}" if report["since"] else "")


def _state_cell(state: dict) -> Text:
    who = state["holder_name"] or (f"({state['previous_name']} left)" if state["previous_name"] else "")
    text = Text(visible(who) + (" — " if who else ""))
    text.append_text(_status_text(state))
    return text


def _comparison_rows(subjects: Sequence[dict]):
    def names(items, key="site_name"):
        return "\n".join(i[key] for i in items) or "–"

    if subjects[0]["kind"] == "site":
        return [
            ("Holder", lambda s: s["holder_name"] or (f"({s['previous_name']} left)" if s["previous_name"] else "–")),
            ("Status", lambda s: _STATUS_WORDS.get(s["status"], s["status"]) + (f" ({_flags(s)})" if _flags(s) else "")),
            ("Since", lambda s: _date_text(s["since"])),
            ("Governorate", lambda s: s["admin1"] or "–"),
            ("Changes", lambda s: "\n".join(f"{describe(m['date'], m['end_date'])} {m['type'].replace('_', ' ')}" for m in s["changes"]) or "–"),
            ("Events", lambda s: str(s["event_count"])),
        ]
    return [
        ("Holds", lambda s: "\n".join(f"{h['site_name']} ({_STATUS_WORDS[h['status']]})" for h in s["holds"]) or "–"),
        ("Left", lambda s: "\n".join(f"{h['site_name']} ({_date_text(h['until'])})" for h in s["left"]) or "–"),
        ("Destinations", lambda s: names([{"site_name": d} for d in s["destination_names"]])),
        ("Governorates left", lambda s: "\n".join(s["regions_left"]) or "–"),
        ("Strength", lambda s: "\n".join(f"{_figure(f)} ({describe(f['date'])})" for f in s["strength"]) or "–"),
        ("Events", lambda s: str(s["event_count"])),
        ("First, last event", lambda s: "\n".join(_event_ref_text(e) for e in (s["first_event"], s["last_event"]) if e) or "–"),
    ]


def _event_ref_text(ref: dict) -> str:
    return f"{describe(ref['date'], ref['end_date'])}: {ref['type'].replace('_', ' ')}"


def _figure(figure: dict) -> str:
    value = figure["value"]
    amount = f"{value['low']:,}–{value['high']:,}" if isinstance(value, dict) else f"{value:,}"
    return f"{amount} {visible(figure['name'].replace('_', ' '))}"


def print_brief(console: Console, report: dict) -> None:
    """The situation report on one screen: paragraphs, the bases, recent moves, disputes."""
    _heading(console, f"Brief as of {describe(report['as_of'])}", f"moves of the last {report['days']} days")
    for paragraph in report["narrative"].split("\n\n"):
        print_paragraph(console, paragraph)
    table = Table(expand=False, box=None, pad_edge=False, show_header=True, header_style="bold")
    for column in ("Base", "Holder", "Status", "Since"):
        table.add_column(column)
    for base in report["bases"]:
        holder = base["holder_name"] or (f"({base['previous_name']} left)" if base["previous_name"] else "–")
        table.add_row(Text(visible(base["site_name"])), Text(visible(holder)), _status_text(base), Text(_date_text(base["since"])))
    console.print()
    console.print(table)
    moves = report["moves"]
    if moves:
        console.print(Text(f"\nMoves since {describe(report['since'])}", style="bold"))
        shown = moves[-BRIEF_MOVES:]
        dates = [describe(move["date"], move["end_date"]) for move in shown]
        flagged = any(move["disputed"] for move in shown)
        # Date and flag keep their full width; only the description is cut to fit.
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True, width=max(map(len, dates)))
        grid.add_column(no_wrap=True, width=len("contested") if flagged else 0)
        grid.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        for move in shown:
            flag = Text("contested" if move["disputed"] else "", style="yellow")
            grid.add_row(Text(describe(move["date"], move["end_date"])), flag, Text(visible(_move_words(move))))
        console.print(grid)
        if len(moves) > BRIEF_MOVES:
            console.print(Text(f"… and {len(moves) - BRIEF_MOVES} earlier (syriabrief timeline --since {report['since']})", style="dim"))
    disputes = report["disputes"]
    if disputes:
        console.print(Text("\nOpen disputes", style="bold"))
        for item in disputes[-BRIEF_DISPUTES:]:
            outlets = [" / ".join(a["outlets"][:2]) for a in item["accounts"]]
            line = Text(visible(item["event"]) + ": ", style="")
            line.append(visible(f"{len(item['accounts'])} accounts — " + " vs ".join(outlets)), style="dim")
            console.print(line, no_wrap=True, overflow="ellipsis")
        if len(disputes) > BRIEF_DISPUTES:
            console.print(Text(f"… and {len(disputes) - BRIEF_DISPUTES} earlier (--json lists every account)", style="dim"))


def _move_words(move: dict) -> str:
    actors = move["actor_names"] if "actor_names" in move else move["actors"]
    who = ", ".join(actors[:1]) or "?"
    site = move["site_name"] or "?"
    kind = move["type"].replace("_", " ") + (f" ({move['stage']})" if move["stage"] else "")
    route = f" → {move['destination_name']}" if move.get("destination_name") and move["destination"] != move["site"] else ""
    if move["type"] in ("handover", "control_change") and len(actors) > 1 and not route:
        route = f" ({'to' if move['type'] == 'handover' else 'from'} {actors[1]})"
    return f"{who}: {kind} @ {site}{route}"
