"""``syriabrief actor``, ``base``, ``compare`` and ``brief``: positions derived from the events.

Thin commands: they resolve names and dates, ask ``briefing`` for a report (the
``--json`` contract) and hand it to ``output.terminal`` for people.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syriabrief.cli.common import (
    LIST_ROWS,
    PROFILE_TABLE_ROWS,
    ActorOption,
    DbOption,
    JsonOption,
    SinceOption,
    SiteOption,
    UntilOption,
    app,
    as_of_day,
    dash_is_stdout,
    event_filter,
    handles_errors,
    layers,
    load,
    named,
)
from syriabrief.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from syriabrief.reports.types import Changes, Comparison

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="Answer as of the end of this date (2026-02 means 28 Feb 2026); default: today.",
    ),
]
GovernorateOption = Annotated[
    list[str] | None,
    typer.Option(metavar="NAME", help="Only sites in this governorate (repeatable): 'Quneitra', 'al-Hasakah'."),
]
LimitOption = Annotated[
    int | None,
    typer.Option(metavar="N", min=1, help=f"Show the latest N rows in each table (else {PROFILE_TABLE_ROWS}; without a name, the {LIST_ROWS} most recently changed); with --json, the latest N events."),
]


def _period(text: str | None):
    from syriabrief.domain.dates import parse_user_date

    return parse_user_date(text) if text is not None else None


def _note_left_out(report, limit: int | None) -> None:
    """Say on stderr when the table leaves events out (and how to see them)."""
    from syriabrief.reports.narrative import count_phrase

    shown, total = len(report.events), report.span.event_count
    if shown < total and limit is None:
        typer.echo(
            f"Showing the latest {count_phrase(shown, 'event')} of {total:,}; "
            "use --limit N to see more, or --json for all.",
            err=True,
        )


@app.command(short_help='Profile of an actor: sites held and left, and events.')
@handles_errors
def actor(
    words: Annotated[list[str] | None, typer.Argument(metavar="[NAME]", help="Any name or alias (quotes optional); omit to list every actor.")] = None,
    as_of: AsOfOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Profile of an actor: the sites it holds and has left, its strength, its events.

    Without a name, lists every actor with what it holds at the as-of date.

    Example: syriabrief actor Russia --as-of 2026-02-01
    """
    from syriabrief.reports import briefing

    _profile(
        words, as_of, since, until, limit, json, db, kind="actor",
        resolve=lambda data, name: named(data, "actor", name), listing=briefing.actor_rows, table=briefing.actor_lines,
        report=briefing.actor_report,
    )  # fmt: skip


@app.command(short_help='Profile of a site: who holds it, its history, events.')
@handles_errors
def base(
    words: Annotated[list[str] | None, typer.Argument(metavar="[NAME]", help="Any name or alias (quotes optional); omit to list every site.")] = None,
    as_of: AsOfOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Profile of a site: where it is, who holds it at the as-of date, its control history, its events.

    Without a name, lists every site with its status at the as-of date.

    Example: syriabrief base Qasrak --as-of 2026-02-24
    """
    from syriabrief.reports import briefing

    _profile(
        words, as_of, since, until, limit, json, db, kind="base",
        resolve=lambda data, name: named(data, "site", name), listing=briefing.base_rows, table=briefing.base_list,
        report=briefing.base_report,
    )  # fmt: skip


def _profile(words, as_of, since, until, limit, json, db, *, kind, resolve, listing, table, report) -> None:
    """What ``actor`` and ``base`` share: list every record without a name, else one profile.

    ``listing`` makes the rows of the list for --json, ``table`` what its table shows (for actors, less).
    """
    # No words at all: the list. An empty name ("", a script's unset variable) names nothing and is
    # refused, as it is in ``--actor ""``.
    name = " ".join(words) if words else None
    day = as_of_day(as_of)
    data = load(db)
    if name is None:
        if json:
            from syriabrief.output.jsonout import write_json_list
            from syriabrief.reports.types import json_texts

            # A row at a time: at a million events the rows hold 400,000 periods, 118 MB as JSON.
            write_json_list(json_texts(listing(data, day)))
            return
        from syriabrief.output.terminal import make_console

        rows = table(data, day)
        list_table, _ = _views(kind)
        shown = limit or LIST_ROWS
        console = make_console()
        console.print(list_table(rows, shown, console.width))
        if len(rows.rows) > shown:
            typer.echo(f"Showing the {shown} most recently changed of {len(rows.rows):,}; use --limit N to see more, or --json for all.", err=True)
        return
    # The table shows the latest events only, so only those are read; --json has them all unless limited.
    rows = limit if json or limit else PROFILE_TABLE_ROWS
    profile = report(data, resolve(data, name), day, _period(since), _period(until), rows, as_json=json)
    if json:
        from syriabrief.output.jsonout import write_json_with_list

        write_json_with_list(profile.to_json(), "events")
        return
    from syriabrief.output.terminal import make_console

    _note_left_out(profile, limit)
    _, show = _views(kind)
    show(make_console(), profile, data, rows)


def _views(kind: str) -> tuple[Callable, Callable]:
    """The list table and the profile printer of ``kind``: Rich (40 ms) is imported for people only, not --json."""
    from syriabrief.output import terminal

    if kind == "actor":
        return terminal.actor_list_table, terminal.print_actor
    return terminal.base_list_table, terminal.print_base


@app.command(short_help='Compare actors or sites, or what changed between dates.')
@handles_errors
def compare(
    names: Annotated[list[str] | None, typer.Argument(metavar="[NAME]...", help="Two or more actors, or two or more sites.")] = None,
    at: Annotated[list[str] | None, typer.Option("--at", metavar="DATE", help="Give twice, with no names: what changed between the two dates.")] = None,
    as_of: AsOfOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help=f"Show the latest N sites of each list in the table, or with --at the N sites that changed last (else {PROFILE_TABLE_ROWS}); --json lists all."),
    ] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Compare actors or sites side by side, or what changed between two dates.

    Names are taken as actors if the first one names an actor, else as sites.
    --since/--until set the window for moves and departures.

    Example: syriabrief compare US Russia --since 2026-01 --as-of 2026-02-24
    Example: syriabrief compare --at 2026-01-01 --at 2026-02-24
    """
    from syriabrief.reports.briefing import change_report, compare_actors, compare_sites

    names = names or []
    report: Changes | Comparison
    if at:
        if names or len(at) != 2:
            raise UsageError("--at takes exactly two dates and no names: syriabrief compare --at 2026-01 --at 2026-02.")
        first, second = sorted((as_of_day(at[0], "--at"), as_of_day(at[1], "--at")))
        data = load(db)
        # The paragraph tells one by one the changes the table shows.
        report = change_report(data, first, second, told=None if json else limit or PROFILE_TABLE_ROWS)
    else:
        if len(names) < 2:
            raise UsageError("compare needs two or more actors or sites (or --at DATE --at DATE).")
        day = as_of_day(as_of)
        since_period, until_period = _period(since), _period(until)
        data = load(db)
        kind, resolved = _resolve_all(data, names)
        build = compare_actors if kind == "actor" else compare_sites
        report = build(data, resolved, day, since_period, until_period)
    if json:
        from syriabrief.output.jsonout import write_json_with_list

        # Its long list a side (or a site) at a time: SDF's side at a million events is 22 MB of JSON.
        streamed = "differences" if at else "subjects"
        write_json_with_list(report.to_json_streamed(streamed), streamed)
        return
    from syriabrief.output.terminal import make_console, print_comparison

    rows = limit or PROFILE_TABLE_ROWS
    cut = print_comparison(make_console(), report, rows)
    if at and len(report.differences) > rows:  # the sites that changed (a comparison's are aspects)
        typer.echo(f"The table shows the {rows} sites that changed last of {len(report.differences):,}; "
                   "use --limit N to see more, or --json for all.", err=True)  # fmt: skip
    elif cut:
        typer.echo(f"Lists longer than {rows} show their latest {rows}; use --limit N to see more, or --json for all.", err=True)


def _resolve_all(data, names: list[str]):
    """All names as actors if the first is an actor, else all as sites."""
    try:
        data.actor(names[0])
    except NotFoundError as as_actor:
        try:
            data.site(names[0])
        except NotFoundError as as_site:
            suggestions = list(dict.fromkeys(as_actor.suggestions + as_site.suggestions))[:3]
            meanings = {**as_site.meanings, **as_actor.meanings}
            raise NotFoundError("actor or site", names[0], suggestions, meanings) from None
        return "site", [_one_kind(data, n, "site") for n in names]
    return "actor", [_one_kind(data, n, "actor") for n in names]


def _one_kind(data, name: str, kind: str):
    """``name`` as the same kind as the first name; a name of the other kind is refused plainly."""
    other, other_kind = (data.site, "site") if kind == "actor" else (data.actor, "actor")
    try:
        return named(data, kind, name)
    except NotFoundError:
        try:
            other(name)
        except NotFoundError:
            raise
        from syriabrief.reports.narrative import with_article

        raise UsageError(
            f"{name!r} is {with_article(other_kind)}, but the first name is {with_article(kind)}: compare actors with actors, sites with sites."
        ) from None


@app.command(short_help='The situation on one screen: bases, moves, disputes.')
@handles_errors
def brief(
    as_of: AsOfOption = None,
    days: Annotated[int, typer.Option(metavar="N", min=1, help="How many days of moves to cover, up to the as-of date.")] = 30,
    actor: ActorOption = None,
    site: SiteOption = None,
    governorate: GovernorateOption = None,
    json: JsonOption = False,
    html: Annotated[bool, typer.Option("--html", help="Write one self-contained HTML page (map, table, chart, disputes, sources) to hand on.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", callback=dash_is_stdout, help="With --html: write to FILE instead of standard output (- is standard output).")] = None,
    db: DbOption = None,
) -> None:
    """The situation on one screen: who holds the tracked bases (by force), recent moves, open disputes.

    --actor, --site and --governorate narrow it to one force, some sites or an area.
    --html -o FILE writes the brief as a page that opens anywhere, offline, and prints on A4.

    \b
    Example: syriabrief brief --as-of 2026-02-24 --days 30
    Example: syriabrief brief --actor Israel --governorate Quneitra
    Example: syriabrief brief --html -o brief.html
    """
    from syriabrief.reports.briefing import brief_report

    if json and html:
        raise UsageError("--json and --html are two answers; ask for one.")
    if output is not None and not html:
        raise UsageError("--output goes with --html: syriabrief brief --html -o brief.html.")
    data = load(db)
    where = event_filter(data, actor=actor, site=site)
    governorates = frozenset(_governorates(data, governorate or []))
    day = as_of_day(as_of)
    report = brief_report(data, day, days, actors=where.actors, sites=where.sites, governorates=governorates)
    if json:
        from syriabrief.output.jsonout import write_json

        write_json(report.to_json())
        return
    if html:
        _write_html(data, report, day, where, governorates, output, db)
        return
    from syriabrief.output.terminal import make_console, print_brief

    print_brief(make_console(), report)


# The HTML brief's chart covers this many months up to the as-of day.
HTML_CHART_MONTHS = 12


def _write_html(data, report, day: datetime.date, where, governorates, output: Path | None, db) -> None:
    """The brief with its map and a year of activity, as one HTML file (or on stdout)."""
    from syriabrief.domain.dates import Period
    from syriabrief.output.exports import write_export
    from syriabrief.output.htmlbrief import brief_html
    from syriabrief.reports.activity import activity
    from syriabrief.reports.briefing import day_period
    from syriabrief.reports.mapping import site_map

    pictured = site_map(data, day, actors=where.actors, sites=where.sites, governorates=governorates)
    first = day.replace(day=1)
    for _ in range(HTML_CHART_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    sites = where.sites
    if governorates and not sites:  # as the brief narrows its events: to the sites in those governorates
        folded = {g.casefold() for g in governorates}
        sites = frozenset(s.id for s in data.sites.values() if (s.admin1 or "").casefold() in folded)
    window = where._replace(sites=sites, since=Period(first, first, "day"), until=day_period(day))
    chart = activity(data, window, per="month", by="type")
    write_export([brief_html(report, pictured, chart, data)], None, output, layers(db).read)
    if output is not None:
        from syriabrief.domain.dates import describe
        from syriabrief.domain.safetext import visible

        typer.echo(visible(f"Wrote the brief as of {describe(day.isoformat())} to {output}."), err=True)


def _governorates(data, names: list[str]) -> list[str]:
    """Governorate names as the data spells them (``admin1``), matched without case or the article."""
    known = {s.admin1 for s in data.sites.values() if s.admin1}

    def fold(text: str) -> str:
        text = text.casefold().strip()
        for article in ("al-", "al ", "ar-", "as-", "ad-"):
            text = text.removeprefix(article)
        return text.replace("governorate", "").replace("province", "").strip()

    out = []
    for name in names:
        matches = [k for k in known if fold(k) == fold(name)]
        if not matches:
            raise NotFoundError("governorate", name, sorted(known, key=lambda k: fold(k))[:3])
        out += matches
    return out

