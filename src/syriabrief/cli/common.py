"""What every command shares: the Typer app, the common options, settings and error handling.

Each command module registers its commands on ``app`` when it is imported
(``syriabrief.cli`` imports only the one being run). Commands stay thin: resolve
names and dates, ask the reports, hand the result to ``output.terminal`` (people)
or ``output.jsonout`` (scripts). Every SyriabriefError becomes ``Error: ...`` on
stderr and its exit code (docs/cli.md), never a traceback.
"""

import datetime
import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syriabrief import __version__
from syriabrief.domain.model import EVENT_STATUSES, EVENT_TYPES
from syriabrief.errors import SyriabriefError

if TYPE_CHECKING:
    from syriabrief.storage.paths import Layers

__all__ = [
    "ActorOption",
    "DbOption",
    "DisputedOption",
    "JsonOption",
    "LIST_ROWS",
    "SearchOption",
    "SinceOption",
    "SiteOption",
    "StatusOption",
    "TypeOption",
    "UntilOption",
    "app",
    "as_of_day",
    "dash_is_stdout",
    "describe_os_error",
    "event_filter",
    "handles_errors",
    "layers",
    "load",
    "silence_stdout",
    "write_target",
]

# A table longer than this is cut (saying so) unless --limit asks for more:
# drawing thousands of rows takes seconds and nobody reads them.
DEFAULT_TABLE_ROWS = 50
# A profile (actor, base) has up to three tables under its paragraph: fewer rows each.
PROFILE_TABLE_ROWS = 20
# How many sites the list under a map shows unless told (--limit): every one of the bundled data's.
MAP_TABLE_ROWS = 60
# ``actor`` and ``base`` without a name list every actor or site: all of the bundled
# dataset's, but only the most recently changed of a big store's.
LIST_ROWS = 100

# The choices are the domain's own tuples (one list of types); mypy cannot follow a computed Enum.
EventType = Enum("EventType", {t: t for t in EVENT_TYPES}, type=str)  # type: ignore[misc]
EventStatus = Enum("EventStatus", {s: s for s in EVENT_STATUSES}, type=str)  # type: ignore[misc]

app = typer.Typer(
    name="syriabrief",
    help="Sourced briefings on foreign forces and actors in Syria.\n\nExample: syriabrief timeline --since 2026-01",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: no Rich box around a mistyped option, and no
    # Rich import just to print help.
    rich_markup_mode=None,
)

def _db_before_the_command(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> Path | None:
    """``syriabrief --db S brief`` is ``syriabrief brief --db S``: a --db given before the command
    stands over SYRIABRIEF_DB; one given after the command stands over both."""
    given_first = ctx.find_root().params.get("db")
    source = ctx.get_parameter_source(param.name or "db")
    if given_first is not None and (source is None or source.name != "COMMANDLINE"):
        return given_first
    return value


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        envvar="SYRIABRIEF_DB",
        show_envvar=True,
        callback=_db_before_the_command,
        help="Your own store, read over the bundled dataset (default: a per-user file; see 'syriabrief store').",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
SinceOption = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Only events on or after this date: 2026, 2026-01, 2026-01-15, 'Jan 2026'."),
]
UntilOption = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Only events on or before this date (2026-01 includes 31 January)."),
]

# The event filters timeline, export and other event-listing commands share.
ActorOption = Annotated[
    list[str] | None,
    typer.Option("--actor", metavar="NAME", help="Only events involving this actor (any alias; repeatable)."),
]
SiteOption = Annotated[
    list[str] | None,
    typer.Option(
        "--site", metavar="NAME", help="Only events at, from or to this site or a place inside it (repeatable)."
    ),
]
TypeOption = Annotated[
    list[EventType] | None,
    typer.Option(
        "--type",
        metavar="TYPE",
        case_sensitive=False,
        help="Only events of this type (repeatable): " + ", ".join(EVENT_TYPES) + ".",
    ),
]
StatusOption = Annotated[
    list[EventStatus] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        case_sensitive=False,
        help="Only events with this status (repeatable): " + ", ".join(EVENT_STATUSES) + ".",
    ),
]
DisputedOption = Annotated[
    bool,
    typer.Option("--disputed", help="Only events the sources disagree about (status disputed, or another account kept)."),
]
SearchOption = Annotated[
    str | None,
    typer.Option("--search", metavar="TEXT", help="Only events whose summary contains this text (any case)."),
]


def event_filter(data, since=None, until=None, actor=None, site=None, event_type=None, status=None, search=None, disputed=False):
    """The EventFilter the shared filter options ask for: names resolved, dates parsed.

    A site stands for itself and every site nested under it, and an actor for
    itself and every actor under it (Israel is the IDF's moves too), so that
    the in-memory filter and the index (which both match ids) answer alike.
    """
    from syriabrief.domain.dates import parse_user_date
    from syriabrief.domain.filters import EventFilter
    from syriabrief.errors import UsageError

    first = parse_user_date(since) if since is not None else None
    last = parse_user_date(until) if until is not None else None
    if first and last and first.start > last.end:
        raise UsageError(f"--since {since} is after --until {until}; nothing could match.")
    return EventFilter(
        since=first,
        until=last,
        actors=frozenset(inner for name in actor or () for inner in data.under(named(data, "actor", name).id)),
        # A place includes what lies inside it: --site Qamishli is the city and its airport.
        sites=frozenset(inner for name in site or () for inner in data.within(named(data, "site", name).id)),
        types=frozenset(t.value for t in event_type or ()),
        statuses=frozenset(s.value for s in status or ()),
        search=search,
        disputed=disputed,
    )


def as_of_day(text: str | None, option: str = "--as-of") -> datetime.date:
    """The day an answer is for: the last day of the period typed (``2026-02``: 28 Feb), or today.

    A day after today is answered as asked, with a note on stderr: the answer is the latest state
    recorded (a planned move changes no position), its ages counted to that day.
    """
    today = datetime.date.today()
    if not text:
        return today
    from syriabrief.domain.dates import describe, parse_user_date
    from syriabrief.domain.safetext import visible

    day = parse_user_date(text).end
    if day > today:
        shown = describe(day.isoformat())
        typer.echo(visible(f"Note: {option} {text.strip()} ends on {shown}, after today: this is the latest state "
                           "recorded, its ages counted to that day."), err=True)  # fmt: skip
    return day


def named(data, kind: str, name: str):
    """The actor or site ``name`` means (``kind``: "actor" or "site"). A name matched only loosely
    (by its transliteration, or another spelling) is said on stderr, so that the reader knows what
    was taken: "Rusia" answers for Russia, "Quasrak" for Qasrak base."""
    from syriabrief.domain.safetext import visible

    record = data.actor(name) if kind == "actor" else data.site(name)
    how = (data.actor_names if kind == "actor" else data.site_names).how(name, record.id)
    if how in ("transliteration", "other spelling"):
        typer.echo(visible(f"Note: {kind} {name.strip()!r} taken as {record.name} ({record.id}), a loose match ({how})."), err=True)
    return record


def handles_errors(command: Callable) -> Callable:
    """Turn library errors into a one-line message on stderr and the documented exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            sys.stdout.flush()  # a closed pipe shows here, while it can still be handled
            return result
        except BrokenPipeError:
            # The reader went away (``syriabrief brief | head``): not an error.
            # Click would exit 1 here; stdout is pointed at /dev/null so that
            # the final flush does not fail again.
            silence_stdout()
            raise typer.Exit(0) from None
        except SyriabriefError as error:
            from syriabrief.domain.safetext import visible

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
    db: Annotated[
        Path | None,
        typer.Option("--db", metavar="PATH", help="Your own store, for the command that follows (as its own --db)."),
    ] = None,
) -> None:
    """Sourced briefings on foreign forces and actors in Syria.

    Example: syriabrief timeline --since 2026-01
    """


def layers(db: Path | None) -> "Layers":
    """The stores this command reads and writes: --db / SYRIABRIEF_DB over SYRIABRIEF_BUNDLED.

    The one place the bundled-dataset setting is read; everything below is handed the result.
    """
    from syriabrief.storage.paths import resolve_layers

    return resolve_layers(db, os.environ.get("SYRIABRIEF_BUNDLED"))


def write_target(db: Path | None) -> Path:
    """The store a write goes to: --db / SYRIABRIEF_DB, else the per-user default.

    The default's directory is created by the first write; a store named
    explicitly must be in a directory that exists, so that a mistyped path is
    an error rather than a new directory tree.
    """
    if db is None:
        return layers(None).user
    if not db.parent.is_dir():
        raise SyriabriefError(f"there is no directory {db.parent} for the store {db}; create it first, or check the path")
    return db


def load(db: Path | None):
    """The dataset a command reads: the bundled store with the user's store over it."""
    from syriabrief.storage.loading import load_dataset

    return load_dataset(layers(db).read)


def dash_is_stdout(value: Path | None) -> Path | None:
    """An ``--output`` callback: ``-o -`` is standard output, as ``-`` is standard input for
    import, validate and read (not a file named "-")."""
    return None if value is not None and str(value) == "-" else value


def describe_os_error(error: OSError) -> str:
    """A system error in one line: ``No space left on device.``, with the file when one is named."""
    from syriabrief.domain.safetext import visible

    where = f"{visible(error.filename)}: " if error.filename else ""
    return f"{where}{error.strerror or error}."


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the final flush after a failed write (a closed pipe, a full disk) does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's buffer)
        pass
