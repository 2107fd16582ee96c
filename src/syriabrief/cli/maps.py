"""``syriabrief map``: who holds every site, drawn on a map of Syria in the terminal (or as GeoJSON).

(Named ``maps`` so that registering it does not shadow the builtin ``map`` in ``syriabrief.cli``.)
"""

from typing import Annotated

import typer

from syriabrief.cli.common import (
    MAP_TABLE_ROWS,
    ActorOption,
    DbOption,
    JsonOption,
    SiteOption,
    app,
    as_of_day,
    event_filter,
    handles_errors,
    load,
)
from syriabrief.cli.positions import AsOfOption, GovernorateOption, _governorates
from syriabrief.errors import UsageError


@app.command(name="map", short_help='A map of Syria marking who holds each site.')
@handles_errors
def map_command(
    as_of: AsOfOption = None,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", metavar="DATE", help="Give twice: mark the sites that changed hands between the two dates."),
    ] = None,
    actor: ActorOption = None,
    site: SiteOption = None,
    governorate: GovernorateOption = None,
    limit: Annotated[
        int | None, typer.Option(metavar="N", min=1, help=f"List the N sites whose state began last under the map (else {MAP_TABLE_ROWS}); --json lists all.")
    ] = None,
    json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A map of Syria with every site marked by who holds it (a letter and a colour per force).

    --actor, --site and --governorate narrow it as they narrow 'brief'; --at D1 --at D2
    marks what changed hands between two days. --json prints the sites as GeoJSON.

    \b
    Example: syriabrief map --as-of 2026-02-24
    Example: syriabrief map --at 2026-01-01 --at 2026-02-24
    """
    if at and (len(at) != 2 or as_of):
        raise UsageError("--at takes exactly two dates, and no --as-of: syriabrief map --at 2026-01 --at 2026-02.")
    if at:
        since, day = sorted((as_of_day(at[0], "--at"), as_of_day(at[1], "--at")))
    else:
        since, day = None, as_of_day(as_of)
    data = load(db)
    where = event_filter(data, actor=actor, site=site)
    governorates = frozenset(_governorates(data, governorate or []))
    from syriabrief.reports.mapping import site_map

    report = site_map(data, day, since, actors=where.actors, sites=where.sites, governorates=governorates)
    if json:
        from syriabrief.output.jsonout import write_json

        write_json(report.to_json())
        return
    from syriabrief.output.maps import print_map
    from syriabrief.output.terminal import make_console

    if not report.sites:
        typer.echo("No site matched; the map would be empty.", err=True)
        return
    shown, listed = print_map(make_console(), report, limit or MAP_TABLE_ROWS)
    if shown < listed:
        typer.echo(f"The list shows the {shown} sites whose state began last of {listed:,}; use --limit N to see more, or --json for all.", err=True)
