"""The command line: Typer commands that parse options, call the library and render.

The only module that imports Typer. Commands stay thin: resolve names and dates,
ask ``query``/``positions``, hand the result to ``render`` (people) or
``render.write_json`` (scripts). Every SyriabriefError becomes ``Error: ...`` on
stderr and its exit code (docs/cli.md), never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from . import __version__
from .errors import SyriabriefError
from .model import EVENT_STATUSES, EVENT_TYPES

__all__ = ["app", "main"]

# A table longer than this is cut (saying so) unless --limit asks for more:
# drawing thousands of rows takes seconds and nobody reads them.
DEFAULT_TABLE_ROWS = 50

EventType = Enum("EventType", {t: t for t in EVENT_TYPES}, type=str)
EventStatus = Enum("EventStatus", {s: s for s in EVENT_STATUSES}, type=str)

app = typer.Typer(
    name="syriabrief",
    help="Sourced briefings on foreign forces and actors in Syria.\n\nExample: syriabrief timeline --since 2026-01",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    Optional[Path],
    typer.Option(
        "--db",
        metavar="PATH",
        envvar="SYRIABRIEF_DB",
        show_envvar=True,
        help="Store file to read (default: the bundled dataset).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
SinceOption = Annotated[
    Optional[str],
    typer.Option(metavar="DATE", help="Only events on or after this date: 2026, 2026-01, 2026-01-15, 'Jan 2026'."),
]
UntilOption = Annotated[
    Optional[str],
    typer.Option(metavar="DATE", help="Only events on or before this date (2026-01 includes 31 January)."),
]


def _handles_errors(command: Callable) -> Callable:
    """Turn library errors into a one-line message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except SyriabriefError as error:
            from .render import visible

            typer.echo(f"Error: {visible(error)}", err=True)
            raise typer.Exit(error.exit_code) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"syriabrief {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Sourced briefings on foreign forces and actors in Syria.

    Example: syriabrief timeline --since 2026-01
    """


@app.command()
@_handles_errors
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
    from .dates import parse_user_date
    from .query import EventFilter, select_events

    data = _load(db)
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
        from .render import write_json

        write_json([e.to_json() for e in select_events(data.events, where, limit)])
        return
    from .narrative import count_phrase, timeline_summary
    from .render import event_table, make_console, print_paragraph

    matched = select_events(data.events, where)
    shown = matched[-(limit or DEFAULT_TABLE_ROWS) :]
    console = make_console()
    print_paragraph(console, timeline_summary(matched, data, shown=len(shown)))
    if shown:
        console.print(event_table(shown, data, console.width))
    if len(shown) < len(matched) and limit is None:
        typer.echo(
            f"Showing the latest {count_phrase(len(shown), 'event')} of {len(matched):,}; "
            "use --limit N to see more, or --json for all.",
            err=True,
        )


def _load(db: Optional[Path]):
    from .store import bundled_path, load_dataset

    return load_dataset([db if db else bundled_path()])


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        # The reader went away (``syriabrief timeline --json | head``): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
