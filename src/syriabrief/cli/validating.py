"""``syriabrief validate``: check a store or an import file against the data model, listing every problem."""

from pathlib import Path
from typing import Annotated

import typer

from syriabrief.cli.common import DbOption, app, handles_errors, layers
from syriabrief.cli.importing import DateOrderOption, FormatOption, known_data, read_input
from syriabrief.domain.validate import Problem
from syriabrief.errors import SyriabriefError


@app.command(short_help='Check a store or an import file against the data model.')
@handles_errors
def validate(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="FILE",
            show_default=False,
            help="A store or import file (any import format); - reads standard input.",
        ),
    ] = None,
    fmt: FormatOption = None,
    date_order: DateOrderOption = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print the problems as a JSON list on stdout.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Check a store or import file against the data model and list every problem.

    Without FILE, checks the stores syriabrief reads: the bundled dataset and
    your own. A file's references may point at actors and sites in those
    stores or in the file itself. Exit 0 when everything is valid, 1 otherwise;
    problems go to stderr one per line (with --json, to stdout as a list).

    Example: syriabrief validate colleague-events.csv
    """
    from syriabrief.domain.safetext import visible
    from syriabrief.output.jsonout import write_json

    order = date_order.value if date_order else None
    results = [_check_file(file, fmt.value if fmt else None, db, order)] if file else _check_stores(db)
    problems = [(label, p) for label, _, p_list in results for p in p_list]
    several = len(results) > 1
    if json:
        write_json(
            [
                {"file": label, "where": p.where, "field": p.field, "message": p.message}
                for label, p in problems
            ]
        )
    else:
        for label, problem in problems:
            typer.echo(visible(f"{label}: {problem}" if several else str(problem)), err=True)
    labels = " and ".join(f"{label} ({counts})" for label, counts, _ in results)
    if problems:
        if json:
            raise typer.Exit(1)
        raise SyriabriefError(f"{len(problems):,} problem{'s' if len(problems) != 1 else ''} in {labels}.")
    typer.echo(visible(f"OK: {labels}: no problems."), err=True)


def _check_file(file: str, fmt: str | None, db: Path | None, date_order: str | None) -> tuple[str, str, list[Problem]]:
    from syriabrief.formats import all_problems, read_records
    raw = read_input(file)
    leave_out = None if file == "-" else Path(file)
    known = known_data(db, target=layers(db).user, leave_out=leave_out)
    parsed = read_records(raw, fmt, known, date_order)
    problems = all_problems(parsed, known)
    label = "standard input" if file == "-" else file
    counts = {kind: sum(1 for e in parsed.entries if e.kind == kind) for kind in ("actor", "site", "event")}
    return label, f"{parsed.format or 'unknown format'}, {_counts(counts)}", problems


def _check_stores(db: Path | None) -> list[tuple[str, str, list[Problem]]]:
    """Each store a query reads, bottom layer first; references may point into lower layers."""
    from syriabrief.domain.dataset import Dataset
    from syriabrief.domain.model import Actor, Site

    stores = layers(db)
    if not stores.read:
        raise SyriabriefError("there is no store to check: no bundled dataset and no store of your own yet.")
    results = []
    actors: dict[str, Actor] = {}
    sites: dict[str, Site] = {}
    for path in stores.read:
        label = "bundled dataset" if path in stores.beneath else str(path)
        checked = _check_store(path, Dataset(actors.values(), sites.values(), []))
        for entry in checked.catalogue:
            if entry.kind == "actor":
                actors[entry.data["id"]] = Actor.from_json(entry.data)
            else:
                sites[entry.data["id"]] = Site.from_json(entry.data)
        results.append((label, _counts(checked.counts), checked.problems))
    return results


def _check_store(path: Path, known):
    """The store checked line by line as it streams; read whole when it is not in the line layout."""
    from syriabrief.domain.validate import SCHEMA_VERSION
    from syriabrief.formats.jsonfmt import check_store_lines, check_store_text
    from syriabrief.storage.store import read_current_layout
    from syriabrief.storage.storefile import NotLineLayout, store_lines

    try:
        checked = check_store_lines(store_lines(path, SCHEMA_VERSION), known)
    except NotLineLayout:
        checked = None
    return checked or check_store_text(read_current_layout(path), known)


def _counts(numbers: dict[str, int]) -> str:
    shown = [f"{n:,} {kind}{'s' if n != 1 else ''}" for kind, n in numbers.items() if n or kind == "event"]
    return ", ".join(shown)
