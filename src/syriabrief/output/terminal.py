"""How results look: Rich tables and paragraphs for people, exact JSON for scripts.

The only module that imports Rich. Text from stores and import files is
untrusted: it reaches Rich only as ``Text`` (never markup) and only after
``visible()`` has made control characters, escape sequences and bidirectional
overrides visible. JSON never passes through Rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from syriabrief.domain.dataset import Dataset, EventTexts
from syriabrief.domain.dates import describe, on_day, precision_of
from syriabrief.domain.model import Event, Note, site_class
from syriabrief.domain.safetext import visible
from syriabrief.output.jsonout import write_json
from syriabrief.reports.narrative import (
    actor_phrase,
    counted_elsewhere,
    cut_at_word,
    doubtful_note,
    figure_status,
    figure_text,
    latest_changes,
    most_recent,
)
from syriabrief.reports.types import (
    ActorLines,
    ActorProfile,
    ActorSubject,
    BaseState,
    Brief,
    Changes,
    Citation,
    Comparison,
    Contested,
    EventRef,
    Figure,
    MoveView,
    PeriodView,
    SiteList,
    SiteProfile,
    SiteSubject,
    StatusView,
)

__all__ = ["event_table", "make_console", "print_event", "print_paragraph", "progress_bar", "status_word", "visible", "write_json"]

# Terminals narrower than this get the sources under each summary, not in a column.
WIDE_TABLE = 110
# ... and narrower than this, two columns: when and what; who, where, the summary and its sources.
NARROW_TABLE = 72
# Room for "12 Mar 2026" on one line.
_DATE_WIDTH = 11
# Room for "withdrawal" and "(completed)" whole.
_TYPE_WIDTH = 11
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
    if width < NARROW_TABLE:
        return _narrow_event_table(events, data)
    wide = width >= WIDE_TABLE
    table = Table(show_lines=True, expand=True)
    # Every cell wraps and none is cut: a word wider than its column breaks
    # ("fold") rather than losing its end to an ellipsis. On a narrow terminal
    # a long date wraps at its spaces ("~16–22 Dec / 2024") and the type has a
    # fixed width, so that at 80 columns neither squeezes the other.
    table.add_column("Date", max_width=None if wide else _DATE_WIDTH, overflow="fold")
    table.add_column("Type", ratio=2 if wide else None, width=None if wide else _TYPE_WIDTH, overflow="fold")
    table.add_column("Actors · place", ratio=3, min_width=12, overflow="fold")
    table.add_column("Summary", ratio=6, min_width=20, overflow="fold")
    if wide:
        table.add_column("Sources", ratio=2, min_width=8, overflow="fold")
    for event in events:
        who, where, outlets = _who(event, data), _where(event, data), _outlets(event)
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


def _narrow_event_table(events: Sequence[Event], data: Dataset) -> Table:
    """``event_table`` for a narrow screen (a phone, a split pane): when and what in one column,
    who, where, the summary and its outlets in the other, so that no column is too thin for a word."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Date · type", width=_DATE_WIDTH + 1, overflow="fold")
    table.add_column("Actors · place · summary", ratio=1, overflow="fold")
    for event in events:
        who, where = _who(event, data), _where(event, data)
        when = Text(describe(event.date, event.end_date, event.approximate) + "\n")
        when.append_text(_type_cell(event))
        story = Text(visible(who + (f" {where}" if where else "")) + "\n", style="bold")
        story.append(visible(event.summary), style="")
        story.append("\n" + visible(_outlets(event)), style="dim")
        table.add_row(when, story)
    return table


def _who(event: Event, data: Dataset) -> str:
    return ", ".join(data.actor_name(a) for a in event.actors) or "–"


def _outlets(event: Event) -> str:
    return ", ".join(dict.fromkeys(s.outlet for s in event.sources))


def _type_cell(event: Event) -> Text:
    cell = Text(event.type.replace("_", " "))
    if event.stage:
        cell.append(f" ({event.stage})")
    if event.status != "confirmed":
        cell.append("\n" + event.status, style="bold yellow" if event.status == "disputed" else "dim")
    if event.disputes:
        # One word for every disagreement, as the --disputed filter finds them.
        others = len(event.disputes)
        word = "" if event.status == "disputed" else "disputed: "
        cell.append(f"\n{word}{others} other account{'s' if others > 1 else ''}", style="yellow")
    return cell


def _where(event: Event, data: Dataset) -> str:
    """Where an event was, and where a move came from or went: ``@ Qasrak base, from Kurdistan Region of Iraq``.

    In words, not arrows: an arrow after the site read as a move away from it
    even for a convoy arriving there.
    """
    parts = [f"@ {data.site_name(event.site)}"] if event.site else []
    if event.origin and event.origin != event.site:
        parts.append(f"from {data.site_name(event.origin)}")
    if event.destination and event.destination != event.site:
        parts.append(f"to {data.site_name(event.destination)}")
    return ", ".join(parts)


def print_event(console: Console, event: Event, data: Dataset) -> None:
    """One event whole: a heading, its fields, its sources with links, and every other account."""
    _heading(console, event.id, f"{event.type.replace('_', ' ')} · {event.status}")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    dated = describe(event.date, event.end_date, event.approximate)
    precision = f"{event.date_precision}" + (", approximate" if event.approximate else "")
    rows = [
        ("Date", f"{dated} ({precision})"),
        ("Stage", event.stage or "–"),
        ("Actors", ", ".join(f"{data.actor_name(a)} ({a})" for a in event.actors) or "–"),
        ("Site", f"{data.site_name(event.site)} ({event.site})" if event.site else "–"),
        ("From", data.site_name(event.origin) if event.origin else "–"),
        ("To", data.site_name(event.destination) if event.destination else "–"),
        ("Figures", "; ".join(f"{k.replace('_', ' ')}: {_quantity(v)}" for k, v in event.quantities.items()) or "–"),
        ("Tags", ", ".join(event.tags) or "–"),
    ]
    for label, value in rows:
        grid.add_row(Text(label), Text(visible(value)))
    console.print(grid)
    console.print()
    print_paragraph(console, event.summary)
    console.print(Text("\nSources", style="bold"))
    for n, source in enumerate(event.sources, 1):
        console.print(_source_text(n, source), soft_wrap=True)
    if event.disputes:
        console.print(Text("\nOther accounts", style="bold"))
        for dispute in event.disputes:
            line = Text("• ", style="yellow")
            if dispute.about:
                line.append(f"({dispute.about}) ", style="yellow")
            line.append(visible(dispute.claim))
            console.print(line)
            for n, source in enumerate(dispute.sources, 1):
                # Soft wrap: the terminal wraps a long link, so it stays one piece to copy.
                console.print(_source_text(n, source, indent="    "), soft_wrap=True)


def _quantity(value) -> str:
    return f"{value['low']:,}–{value['high']:,}" if isinstance(value, dict) else f"{value:,}"


def _source_text(n: int, source, indent: str = "  ") -> Text:
    line = Text(f"{indent}{n}. ")
    line.append(visible(source.outlet), style="bold")
    if source.published:
        line.append(f", {describe(source.published)}")
    if source.document:
        line.append(visible(f" — {source.document}"), style="dim")
    if source.url:
        line.append(visible(f"\n{indent}   {source.url}"))
    return line


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
# These draw the typed reports built by ``reports.briefing`` (whose to_json is --json).

__all__ += [
    "actor_list_table",
    "base_list_table",
    "print_actor",
    "print_base",
    "print_brief",
    "print_citations",
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
BRIEF_MOVES = 4
BRIEF_DISPUTES = 2
# How many accounts of one dispute the brief shows (show ID gives them all).
BRIEF_ACCOUNTS = 3
# Past this many tracked bases the brief groups them by force, one row each.
BRIEF_BASE_ROWS = 12
# How many strength figures an actor's profile lists (--json has them all).
STRENGTH_ROWS = 5
# How many of an actor's held sites the actor list names (the latest); it counts the rest.
HOLDS_NAMED = 10


def _date_text(value: str | None) -> str:
    return describe(value) if value else "–"


def _flags(item: PeriodView | StatusView) -> str:
    flags = []
    if item.disputed:
        about = getattr(item, "disputed_about", ())
        flags.append("disputed" + (f": {', '.join(about)}" if about else ""))
    if item.uncertain:
        flags.append("uncertain")
    if item.stale and item.last_reported:
        flags.append(f"last reported {describe(item.last_reported)}")
    return "; ".join(flags)


def status_word(status: str, kind: str | None = None, words: dict[str, str] = _STATUS_WORDS) -> str:
    """A status in ``words``; of a town, a province or a country, "vacated" is "no force recorded":
    the forces recorded there left, but a place where people live is never empty."""
    if status == "vacated" and site_class(kind) != "facility":
        return "no force recorded"
    return words.get(status, status.replace("_", " "))


def _status_text(item: PeriodView | StatusView, kind: str | None = None) -> Text:
    text = Text(status_word(item.status, kind))
    status_since = getattr(item, "status_since", None)
    if item.status == "withdrawing" and status_since:
        # When the leaving began; the period's own start is in the Since column.
        text.append(f" from {describe(status_since)}")
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


def _table(*columns: str, expand: bool = False, show_lines: bool = False) -> Table:
    """A table whose cells wrap rather than cut: a reader needs the whole date, site and holder."""
    table = Table(expand=expand, show_lines=show_lines)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _periods_table(items: Sequence[PeriodView], columns: Sequence[str]) -> Table:
    """Periods (holds, left or a site's history) with the columns asked for."""
    table = _table(*columns)
    for item in items:
        cells = {
            "Site": Text(visible(item.site_name)),
            "Actor": Text(visible(item.actor_name)),
            "Role": Text(item.role),
            "Status": _status_text(item),
            "Since": Text(_date_text(item.since)),
            "Until": Text(_date_text(item.until)),
            "To": Text(visible(_to_text(item))),
        }
        table.add_row(*(cells[c] for c in columns))
    return table


def _to_text(period: PeriodView) -> str:
    """Where the force went, and who had the site after it: "Erbil (handed to the Iraqi army)"."""
    after = (f"lost to {period.lost_to_name}" if period.lost_to_name else
             f"handed to {period.handed_to_name}" if period.handed_to_name else "")  # fmt: skip
    if period.destination_name:
        return period.destination_name + (f" ({after})" if after else "")
    return after or "–"


def actor_list_table(report: ActorLines, rows: int, width: int = 120) -> Table:
    """Every actor, or the ``rows`` whose positions changed last (in name order), with the latest sites each holds."""
    columns = _list_columns(("Actor", "Kind", "Country", "Holds", "Left", "Events"), width)
    table = _titled(_table(*columns), f"Actors as of {describe(report.as_of)}")
    marked = False
    # ISO dates, full or partial ("2026", "2026-01"), sort as text in date order.
    for row in most_recent(report.rows, rows, lambda r: r.changed):
        held = [name + ("*" if name in row.doubtful else "") for name in row.held[-HOLDS_NAMED:]]
        marked = marked or bool(row.doubtful.intersection(row.held[-HOLDS_NAMED:]))
        more = f" and {len(row.held) - HOLDS_NAMED:,} more" if len(row.held) > HOLDS_NAMED else ""
        cells = {
            "Actor": Text(visible(row.actor.name)),
            "Kind": Text(visible(_kind_words(row.actor.kind) or "–")),
            "Country": Text(visible(row.actor.country or "–")),
            "Holds": Text(visible(", ".join(held) + more or "–")),
            "Left": Text(str(row.left_count)),
            "Events": Text(str(row.event_count)),
        }
        table.add_row(*(cells[c] for c in columns))
    # A row is the actor's own; its profile adds the forces under it (Israel's, the IDF's bases).
    own = "Each row is the actor's own positions and events; actor NAME adds those of the forces under it."
    table.caption = f"{doubtful_note(report.as_of)}\n{own}" if marked else own
    table.caption_justify = "left"
    return table


def _titled(table: Table, title: str) -> Table:
    table.title, table.title_justify, table.title_style = title, "left", "bold"
    return table


def _holder_text(status: StatusView) -> str:
    return status.holder_name or (f"({status.previous_name} left)" if status.previous_name else "–")


def base_list_table(report: SiteList, rows: int, width: int = 120) -> Table:
    """Every site, or the ``rows`` whose status changed last (in name order)."""
    columns = _list_columns(("Site", "Kind", "Governorate", "Holder", "Status", "Since"), width)
    table = _titled(_table(*columns), f"Sites as of {describe(report.as_of)}")
    for row in most_recent(report.rows, rows, lambda r: r.status.since or ""):
        cells = {
            "Site": Text(visible(row.site.name)),
            "Kind": Text(visible(_kind_words(row.site.kind) or "–")),
            "Governorate": Text(visible(row.site.admin1 or "–")),
            "Holder": Text(visible(_holder_text(row.status))),
            "Status": _status_text(row.status, row.site.kind),
            "Since": Text(_date_text(row.status.since)),
        }
        table.add_row(*(cells[c] for c in columns))
    return table


def _list_columns(columns: Sequence[str], width: int) -> tuple[str, ...]:
    """A list's columns; on a narrow screen without what describes a record rather than its
    position (its kind, country, governorate), so that names and holders keep their words whole."""
    if width >= NARROW_TABLE:
        return tuple(columns)
    return tuple(c for c in columns if c not in ("Kind", "Country", "Governorate"))


def _print_periods(console: Console, title: str, periods: Sequence[PeriodView], columns: Sequence[str], rows: int) -> None:
    """A titled table of periods, the latest ``rows`` of them when there are more (--json has all)."""
    if not periods:
        return
    shown = periods[-rows:]
    more = f" (the latest {len(shown)} of {len(periods):,}; --limit N shows more, --json lists all)"
    console.print(Text(f"\n{title}" + (more if len(shown) < len(periods) else ""), style="bold"))
    console.print(_periods_table(shown, columns))


def print_citations(console: Console, citations: Sequence[Citation], compact: bool = False) -> None:
    """The events a paragraph cites, numbered: date, a short title and the outlets (one line each when compact)."""
    if not citations:
        return
    lines = []
    for c in citations:
        line = Text(f"[{c.number}] ", style="dim")
        line.append(describe(c.date, c.end_date, c.approximate) + " — ")
        outlets = visible(f" ({', '.join(c.outlets)})") if c.outlets else ""
        title = visible(c.title)
        if compact:
            # One line each: the title gives way, so that who reported it is never the part cut
            # off; on a narrow screen the first outlet stands for the rest.
            room = console.width - line.cell_len - cell_len(outlets)
            if room < _TITLE_ROOM and len(c.outlets) > 1:
                outlets = visible(f" ({c.outlets[0]} +{len(c.outlets) - 1})")
                room = console.width - line.cell_len - cell_len(outlets)
            title = cut_at_word(title, max(room, 1), cell_len)
        line.append(title)
        line.append(outlets, style="dim")
        lines.append(line)
    # One print for them all: each print costs Rich a render pass (a comparison cites a hundred events).
    console.print(Text("\n").join(lines), no_wrap=compact, overflow="ellipsis" if compact else None)


# The fewest cells a cut citation title keeps ("Early on 23…").
_TITLE_ROOM = 12


def _print_story(console: Console, narrative: str, citations: Sequence[Citation], compact: bool = False) -> None:
    for paragraph in narrative.split("\n\n"):
        print_paragraph(console, paragraph)
    if citations:
        if not compact:
            console.print()
        print_citations(console, citations, compact)


def print_actor(console: Console, report: ActorProfile, data: Dataset, rows: int) -> None:
    """An actor's profile: who it is, what it holds and has left, its figures, narrative and events.

    Each table shows its latest ``rows`` rows (the events are already the latest ones).
    """
    actor = report.actor
    about = [_kind_words(actor.kind), actor.country or ""]
    _heading(console, actor.name, " · ".join(a for a in about if a) + f" · as of {describe(report.as_of)}")
    extra = []
    if others := _other_names(actor.name, actor.aliases):
        extra.append("Also: " + others)
    if report.parent_name:
        extra.append("Part of: " + report.parent_name)
    if report.affiliation_names:
        extra.append("Affiliations: " + ", ".join(report.affiliation_names))
    for line in extra:
        console.print(Text(visible(line), style="dim"))
    console.print()
    _print_story(console, report.narrative, report.citations)
    through = len(report.through) > 1
    _print_periods(console, "Holds", report.holds, ("Site", *(("Actor",) if through else ()), "Role", "Status", "Since", "To"), rows)
    _print_periods(console, "Left", report.left, ("Site", *(("Actor",) if through else ()), "Status", "Since", "Until", "To"), rows)
    if report.strength:
        console.print(Text("\nReported strength", style="bold"))
        for figure in report.strength[:STRENGTH_ROWS]:
            row = Text(f"{_figure(figure)}, {describe(figure.date, figure.end_date, figure.approximate)}{_reported_on(figure)}")
            if sureness := figure_status(figure):
                row.append(f" ({sureness})", style="yellow")
            row.append(f"  [{visible(figure.event)}]", style="dim")
            console.print(Padding(row, (0, 0, 0, 2)))  # a wrapped line stays under the figure, not at the margin
    _print_events(console, report.events, report.span.event_count, data)


def print_base(console: Console, report: SiteProfile, data: Dataset, rows: int) -> None:
    """A site's profile: where and what it is, its state, history, disputes, narrative and events."""
    site = report.site
    kind = _kind_words(site.kind) or "site"
    where = ", ".join(p for p in (site.admin1, site.country) if p)
    _heading(console, site.name, f"{kind} · {where} · as of {describe(report.as_of)}")
    if site.lat is not None and site.lon is not None:
        precision = site.location_precision or "approximate"
        said = _PRECISION_WORDS.get(precision, precision)
        console.print(Text(visible(f"Location: {site.lat:.4f}, {site.lon:.4f} ({said})"), style="dim"))
    if others := _other_names(site.name, site.aliases):
        console.print(Text(visible("Also: " + others), style="dim"))
    status = Text("Status: ", style="bold")
    status.append(visible(_status_line(report.status, data, site.kind)))
    flags = _flags(report.status)
    if flags:
        status.append(f" ({flags})", style="yellow")
    if report.force and counted_elsewhere(report.status, report.force, data):  # held by a force that joined another
        status.append(visible(f"; counted as {actor_phrase(report.force, data)}'s"))
    console.print(status)
    if report.notes:
        _print_notes(console, report.notes)
    console.print()
    _print_story(console, report.narrative, report.citations)
    _print_periods(console, "Control history", report.history, ("Actor", "Role", "Status", "Since", "Until", "To"), rows)
    if report.accounts:
        console.print(Text("\nAccounts differ", style="bold"))
        _print_accounts(console, report.accounts)
    _print_events(console, report.events, report.span.event_count, data)


def _print_notes(console: Console, notes: Sequence[Note]) -> None:
    """Sourced remarks on the site itself, each with who reported it and when (--json has the links)."""
    console.print(Text("Notes", style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for note in notes:
        cited = "; ".join(
            s.outlet + (f", {describe(s.published)}" if s.published else "")
            for s in note.sources
        )
        line = Text(visible(note.text))
        line.append(visible(f" ({cited})"), style="dim")
        grid.add_row(Text("•"), line)
    console.print(grid)


def _print_accounts(console: Console, items: Sequence[Contested]) -> None:
    """Each disputed event and every account of it, with who gives each."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row(Text("•"), Text(visible(f"{describe(item.date)} {item.event}"), style="yellow"))
        for account in item.accounts:
            line = Text(visible(", ".join(account.outlets) or "unnamed source") + ": ", style="bold")
            line.append(visible(account.claim), style="not bold")
            grid.add_row(Text(""), line)
    console.print(grid)


def _print_events(console: Console, events: Sequence | EventTexts, total: int, data: Dataset) -> None:
    """A profile's events: the latest ones the report lists, saying how many there are in all."""
    assert isinstance(events, Sequence), "a table is given events, not --json texts (briefing._events)"
    if not events:
        return
    heading = f"\nEvents ({len(events)} of {total:,} shown)" if len(events) < total else "\nEvents"
    console.print(Text(heading, style="bold"))
    console.print(event_table(events, data, console.width))


def print_comparison(console: Console, comparison: Comparison | Changes, rows: int) -> bool:
    """Subjects side by side, one column each, then the narrative; or what changed between two days.

    Each list in a cell shows its latest ``rows`` sites, and the table of changes the ``rows`` sites
    that changed last (--json has them all). Returns whether a list in a cell was cut.
    """
    cut = False
    if isinstance(comparison, Changes):
        _heading(console, "What changed", f"between {describe(comparison.since)} and {describe(comparison.until)}")
        if comparison.differences:
            shown = latest_changes(comparison.differences, rows)
            table = _table("Site", "Before", "After")
            for change in shown:
                implied = change.lost_by_name if change.implied_holder else None
                table.add_row(Text(visible(change.site_name)), _state_cell(change.before, implied), _state_cell(change.after))
            console.print(table)
    else:
        window = f"{describe(comparison.since)} – " if comparison.since else "up to "
        _heading(console, "Comparison", f"{window}{describe(comparison.until)} · as of {describe(comparison.as_of)}")
        table = Table(expand=False, show_lines=True)
        table.add_column("")
        for subject in comparison.subjects:
            table.add_column(Text(visible(subject.name)), overflow="fold")
        for label, items_of, text_of in _comparison_rows(comparison.subjects):
            columns = [items_of(s) for s in comparison.subjects]
            cut = cut or any(len(items) > rows for items in columns)
            table.add_row(Text(label, style="bold"), *(Text(visible(_latest_lines(items, rows, text_of))) for items in columns))
        console.print(table)
    console.print()
    _print_story(console, comparison.narrative, comparison.citations)
    return cut


_PRECISION_WORDS = {"area": "area only: the point of the area reports name, not of the site itself"}


def _other_names(name: str, aliases: Sequence[str]) -> str:
    """The names besides ``name`` a record answers to (aliases usually repeat the name itself)."""
    return ", ".join(alias for alias in aliases if alias.casefold() != name.casefold())


def _status_line(status: StatusView, data: Dataset, kind: str | None = None) -> str:
    """``held by the Syrian army since 12 Feb 2026``: names as the paragraph reads them (actor_phrase)."""
    since = f" since {describe(status.since)}" if status.since else ""
    holder = actor_phrase(status.holder, data) if status.holder else status.holder_name
    if status.status == "active":
        return f"held by {holder}{since}"
    if status.status == "withdrawing":
        return f"{holder} withdrawing{since}"
    if status.status == "unknown":
        return "no record of who holds it"
    who = f" — {actor_phrase(status.previous, data)} left" if status.previous else ""
    # The day a stay ended is the last day its closing event may cover: a withdrawal
    # reported over 16–22 Dec was over "by 22 Dec", not "on" it (the paragraph gives the span).
    when = ""
    if status.since:
        when = f" by {describe(status.since)}" if precision_of(status.since) == "day" else f" {on_day(status.since)}"
    return f"{status_word(status.status, kind)}{who}{when}"


def _state_cell(state: StatusView, implied_holder: str | None = None) -> Text:
    if implied_holder:  # SiteChange.implied_holder
        return Text(visible(f"{implied_holder} (implied by the change)"))
    who = _holder_text(state) if state.status != "unknown" else ""
    text = Text(visible(who) + (" — " if who else ""))
    text.append_text(_status_text(state))
    return text


def _latest_lines(items: Sequence[Any], rows: int, text_of: Callable[[Any], str]) -> str:
    """A cell's items one per line, the latest ``rows`` of them under a count when there are more.

    Only the items shown are written out: a big actor has left thousands of sites.
    """
    if not items:
        return "–"
    lines = [text_of(item) for item in items[-rows:]]
    if len(items) <= rows:
        return "\n".join(lines)
    return "\n".join([f"(latest {rows} of {len(items):,})", *lines])


def _comparison_rows(subjects: Sequence[ActorSubject | SiteSubject]) -> list[tuple[str, Callable[[Any], Sequence[Any]], Callable[[Any], str]]]:
    """The table's rows: a label, the items each subject's cell lists, and how an item reads (one line each)."""
    if isinstance(subjects[0], SiteSubject):
        return [
            ("Holder", lambda s: [_holder_text(s.status)], str),
            ("Status", lambda s: [_STATUS_WORDS.get(s.status.status, s.status.status) + (f" ({_flags(s.status)})" if _flags(s.status) else "")], str),
            ("Since", lambda s: [_date_text(s.status.since)], str),
            ("Governorate", lambda s: [s.admin1 or "–"], str),
            ("Changes", lambda s: s.changes, lambda m: f"{describe(m.date, m.end_date)} {_move_kind(m)}"),
            ("Events", lambda s: [str(s.span.event_count)], str),
        ]
    return [
        ("Holds", lambda s: s.holds, _held_text),
        ("Left", lambda s: _by_site(s.left), _left_text),
        ("Destinations", lambda s: s.destination_names, str),
        ("Governorates left", lambda s: s.regions_left, str),
        ("Strength", lambda s: s.strength, lambda f: f"{_figure(f)} ({describe(f.date, f.end_date, f.approximate)}{_reported_on(f)})"),
        ("Events", lambda s: [str(s.span.event_count)], str),
        ("First, last event", lambda s: [e for e in (s.span.first_event, s.span.last_event) if e], _event_ref_text),
    ]


def _held_text(period: PeriodView) -> str:
    """A hold, whether the sources dispute it and, when its newest report is old, how old (as a profile's
    table says it; the paragraph says "was last reported holding")."""
    disputed = ", disputed" if period.disputed else ""
    old = f", last reported {describe(period.last_reported)}" if period.stale and period.last_reported else ""
    return f"{period.site_name} ({_STATUS_WORDS[period.status]}{disputed}{old})"


def _by_site(left: Sequence[PeriodView]) -> list[list[PeriodView]]:
    """Departures from one site together, where the latest of them falls; one still under way stays apart."""
    groups: dict[tuple[str, bool], list[PeriodView]] = {}
    for period in left:
        key = (period.site, period.status == "withdrawing")
        groups[key] = [*groups.pop(key, []), period]  # moved to the end: ordered by its latest departure
    return list(groups.values())


def _left_text(periods: Sequence[PeriodView]) -> str:
    """When it left a site, each time; a withdrawal still under way (from an area it was never placed in) has no end yet."""
    period = periods[-1]
    if period.status == "withdrawing" and period.stale and period.last_reported:
        # As the paragraph says it: a withdrawal nobody reported on for months may be over.
        return f"{period.site_name} (last reported leaving, {describe(period.last_reported)})"
    if period.status == "withdrawing":
        return f"{period.site_name} (leaving" + (f" since {describe(period.status_since)})" if period.status_since else ")")
    return f"{period.site_name} ({', '.join(_date_text(p.until) for p in periods)})"


def _event_ref_text(ref: EventRef) -> str:
    return f"{describe(ref.date, ref.end_date)}: {ref.type.replace('_', ' ')}"


def _reported_on(figure: Figure) -> str:
    """The place of the report a figure comes from (it may still count a whole force), unless Syria."""
    return f", in a report on {visible(figure.reported_at)}" if figure.reported_at else ""


def _figure(figure: Figure) -> str:
    return visible(figure_text(figure.value, figure.label or figure.name))


def print_brief(console: Console, report: Brief) -> None:
    """The situation report on one screen: paragraphs, the bases by force, recent moves, disputes."""
    _heading(console, f"Brief as of {describe(report.as_of)}", f"moves of the last {report.days} days")
    _print_story(console, report.narrative, report.citations, compact=True)
    console.print(_bases_by_force(report.bases, report.as_of) if len(report.bases) > BRIEF_BASE_ROWS else _bases_table(report.bases))
    moves = report.moves
    if moves:
        console.print(Text(f"\nMoves since {describe(report.since)}", style="bold"))
        shown = moves[-BRIEF_MOVES:]
        dates = [describe(move.date, move.end_date) for move in shown]
        flags = [("disputed" if move.disputed else "") + ("?" if move.in_window != "inside" else "") for move in shown]
        # Date and flag keep their full width; the description (who, what, where) wraps, never cut.
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(no_wrap=True, width=max(map(len, dates)))
        grid.add_column(no_wrap=True, width=max(map(len, flags)))
        grid.add_column(overflow="fold", ratio=1)
        for move, day, flag in zip(shown, dates, flags):
            grid.add_row(Text(day), Text(flag, style="yellow"), Text(visible(_move_words(move))))
        console.print(grid)
        notes = []
        if any(m.in_window != "inside" for m in shown):
            notes.append("? dated only roughly: possibly inside the window")
        if len(moves) > BRIEF_MOVES:
            notes.append(f"{len(moves) - BRIEF_MOVES} earlier: syriabrief timeline --since {report.since}")
        if notes:
            console.print(Text("; ".join(notes), style="dim"))
    if report.disputes:
        console.print(Text("\nOpen disputes (who says what)", style="bold"))
        for item in report.disputes[-BRIEF_DISPUTES:]:
            console.print(Text(visible(f"{describe(item.date)} {item.event}"), style="yellow"), no_wrap=True, overflow="ellipsis")
            for account in item.accounts[:BRIEF_ACCOUNTS]:
                line = Text("  " + visible(", ".join(account.outlets[:2]) or "unnamed source") + ": ", style="bold")
                line.append(visible(_claim_text(account)), style="not bold")
                console.print(line, no_wrap=True, overflow="ellipsis")
        if len(report.disputes) > BRIEF_DISPUTES:
            console.print(Text(f"{len(report.disputes) - BRIEF_DISPUTES} more: --json lists every account; show ID gives one whole", style="dim"))


def _claim_text(account) -> str:
    """A claim without a repeat of who makes it ("Syrian sources: Syrian sources: ...")."""
    claim = account.claim
    for outlet in account.outlets:
        if claim.casefold().startswith(outlet.casefold() + ":"):
            return claim[len(outlet) + 1 :].lstrip()
    return claim


def _bases_table(bases: Sequence[BaseState]) -> Table:
    table = Table(expand=True, box=None, pad_edge=False, show_header=True, header_style="bold")
    for column in ("Force", "Base", "Holder", "Status", "Since"):
        table.add_column(column, overflow="fold")
    previous = None
    for base in sorted(bases, key=lambda b: ((b.force_name or "~").casefold(), b.site_name.casefold())):
        force = base.force_name or "–"
        table.add_row(
            Text(visible(force) if force != previous else "", style="bold"),
            Text(visible(base.site_name)),
            Text(visible(_holder_text(base.status))),
            _status_text(base.status),
            Text(_date_text(base.status.since)),
        )
        previous = force
    return table


def _bases_by_force(bases: Sequence[BaseState], as_of: str) -> Table:
    """Many bases: one row per force, its bases named by state (brief --actor X lists them one by one)."""
    table = Table(expand=True, box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("Force", overflow="fold", ratio=1)
    table.add_column("Bases", overflow="fold", ratio=4)
    groups: dict[str, list[BaseState]] = {}
    for base in bases:
        key = base.force_name if base.status.status in ("active", "withdrawing") else "No force recorded"
        groups.setdefault(key or "–", []).append(base)
    for force, items in sorted(groups.items(), key=lambda kv: (kv[0] == "No force recorded", kv[0].casefold())):
        cell = Text()
        for word in _BRIEF_STATES:
            chosen = [b for b in items if _brief_word(b.status) == word]
            if not chosen:
                continue
            if cell:
                cell.append(" · ")  # not "; ", which may part the names of one group
            cell.append(f"{word} ({len(chosen)}): ", style="bold")
            # A name with a comma in it ("IRGC operations centre, Mezzeh") would read as two in a comma list.
            between = "; " if any("," in b.site_name for b in chosen) else ", "
            cell.append(visible(between.join(b.site_name + ("*" if b.status.doubtful else "") for b in chosen)))
        table.add_row(Text(visible(force), style="bold"), cell)
    table.add_row(Text(""), Text(doubtful_note(as_of), style="dim"))
    return table


# The states in the brief's table of bases by force, in order. A hold or a withdrawal whose newest
# report is months old is told as "last reported", never as current: the narratives' rule.
_BRIEF_STATES = (
    "held", "last reported held", "withdrawing", "last reported leaving", "vacated", "handed over", "lost", "no record",
)  # fmt: skip


def _brief_word(status: StatusView) -> str:
    word = _STATUS_WORDS.get(status.status, status.status)
    if status.stale and status.status in ("active", "withdrawing"):
        return "last reported held" if status.status == "active" else "last reported leaving"
    return word


def _move_kind(move: MoveView) -> str:
    """``deployment``, ``control change``; ``planned deployment`` for a plan, which moved nobody."""
    return ("planned " if move.status == "planned" else "") + move.type.replace("_", " ")


def _move_words(move: MoveView) -> str:
    actors = move.actor_names or move.actors
    who = ", ".join(actors[:1]) or "?"
    kind = _move_kind(move) + (f" ({move.stage})" if move.stage else "")
    route = f" → {move.destination_name}" if move.destination_name and move.destination != move.site else ""
    if not move.site_name and move.origin_name:  # "withdrawal from Tartus naval facility"
        return f"{who}: {kind} from {move.origin_name}{route}"
    site = move.site_name or "?"
    if move.type in ("handover", "control_change") and len(actors) > 1 and not route:
        route = f" ({'to' if move.type == 'handover' else 'from'} {actors[1]})"
    return f"{who}: {kind} @ {site}{route}"
