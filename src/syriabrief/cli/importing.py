"""``syriabrief import``: add a file's events, actors and sites to the user's store — all or nothing."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from syriabrief.cli import DbOption, app, handles_errors, layers, write_target
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


@app.command("import")
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
    """Check and write a file's records (all or none) and say what was done; ``file`` names it in messages."""
    from syriabrief.formats import all_problems, near_duplicates, read_records, split_changes
    from syriabrief.output.terminal import progress_bar, visible
    from syriabrief.storage import store

    target = write_target(db)
    known = known_data(db, target)
    parsed = read_records(raw, fmt, known, date_order)
    for note in parsed.notes:
        typer.echo(f"Note: {visible(note)}", err=True)
    with progress_bar(parsed.records, f"Checking {len(parsed.entries):,} records") as advance:
        problems = all_problems(parsed, known, progress=advance)
    if problems:
        for problem in problems:
            typer.echo(visible(problem), err=True)
        raise SyriabriefError(
            f"nothing imported: {_count(len(problems), 'problem')} in {_name(file)}; fix them and import again."
        )
    split = split_changes(parsed, known)
    repeats = near_duplicates(parsed, known)
    report = store.apply_changes(target, store.Changes(**split.writes), dry_run=dry_run, beneath=layers(db).beneath)
    for table in split.writes:
        # A record new to the user's store that replaces a bundled one is an update.
        moved = [i for i in report.added[table] if i in split.replacing[table]]
        report.added[table] = [i for i in report.added[table] if i not in split.replacing[table]]
        report.updated[table] = [*report.updated[table], *moved]
        report.unchanged[table] = [*report.unchanged[table], *split.unchanged[table]]
    if json:
        from syriabrief.output.terminal import write_json

        write_json(
            {
                "file": file,
                "format": parsed.format,
                "store": str(target),
                "dry_run": dry_run,
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "skipped": parsed.skipped,
                "names": [match.to_json() for match in parsed.names],
                "near_duplicates": [repeat.to_json() for repeat in repeats],
            }
        )
        return
    for repeat in repeats:
        typer.echo(
            visible(
                f"Note: event {repeat.event} ({repeat.where}) has the date, type, actors and site of "
                f"{repeat.same_as}; both are kept — check whether they report the same thing"
            ),
            err=True,
        )
    for match in sorted(parsed.names, key=lambda m: (m.kind, m.name.casefold())):
        typer.echo(visible(_mapping_line(match)))
    if dry_run:
        for verb, ids_by_table in (("add", report.added), ("update", report.updated)):
            for table, ids in ids_by_table.items():
                for record_id in ids:
                    typer.echo(f"would {verb} {table[:-1]} {visible(record_id)}")
    typer.echo(_summary(file, parsed.format, target, report, parsed.skipped, dry_run))


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
    """The bundled data and the user's store (when it exists yet), as one dataset.

    An import may create the store named by --db, so unlike other commands a
    missing ``target`` is simply empty here. ``leave_out`` is a file being
    validated, which must not vouch for itself.
    """
    from syriabrief.storage.loading import load_dataset
    from syriabrief.storage.paths import same_file

    files = layers(db).read
    if target is not None:
        files = [p for p in files if p != target] + ([target] if target.exists() else [])
    if leave_out is not None:
        files = [p for p in files if not same_file(p, leave_out)]
    return load_dataset(files)


def _mapping_line(match) -> str:
    """``site  Al Shaddadi -> al-shaddadi-town (folded spelling; 0.0 km from the row's coordinates)``."""
    why = match.how + (f" {match.via!r}" if match.via else "")
    if match.note:
        why += (": " if match.how == "new" else "; ") + match.note
    return f"{match.kind:<5} {match.name} -> {match.record} ({why})"


def _summary(file: str, fmt: str | None, target: Path, report, skipped: list[str], dry_run: bool) -> str:
    def counts(by_table: dict[str, list[str]]) -> str:
        return ", ".join(_count(len(ids), table[:-1]) for table, ids in by_table.items() if ids)

    parts = []
    if counts(report.added):
        parts.append(("would add " if dry_run else "added ") + counts(report.added))
    if counts(report.updated):
        parts.append(("would update " if dry_run else "updated ") + counts(report.updated))
    unchanged = sum(len(ids) for ids in report.unchanged.values())
    if unchanged:
        parts.append(f"{unchanged:,} already present unchanged")
    if skipped:
        parts.append(f"{_count(len(skipped), 'row')} skipped")
    changes = "; ".join(parts) or "the file holds no records"
    head = (
        f"Dry run, nothing written: {_name(file)} ({fmt})" if dry_run else f"Imported {_name(file)} ({fmt})"
    )
    from syriabrief.output.terminal import visible

    return visible(f"{head} into {target}: {changes}.")


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else ("es" if word.endswith("s") else "s"))


def _name(file: str) -> str:
    return "standard input" if file == "-" else file
