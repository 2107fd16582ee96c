"""``syriabrief read``: propose draft events from a news article, with the sentences they came from."""

import datetime
import sys
from pathlib import Path
from typing import Annotated

import typer

from syriabrief.cli.common import DbOption, app, handles_errors, load
from syriabrief.errors import SyriabriefError, UsageError

FileArgument = Annotated[
    str,
    typer.Argument(metavar="FILE", show_default=False, help="The article: plain text or a page saved from a browser; - reads standard input."),
]


@app.command("read", short_help='Read a news article and propose draft events.')
@handles_errors
def read(
    file: FileArgument,
    published: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="When the article was published (default: its date line or page metadata); relative dates resolve against it."),
    ] = None,
    outlet: Annotated[str | None, typer.Option(metavar="NAME", help="Who published the article (used where a fact is not attributed to another outlet).")] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="The article's address, recorded with each source.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the drafts as a file 'syriabrief import' reads (with the evidence under 'reading').")] = False,
    do_import: Annotated[bool, typer.Option("--import", help="Ask about each draft on the terminal and import the ones accepted.")] = False,
    db: DbOption = None,
) -> None:
    """Read a news article and propose draft events, each with its evidence; nothing is written.

    Finds what the sentences say happened (withdrew, deployed, handed over, took
    control, transferred detainees, attacked, agreed, met, said), who and where
    (through the same names as every command), when (resolving "last week" or
    "the 23rd" against the publication date), figures, and the outlet each fact
    is attributed to. A draft that matches a stored event is shown as
    corroborating it, or as a conflicting account. Save the drafts with --json,
    edit them, and bring them in with 'syriabrief import'; or use --import.

    Example: syriabrief read article.txt --published 2026-02-24 --outlet "Example News" --json > drafts.json
    """
    from syriabrief.domain.dates import parse_user_date
    from syriabrief.domain.drafting import SourceInfo, drafts_document, propose
    from syriabrief.domain.reading import read_text
    from syriabrief.domain.safetext import visible
    from syriabrief.domain.timephrases import find_date_line
    from syriabrief.formats.article import MAX_ARTICLE_BYTES, read_article

    if do_import and json:
        raise UsageError("--import asks about each draft, --json prints them all: choose one")
    if do_import and not sys.stdin.isatty():
        raise UsageError(
            "--import asks about each draft on a terminal, and stdin is not one; "
            "use 'syriabrief read FILE --json > drafts.json' and 'syriabrief import drafts.json'"
        )
    if do_import and file == "-":
        raise UsageError("--import asks its questions on standard input, so it cannot read the article from it; give a file")
    raw = _read_limited(file, MAX_ARTICLE_BYTES)
    article = read_article(raw)
    for note in article.notes:
        typer.echo(f"Note: {visible(note)}", err=True)

    notes: list[str] = []
    published_day: datetime.date | None
    if published is not None:
        day = parse_user_date(published)
        if day.precision != "day":
            raise UsageError(f"--published {published} names a {day.precision}; give the day (2026-02-24)")
        if day.start > datetime.date.today():  # its drafts would be dated after today, which import refuses
            raise UsageError(f"--published {published} is after today; give the day the article came out")
        published_day = day.start
    else:
        published_day, line, ambiguity = article.published, None, None
        source = article.published_from
        if published_day is None:
            published_day, line, ambiguity = find_date_line(article.lines)
            source = f"the date line {line!r}" if line else None
        if published_day is None:
            hint = f" ({ambiguity})" if ambiguity else ""
            raise UsageError(
                f"no publication date: the text has no date line{hint}; give --published DATE "
                "so that 'last week' and 'the 23rd' can be resolved"
            )
        notes.append(f"published {published_day.isoformat()}, from {source}")
        typer.echo(f"Published {published_day:%d %b %Y}, read from {visible(source)}; give --published to change it.", err=True)

    info = SourceInfo(
        outlet=(outlet or "").strip() or article.outlet,
        document=Path(file).name if file != "-" else article.title,
        url=(url or "").strip() or article.url,
        published=published_day,
    )
    data = load(db)
    known_outlets = {s.outlet for e in data.select() for s in e.sources}
    reading = read_text(article.text, published_day, data, known_outlets)
    proposals = propose(reading, data, info)
    if not reading.sentences:
        why = "only non-Latin script (syriabrief reads English reports)" if _no_latin(article.text) else "no sentences"
        typer.echo(f"No drafts: {_label(file)} has {why}.", err=True)
    elif not proposals:
        typer.echo(f"No drafts: none of the {reading.sentences} sentences says that something happened to a known party.", err=True)

    if json:
        from syriabrief.output.jsonout import write_json

        write_json(drafts_document(proposals, reading, info, notes))
        return
    if do_import:
        _ask_and_import(proposals, reading, data, info, db)
        return
    _show(proposals, reading, data, file)


def _read_limited(file: str, limit: int) -> bytes:
    """The file's bytes, never more than one past ``limit`` (so a huge file is refused, not read whole)."""
    if file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
        return stream.read(limit + 1)
    path = Path(file)
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        raise SyriabriefError(f"no file {file!r}") from None
    except IsADirectoryError:
        raise SyriabriefError(f"{file!r} is a directory, not a file") from None
    except OSError as error:
        raise SyriabriefError(f"cannot read {file!r}: {error.strerror or error}") from None


def _no_latin(text: str) -> bool:
    return any(c.isalpha() for c in text) and not any("a" <= c.lower() <= "z" for c in text)


def _label(file: str) -> str:
    return "standard input" if file == "-" else file


def _show(proposals, reading, data, file: str) -> None:
    from syriabrief.output.drafts import draft_table, print_unresolved
    from syriabrief.output.terminal import make_console

    console = make_console()
    if proposals:
        counts: dict[str, int] = {}
        for p in proposals:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        parts = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        console.print(
            f"{len(proposals)} draft{'s' if len(proposals) != 1 else ''} from {reading.sentences} sentences of "
            f"{_label(file)} ({parts}). Nothing was written."
        )
        console.print(draft_table(proposals, data))
    print_unresolved(console, reading.unresolved)


def _ask_and_import(proposals, reading, data, info, db: Path | None) -> None:
    """Ask per draft (and per unknown name it uses) and import what was accepted, all at once."""
    import json as jsonlib

    from syriabrief.cli.importing import import_bytes
    from syriabrief.domain.validate import SCHEMA_VERSION
    from syriabrief.output.drafts import print_draft
    from syriabrief.output.terminal import make_console

    console = make_console(file=sys.stderr)
    chosen: list[dict] = []
    new_sites: dict[str, dict] = {}
    new_actors: dict[str, dict] = {}
    for number, proposal in enumerate(proposals, 1):
        if proposal.record is None:
            continue  # already recorded: nothing to ask
        print_draft(console, number, proposal, data)
        answer = typer.prompt("Import this draft? [y]es, [n]o, [q]uit", default="n", err=True).strip().lower()
        if answer.startswith("q"):
            break
        if not answer.startswith("y"):
            continue
        record = dict(proposal.record)
        for name in proposal.draft.unresolved:
            table = new_sites if name.kind == "site" else new_actors
            key = name.name.casefold()
            if key not in table:
                ask = f"{name.name!r} is not a known {name.kind}. Add it as a new {name.kind}? [y/N]"
                if not typer.prompt(ask, default="n", err=True).strip().lower().startswith("y"):
                    continue
                table[key] = _new_record(name.name, name.kind, data)
            if name.kind == "site" and record.get("site") is None and proposal.kind == "new":
                record["site"] = table[key]["id"]
            elif name.kind == "actor" and proposal.kind == "new" and table[key]["id"] not in record["actors"]:
                record["actors"] = [*record["actors"], table[key]["id"]]
        chosen.append(record)
    if not chosen:
        typer.echo("Nothing imported.", err=True)
        return
    document = {
        "schema_version": SCHEMA_VERSION,
        "actors": list(new_actors.values()),
        "sites": list(new_sites.values()),
        "events": chosen,
    }
    raw = jsonlib.dumps(document, ensure_ascii=False).encode("utf-8")
    import_bytes(raw, info.document or "the article", "json", db, dry_run=False, json=False)


def _new_record(name: str, kind: str, data) -> dict:
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    wanted = "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower())) or kind
    taken = data.sites if kind == "site" else data.actors
    record_id, n = wanted, 2
    while record_id in taken:
        record_id, n = f"{wanted}-{n}", n + 1
    if kind == "site":
        return {"id": record_id, "name": name, "aliases": [], "kind": None, "country": None, "admin1": None,
                "lat": None, "lon": None, "location_precision": "approximate"}  # fmt: skip
    return {"id": record_id, "name": name, "aliases": [], "kind": None, "country": None, "parent": None, "affiliations": [], "joined": None}

