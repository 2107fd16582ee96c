"""``syriabrief timeline``: events in date order, filtered."""

from enum import Enum
from typing import Annotated

import typer

from syriabrief.cli.common import (
    DEFAULT_TABLE_ROWS,
    ActorOption,
    DbOption,
    DisputedOption,
    JsonOption,
    SearchOption,
    SinceOption,
    SiteOption,
    StatusOption,
    TypeOption,
    UntilOption,
    app,
    event_filter,
    handles_errors,
    load,
)
from syriabrief.errors import UsageError


class Per(str, Enum):
    auto = "auto"
    week = "week"
    month = "month"


class By(str, Enum):
    type = "type"
    actor = "actor"


# Up to this many matches the paragraph above the table describes all of them;
# past it, only the rows shown (reading every match would take seconds at 1M).
SUMMARISE_ALL_UP_TO = 5_000


@app.command()
@handles_errors
def timeline(
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    site: SiteOption = None,
    event_type: TypeOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    disputed: DisputedOption = False,
    limit: Annotated[int | None, typer.Option(metavar="N", min=1, help=f"Only the most recent N matching events (the table shows {DEFAULT_TABLE_ROWS} unless told).")] = None,
    chart: Annotated[bool, typer.Option("--chart", help="A chart of how many events fell in each week or month, instead of the table.")] = False,
    per: Annotated[Per, typer.Option(case_sensitive=False, help="With --chart: count per week or month (auto: weeks when the events span half a year or less).")] = Per.auto,
    by: Annotated[By, typer.Option(case_sensitive=False, help="With --chart: split each bar by event type or by the acting (first) actor.")] = By.type,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What happened, when, and per whom: events in date order.

    --chart draws the same events over time; --json then prints the counts.

    \b
    Example: syriabrief timeline --since 2026-01 --actor SDF
    Example: syriabrief timeline --disputed --site Qasrak
    Example: syriabrief timeline --chart --by actor --since 2025
    """
    import datetime

    if not chart and (per is not Per.auto or by is not By.type):
        raise UsageError("--per and --by go with --chart: syriabrief timeline --chart --per month --by actor.")
    data = load(db)
    where = event_filter(data, since, until, actor, site, event_type, status, search, disputed)
    if chart:
        _chart(data, where, per.value, by.value, limit, json)
        return
    if json:
        from syriabrief.output.jsonout import write_json_list

        write_json_list(data.select_json(where, limit) if limit is not None else data.stream_json(where))
        return
    from syriabrief.output.terminal import event_table, make_console, print_paragraph
    from syriabrief.reports.narrative import count_phrase, timeline_summary

    # Count first, then fetch only what is shown: an indexed store of a million
    # events answers a broad question without loading them all.
    total = data.count(where)
    rows = limit or DEFAULT_TABLE_ROWS
    if total <= SUMMARISE_ALL_UP_TO:
        matched = data.select(where)
        shown = matched[-rows:]
        paragraph = timeline_summary(matched, data, shown=len(shown), as_of=datetime.date.today())
    else:
        shown = data.select(where, rows)
        paragraph = timeline_summary(shown, data, total=total, as_of=datetime.date.today())
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


def _chart(data, where, per: str, by: str, limit: int | None, json: bool) -> None:
    """Events over time: counts per week or month, drawn as bars (or --json)."""
    from syriabrief.reports.activity import activity

    report = activity(data, where, per, by, limit=limit)
    if json:
        from syriabrief.output.jsonout import write_json

        write_json(report.to_json())
        return
    if not report.total and not report.coarse:
        typer.echo("No events matched; nothing to chart.", err=True)
        return
    from syriabrief.output.charts import print_activity
    from syriabrief.output.terminal import make_console

    print_activity(make_console(), report)
