"""``syriabrief export``: events (filtered as in ``timeline``) as JSON, JSON Lines, CSV, GeoJSON or Markdown."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from syriabrief.cli import (
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
    event_filter,
    handles_errors,
    layers,
    load,
)
from syriabrief.errors import SyriabriefError, UsageError
from syriabrief.formats import EXPORT_FORMATS


class ExportFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"
    markdown = "markdown"


assert tuple(f.value for f in ExportFormat) == EXPORT_FORMATS, "formats.EXPORT_FORMATS and the option's choices differ"


@app.command()
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
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of standard output."),
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
    data = load(db)
    where = event_filter(data, since, until, actor, site, event_type, status, search, disputed)
    if (sites or as_of) and fmt not in (ExportFormat.csv, ExportFormat.geojson):
        raise UsageError("--sites and --as-of go with --format csv or geojson.")
    if as_of and not sites:
        raise UsageError("--as-of goes with --sites (the date each site's status is for).")
    if nested and fmt is not ExportFormat.geojson:
        raise UsageError("--nested goes with --format geojson.")
    events = data.select(where, limit)
    note = None
    count = len(events)
    if fmt is ExportFormat.json:
        from syriabrief.domain.validate import SCHEMA_VERSION
        from syriabrief.storage.storefile import dump_store

        filtered = any((since, until, actor, site, event_type, status, search, limit))
        actors, site_records = (
            _referenced(events, data) if filtered else (list(data.actors.values()), list(data.sites.values()))
        )
        text = dump_store({
            "schema_version": SCHEMA_VERSION, "actors": [a.to_json() for a in actors],
            "sites": [s.to_json() for s in site_records], "events": [e.to_json() for e in events],
        })  # fmt: skip
    elif fmt is ExportFormat.jsonl:
        from syriabrief.formats.jsonfmt import write_jsonl

        text = write_jsonl(events)
    elif fmt is ExportFormat.csv and sites:
        from syriabrief.domain.filters import EventFilter
        from syriabrief.formats.csvfmt import write_sites_csv

        chosen = _chosen_sites(data, site)
        text, count = write_sites_csv(chosen, data.select(EventFilter()), _as_of_day(as_of), data), len(chosen)
    elif fmt is ExportFormat.csv:
        from syriabrief.formats.csvfmt import write_csv

        text = write_csv(events, data)
    elif fmt is ExportFormat.geojson:
        text, note, count = _geojson(data, events, sites, as_of, site, nested)
    else:
        from syriabrief.formats.markdown import write_markdown
        from syriabrief.reports.narrative import timeline_summary

        title = _title(data, since, until, actor, site, event_type, status, search)
        text = write_markdown(events, data, title, timeline_summary(events, data))
    _write(_inert(text, fmt), output, data_files=_store_files(db))
    if note:
        from syriabrief.output.terminal import visible

        typer.echo(visible(note), err=True)
    if output is not None:
        from syriabrief.output.terminal import visible

        typer.echo(visible(f"Wrote {count:,} {'sites' if sites else 'events'} to {output}."), err=True)


def _geojson(data, events, sites: bool, as_of: str | None, site_names, nested: bool) -> tuple[str, str | None, int]:
    """The GeoJSON text, a note on what could not be placed, and how many features it holds."""
    from syriabrief.formats.geojson import event_features, site_features, write_geojson

    if not sites:
        features, unplaced = event_features(events, data, nested)
        note = None
        if unplaced:
            note = (
                f"{len(unplaced):,} of {len(events):,} events have no site with coordinates "
                "and are not in the GeoJSON."
            )
        return write_geojson(features), note, len(features)
    from syriabrief.domain.filters import EventFilter

    chosen = _chosen_sites(data, site_names)
    features = site_features(chosen, data.select(EventFilter()), _as_of_day(as_of), data, nested)
    return write_geojson(features), None, len(features)


def _as_of_day(as_of: str | None):
    """The day a site's status is for: the last day of --as-of, or today."""
    from datetime import date

    from syriabrief.domain.dates import parse_user_date

    return parse_user_date(as_of).end if as_of else date.today()


def _chosen_sites(data, site_names) -> list:
    """Every site, or those named with --site and the sites inside them."""
    if not site_names:
        return list(data.sites.values())
    wanted = {inner for name in site_names for inner in data.within(data.site(name).id)}
    return [s for s in data.sites.values() if s.id in wanted]


def _referenced(events, data) -> tuple[list, list]:
    """The actors and sites the events name, with every record those name in turn (parents, allies)."""
    actor_ids: set[str] = set()
    pending = [a for e in events for a in e.actors]
    while pending:
        actor_id = pending.pop()
        if actor_id in actor_ids or actor_id not in data.actors:
            continue
        actor_ids.add(actor_id)
        actor = data.actors[actor_id]
        pending += [a for a in (actor.parent, *actor.affiliations) if a]
    site_ids: set[str] = set()
    # Each site with the sites it lies in, so that the export imports into an empty store.
    pending_sites = [s for e in events for s in e.places]
    while pending_sites:
        site_id = pending_sites.pop()
        if site_id in site_ids or site_id not in data.sites:
            continue
        site_ids.add(site_id)
        if data.sites[site_id].parent:
            pending_sites.append(data.sites[site_id].parent)
    return (
        [a for a in data.actors.values() if a.id in actor_ids],
        [s for s in data.sites.values() if s.id in site_ids],
    )


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


def _inert(text: str, fmt: ExportFormat) -> str:
    """The export with nothing that could drive a terminal or viewer showing it: stdout and files alike.

    JSON formats escape such characters as ``\\uXXXX``, which parse back to the
    same data, as ``--json`` does. CSV and Markdown are read by people and
    spreadsheets and cannot escape losslessly: there they are shown as
    ``\\x1b``-style escapes (docs/import-export.md).
    """
    from syriabrief.domain.safetext import json_safe, visible_lines

    return json_safe(text) if fmt in _JSON_FORMATS else visible_lines(text)


_JSON_FORMATS = (ExportFormat.json, ExportFormat.jsonl, ExportFormat.geojson)


def _store_files(db: Path | None) -> list[Path]:
    return layers(db).read


def _write(text: str, output: Path | None, data_files: list[Path]) -> None:
    """Write the export exactly as UTF-8 (CSV keeps its CRLF line ends): to stdout, or to ``output``."""
    data = text.encode("utf-8")
    if output is None:
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            sys.stdout.write(text)
        else:
            sys.stdout.flush()
            stream.write(data)
            stream.flush()
        return
    if any(_same(output, path) for path in data_files):
        raise SyriabriefError(
            f"{output} is a store syriabrief reads; export to another file (use 'import' to change a store)."
        )
    try:
        output.write_bytes(data)
    except IsADirectoryError:
        raise SyriabriefError(f"{output} is a directory; give a file name.") from None
    except OSError as error:
        raise SyriabriefError(f"cannot write {output}: {error.strerror or error}") from None


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
