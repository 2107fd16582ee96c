"""``syriabrief timeline``: events in date order, filtered."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from . import (
    DEFAULT_TABLE_ROWS,
    DbOption,
    EventStatus,
    EventType,
    JsonOption,
    SinceOption,
    UntilOption,
    app,
    handles_errors,
    load,
)
from ..model import EVENT_STATUSES, EVENT_TYPES

# Up to this many matches the paragraph above the table describes all of them;
# past it, only the rows shown (reading every match would take seconds at 1M).
SUMMARISE_ALL_UP_TO = 5_000


@app.command()
@handles_errors
def timeline(
    since: SinceOption = None,
    until: UntilOption = None,
    actor: Annotated[Optional[list[str]], typer.Option(metavar="NAME", help="Only events involving this actor (any alias; repeatable).")] = None,
    site: Annotated[Optional[list[str]], typer.Option(metavar="NAME", help="Only events at, from or to this site (repeatable).")] = None,
    event_type: Annotated[Optional[list[EventType]], typer.Option("--type", metavar="TYPE", case_sensitive=False, help="Only events of this type (repeatable): " + ", ".join(EVENT_TYPES) + ".")] = None,
    status: Annotated[Optional[list[EventStatus]], typer.Option(metavar="STATUS", case_sensitive=False, help="Only events with this status (repeatable): " + ", ".join(EVENT_STATUSES) + ".")] = None,
    search: Annotated[Optional[str], typer.Option(metavar="TEXT", help="Only events whose summary contains this text (any case).")] = None,
    limit: Annotated[Optional[int], typer.Option(metavar="N", min=1, help=f"Only the most recent N matching events (the table shows {DEFAULT_TABLE_ROWS} unless told).")] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What happened, when, and per whom: events in date order.

    Example: syriabrief timeline --since 2026-01 --actor SDF
    """
    from ..dates import parse_user_date
    from ..query import EventFilter

    data = load(db)
    where = EventFilter(
        since=parse_user_date(since) if since else None,
        until=parse_user_date(until) if until else None,
        actors=frozenset(data.actor(name).id for name in actor or ()),
        sites=frozenset(data.site(name).id for name in site or ()),
        types=frozenset(t.value for t in event_type or ()),
        statuses=frozenset(s.value for s in status or ()),
        search=search,
    )
    if json:
        from ..jsonout import write_json_list

        write_json_list(data.select_json(where, limit))
        return
    from ..narrative import count_phrase, timeline_summary
    from ..render import event_table, make_console, print_paragraph

    # Count first, then fetch only what is shown: an indexed store of a million
    # events answers a broad question without loading them all.
    total = data.count(where)
    rows = limit or DEFAULT_TABLE_ROWS
    if total <= SUMMARISE_ALL_UP_TO:
        matched = data.select(where)
        shown = matched[-rows:]
        paragraph = timeline_summary(matched, data, shown=len(shown))
    else:
        shown = data.select(where, rows)
        paragraph = timeline_summary(shown, data, total=total)
    console = make_console()
    print_paragraph(console, paragraph)
    if shown:
        console.print(event_table(shown, data, console.width))
    if len(shown) < total and limit is None:
        typer.echo(
            f"Showing the latest {count_phrase(len(shown), 'event')} of {total:,}; "
            "use --limit N to see more, or --json for all.",
            err=True,
        )
