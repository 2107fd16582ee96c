"""``syriabrief import``: add a file's events, actors and sites to the user's store — all or nothing."""

import gc
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from syriabrief.cli.common import DbOption, app, handles_errors, layers, write_target
from syriabrief.domain.dates import DATE_ORDERS
from syriabrief.errors import SyriabriefError
from syriabrief.formats import IMPORT_FORMATS

# The choices are the formats' and dates' own tuples; mypy cannot follow a computed Enum.
ImportFormat = Enum("ImportFormat", {f: f for f in IMPORT_FORMATS}, type=str)  # type: ignore[misc]
DateOrder = Enum("DateOrder", {o: o for o in DATE_ORDERS}, type=str)  # type: ignore[misc]
DateOrderOption = Annotated[
    DateOrder | None,
    typer.Option(
        "--date-order",
        case_sensitive=False,
        help="How to read numeric dates such as 2/5/2026 when no date in the file settles it: "
        "dmy (day first) or mdy (month first).",
    ),
]
FormatOption = Annotated[
    ImportFormat | None,
    typer.Option(
        "--format",
        case_sensitive=False,
        help="The file's format when it cannot be told from the content: " + ", ".join(IMPORT_FORMATS) + ".",
    ),
]
FileArgument = Annotated[
    str, typer.Argument(metavar="FILE", show_default=False, help="The file to read; - reads standard input.")
]


@app.command("import", short_help="Add a file's events, actors and sites to your store.")
@handles_errors
def import_file(
    file: FileArgument,
    fmt: FormatOption = None,
    date_order: DateOrderOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and say what would change, without writing.")
    ] = False,
    json: Annotated[
        bool, typer.Option("--json", help="Print what was (or would be) done as JSON for scripts.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Add a file's events (and new actors and sites) to your store: all of them or none.

    Reads our JSON (a store, or an array of events as 'timeline --json' prints),
    JSON Lines, our CSV and ACLED's CSV export; the format is told from the
    content, or given with --format. The whole file is checked first: if any
    record is wrong, every problem is listed on stderr, one per line, and
    nothing is written. Records already present unchanged are skipped, changed
    ones are updated; importing the same file twice adds nothing.

    Example: syriabrief import acled-syria.csv --dry-run
    """
    import_bytes(
        read_input(file), file, fmt.value if fmt else None, db,
        dry_run=dry_run, json=json, date_order=date_order.value if date_order else None,
    )  # fmt: skip


def import_bytes(
    raw: bytes,
    file: str,
    fmt: str | None,
    db: Path | None,
    *,
    dry_run: bool,
    json: bool,
    date_order: str | None = None,
) -> None:
    """Import a file's records (all or none) and say what was done; ``file`` names it in messages."""
    from syriabrief.formats.importing import import_records
    from syriabrief.output.terminal import progress_bar, visible
    from syriabrief.storage import store

    target = write_target(db)

    def write(records: dict[str, list]) -> store.ChangeReport:
        changes = store.Changes(**records, checked=True)
        return store.apply_changes(target, changes, dry_run=dry_run, beneath=layers(db).beneath)

    # An import holds every record of its file until they are written, and they form no cycles
    # (tests/test_cli_import_export.py): the cycle collector would walk each of them once for
    # nothing, 0.4 s of a 6 s import of 100k ACLED rows.
    collecting = gc.isenabled()
    gc.disable()
    try:
        outcome = import_records(raw, file, fmt, known_data(db, target), write=write, store=str(target),
                                 dry_run=dry_run, date_order=date_order, progress=progress_bar)  # fmt: skip
    finally:
        if collecting:
            gc.enable()
    for note in outcome.notes:
        typer.echo(f"Note: {visible(note)}", err=True)
    if outcome.problems:
        for problem in outcome.problems:
            typer.echo(visible(problem), err=True)
        raise SyriabriefError(outcome.refusal)
    if json:
        from syriabrief.output.jsonout import write_json

        write_json(outcome.to_json())
        return
    for line in outcome.repeat_notes():
        typer.echo(visible(line), err=True)
    for line in [*outcome.name_lines(), *outcome.would_lines(), outcome.summary()]:
        typer.echo(visible(line))


def read_input(file: str) -> bytes:
    """The bytes of FILE (or standard input for ``-``), never more than one byte past the size limit."""
    from syriabrief.formats import MAX_IMPORT_BYTES

    if file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read(MAX_IMPORT_BYTES + 1).encode("utf-8", "surrogateescape")
        return stream.read(MAX_IMPORT_BYTES + 1)
    path = Path(file)
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise SyriabriefError(f"no file {file!r}") from None
    except IsADirectoryError:
        raise SyriabriefError(f"{file!r} is a directory, not a file") from None
    except OSError as error:
        raise SyriabriefError(f"cannot read {file!r}: {error.strerror or error}") from None


def known_data(db: Path | None, target: Path | None = None, leave_out: Path | None = None):
    """The bundled data and the user's store (when it exists yet), as one dataset (``known_files``)."""
    from syriabrief.storage.loading import load_dataset

    return load_dataset(known_files(db, target, leave_out))


def known_files(db: Path | None, target: Path | None = None, leave_out: Path | None = None) -> list[Path]:
    """The store files of the bundled data and the user's store (when it exists yet), lowest layer first.

    An import may create the store named by --db, so unlike other commands a
    missing ``target`` is simply empty here. ``leave_out`` is a file being
    validated, which must not vouch for itself.
    """
    from syriabrief.storage.paths import same_file

    files = layers(db).read
    if target is not None:
        files = [p for p in files if p != target] + ([target] if target.exists() else [])
    if leave_out is not None:
        files = [p for p in files if not same_file(p, leave_out)]
    return list(files)
