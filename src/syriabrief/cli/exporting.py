"""``syriabrief export``: events (filtered as in ``timeline``) as JSON, JSON Lines, CSV, GeoJSON or Markdown."""

from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syriabrief.cli.common import (
    ActorOption,
    DbOption,
    DisputedOption,
    SearchOption,
    SinceOption,
    SiteOption,
    StatusOption,
    TypeOption,
    UntilOption,
    app,
    as_of_day,
    dash_is_stdout,
    event_filter,
    handles_errors,
    layers,
    load,
)
from syriabrief.errors import UsageError
from syriabrief.formats import EXPORT_FORMATS

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue
    from syriabrief.domain.filters import EventFilter
    from syriabrief.domain.model import Event


class ExportFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"
    markdown = "markdown"


assert tuple(f.value for f in ExportFormat) == EXPORT_FORMATS, "formats.EXPORT_FORMATS and the option's choices differ"


@app.command(short_help='Write events or sites as JSON, CSV, GeoJSON or Markdown.')
@handles_errors
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="json (a whole store), jsonl, csv, geojson or markdown.",
        ),
    ] = ExportFormat.json,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", callback=dash_is_stdout, help="Write to FILE instead of standard output (- is standard output)."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    site: SiteOption = None,
    event_type: TypeOption = None,
    status: StatusOption = None,
    search: SearchOption = None,
    disputed: DisputedOption = False,
    limit: Annotated[
        int | None, typer.Option(metavar="N", min=1, help="Only the most recent N matching events.")
    ] = None,
    sites: Annotated[
        bool,
        typer.Option(
            "--sites",
            help="CSV or GeoJSON: one row or feature per site, with who holds it on --as-of, instead of per event.",
        ),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="With --sites: the date the status is for (default: today)."),
    ] = None,
    nested: Annotated[
        bool,
        typer.Option(
            "--nested",
            help="GeoJSON: properties in their JSON form (lists and objects) instead of plain values.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Write events, filtered as in 'timeline', in a format other tools read.

    json is a whole store (the events, and the actors and sites they name) that
    'syriabrief import' and '--db' read back; jsonl is one event per line; csv
    is one event per row (or, with --sites, one site per row) ready for a
    spreadsheet; geojson places events (or sites) on a map; markdown is a
    briefing with its sources.

    Example: syriabrief export --format csv --since 2026-01 -o events.csv
    """
    if (sites or as_of) and fmt not in (ExportFormat.csv, ExportFormat.geojson):
        raise UsageError("--sites and --as-of go with --format csv or geojson.")
    if as_of and not sites:
        raise UsageError("--as-of goes with --sites (the date each site's status is for).")
    if nested and fmt is not ExportFormat.geojson:
        raise UsageError("--nested goes with --format geojson.")
    from syriabrief.formats.export import JSON_FORMATS, Written, event_chunks, site_chunks
    from syriabrief.output.exports import write_export

    written = Written()
    stores = layers(db).read
    if sites:
        data = load(db)
        event_filter(data, since, until, actor, site, event_type, status, search, disputed)  # names must resolve
        chosen = _chosen_sites(data, site)
        chunks = site_chunks(fmt.value, chosen, data.select(), as_of_day(as_of), data, written, nested)
    else:
        filters = (since, until, actor, site, event_type, status, search, disputed, limit)
        data, where, events = _events(db, filters)
        chunks = event_chunks(
            fmt.value, events, data, written, nested=nested,
            title=_title(data, since, until, actor, site, event_type, status, search),
            overview=lambda: _overview(data, where, events), store_text=_store_text(data, filters),
        )  # fmt: skip
    write_export(chunks, fmt.value in JSON_FORMATS, output, stores)
    from syriabrief.domain.safetext import visible

    if written.unplaced:
        total = written.count + written.unplaced
        kind, lacking = ("sites", "no coordinates") if sites else ("events", "no site with coordinates")
        has, is_ = ("has", "is") if written.unplaced == 1 else ("have", "are")
        typer.echo(visible(f"{written.unplaced:,} of {total:,} {kind} {has} {lacking} and {is_} not in the GeoJSON."), err=True)
    if output is not None:
        typer.echo(visible(f"Wrote {written.count:,} {'sites' if sites else 'events'} to {output}."), err=True)


def _events(db: Path | None, filters: tuple) -> "tuple[Catalogue, EventFilter, Iterable[Event]]":
    """The dataset's names, the question, and the events to export: streamed a page at a time from
    the engine, or (``--limit``) the latest of them as a list."""
    data = load(db)
    since, until, actor, site, event_type, status, search, disputed, limit = filters
    where = event_filter(data, since, until, actor, site, event_type, status, search, disputed)
    return data, where, data.select(where, limit) if limit else data.stream(where)


def _store_text(data: "Catalogue", filters: tuple) -> "Callable[[Iterable[Event]], Iterator[str]]":
    """How the json format writes its store: every actor and site, or (filtered) those the events name."""
    from syriabrief.domain.validate import SCHEMA_VERSION
    from syriabrief.formats.export import referenced
    from syriabrief.storage.storefile import store_chunks

    # --disputed alone keeps every actor and site, as it always has.
    filtered = any(f for f in filters if not isinstance(f, bool))

    def store_text(events: "Iterable[Event]") -> Iterator[str]:
        if filtered:
            events = list(events)
            actors, site_records = referenced(events, data)
        else:
            actors, site_records = list(data.actors.values()), list(data.sites.values())
        return store_chunks(
            SCHEMA_VERSION, [a.to_json() for a in actors], [s.to_json() for s in site_records],
            (e.to_json() for e in events),
        )  # fmt: skip

    return store_text


def _overview(data, where, events):
    """A Markdown briefing's summary and its paragraph: from the engine when the events are streamed,
    so that the overview at the top needs none of them held."""
    from syriabrief.domain.dataset import summarize_events
    from syriabrief.reports.narrative import overview_text

    summary = summarize_events(events) if isinstance(events, list) else data.summarize(where)
    return summary, overview_text(summary, data)


def _chosen_sites(data, site_names) -> list:
    """Every site, or those named with --site and the sites inside them."""
    if not site_names:
        return list(data.sites.values())
    wanted = {inner for name in site_names for inner in data.within(data.site(name).id)}
    return [s for s in data.sites.values() if s.id in wanted]


def _title(data, since, until, actor, site, event_type, status, search) -> str:
    parts = [data.actor(name).name for name in actor or ()]
    parts += [data.site(name).name for name in site or ()]
    parts += [t.value.replace("_", " ") for t in event_type or ()]
    parts += [s.value for s in status or ()]
    if since:
        parts.append(f"since {since}")
    if until:
        parts.append(f"until {until}")
    if search:
        parts.append(f"mentioning “{search}”")
    return "Briefing" + (": " + ", ".join(parts) if parts else "")
