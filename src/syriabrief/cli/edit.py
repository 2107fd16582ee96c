"""``syriabrief add``: record one event, actor or site in the user's store.

``syriabrief add event --date ... --type ...`` (or ``add`` alone) adds an
event; ``add actor`` and ``add site`` add the names events refer to. Writes go to the user's store
(--db, SYRIABRIEF_DB, or the per-user default), never to the bundled dataset.
Names are resolved against the bundled and the user's records together.
"""

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from syriabrief.cli.common import (
    DbOption,
    EventStatus,
    EventType,
    app,
    handles_errors,
    layers,
    named,
    write_target,
)
from syriabrief.domain.model import ACTOR_KINDS, EVENT_STATUSES, EVENT_TYPES, SITE_KINDS, STAGES
from syriabrief.errors import SyriabriefError, UsageError

# The choices are the domain's own tuples; mypy cannot follow a computed Enum.
Stage = Enum("Stage", {s: s for s in STAGES}, type=str)  # type: ignore[misc]
ActorKind = Enum("ActorKind", {k: k for k in ACTOR_KINDS}, type=str)  # type: ignore[misc]
SiteKind = Enum("SiteKind", {k: k for k in SITE_KINDS}, type=str)  # type: ignore[misc]


EVENT_EXAMPLE = (
    "syriabrief add --date 2026-03-01 --type withdrawal --actor US --site Qasrak "
    '--summary "US forces completed their withdrawal from Qasrak." --source-outlet Reuters'
)


class _EventByDefault(TyperGroup):
    """``add --date …`` is ``add event --date …``: recording a report needs no subcommand name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: the click Context Typer bundles
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["event", *args]
        return super().parse_args(ctx, args)


add_app = typer.Typer(
    cls=_EventByDefault,
    help=(
        "Record a report in your store: an event ('add' alone means 'add event'), or an actor or site "
        "events can name.\n\nExample: " + EVENT_EXAMPLE
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(add_app, name="add", short_help="Record a report in your store: an event, actor or site.")

DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")]
NameOption = Annotated[str | None, typer.Option("--name", metavar="TEXT", help="The name to show (required).")]
IdOption = Annotated[
    str | None, typer.Option("--id", metavar="ID", help="The record's id (default: made from the name).")
]
AliasOption = Annotated[
    list[str] | None, typer.Option("--alias", metavar="TEXT", help="Another name it goes by (repeatable).")
]


def _can_prompt() -> bool:
    """Ask for missing values only when a person can answer (stdin is a terminal)."""
    return sys.stdin.isatty()


def _ask(label: str, convert: Callable[[str], Any]) -> Any:
    """Prompt on stderr until ``convert`` accepts the answer."""
    from syriabrief.domain.safetext import visible

    while True:
        answer = typer.prompt(label, err=True)
        try:
            return convert(answer)
        except SyriabriefError as error:
            typer.echo(f"Error: {visible(error)}", err=True)


def _refuse_missing(missing: list[str], what: str, example: str) -> None:
    if missing and not _can_prompt():
        raise UsageError(
            f"missing {', '.join(missing)}: {what} needs {'them' if len(missing) > 1 else 'it'}, "
            f"and stdin is not a terminal to ask on. Example: {example}"
        )


def _layers_beneath() -> list[Path]:
    return list(layers(None).beneath)


def _names(db: Path | None):
    """The records names are resolved against: the bundled data and the user's store, if it exists yet."""
    from syriabrief.storage.store import load_catalogue

    user = write_target(db)
    return load_catalogue(_layers_beneath() + ([user] if user.exists() else []))


def _report(kind: str, record: Any, path: Path, dry_run: bool, json: bool) -> None:
    # Not through output.terminal: a one-line report need not load Rich (a third of an add's time).
    from syriabrief.domain.safetext import visible
    from syriabrief.output.jsonout import write_json

    if json:
        write_json(record.to_json())
        return
    verb = "Would add" if dry_run else "Added"
    typer.echo(f"{verb} {kind} {record.id} to {visible(path)}" + (" (nothing was written)." if dry_run else "."))


@add_app.command("event")
@handles_errors
def add_event(
    date: Annotated[str | None, typer.Option(metavar="DATE", help="When it happened or began: 2026-03-01, 2026-03, 'Mar 2026' (required).")] = None,
    end_date: Annotated[str | None, typer.Option(metavar="DATE", help="The last day of a span (a withdrawal over several days).")] = None,
    event_type: Annotated[EventType | None, typer.Option("--type", metavar="TYPE", case_sensitive=False, help="What happened (required): " + ", ".join(EVENT_TYPES) + ".")] = None,
    actor: Annotated[list[str] | None, typer.Option(metavar="NAME", help="Who acted, acting party first (any alias; repeatable; at least one).")] = None,
    site: Annotated[str | None, typer.Option(metavar="NAME", help="Where it happened; for a withdrawal, the place left.")] = None,
    origin: Annotated[str | None, typer.Option(metavar="NAME", help="Where a movement started.")] = None,
    destination: Annotated[str | None, typer.Option(metavar="NAME", help="Where a movement went.")] = None,
    summary: Annotated[str | None, typer.Option(metavar="TEXT", help="One or two sentences in your own words (required).")] = None,
    source_outlet: Annotated[str | None, typer.Option(metavar="NAME", help="Who reported it: Reuters, AP, SANA... (required).")] = None,
    source_url: Annotated[str | None, typer.Option(metavar="URL", help="The report's address.")] = None,
    source_document: Annotated[str | None, typer.Option(metavar="TEXT", help="The report's title, or the file you read it in.")] = None,
    published: Annotated[str | None, typer.Option(metavar="DATE", help="When the report was published.")] = None,
    status: Annotated[EventStatus | None, typer.Option(metavar="STATUS", case_sensitive=False, help="How sure it is (default: reported): " + ", ".join(EVENT_STATUSES) + ".")] = None,
    stage: Annotated[Stage | None, typer.Option(metavar="STAGE", case_sensitive=False, help="For a process such as a withdrawal: " + ", ".join(STAGES) + ".")] = None,
    approximate: Annotated[bool, typer.Option("--approximate", help="The date is the reporters' estimate.")] = False,
    quantity: Annotated[list[str] | None, typer.Option(metavar="NAME=VALUE", help="A figure: troops=200, or a range: escaped=120-1500 (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option(metavar="TAG", help="A free label such as us-drawdown (repeatable).")] = None,
    event_id: Annotated[str | None, typer.Option("--id", metavar="ID", help="The event's id (default: made from the date and the summary).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Add it even if an identical event (same date, type, actors, site and summary) is stored.")] = False,
    dry_run: DryRunOption = False,
    json: Annotated[bool, typer.Option("--json", help="Print the added event as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Add an event to your store ('add' alone means 'add event'); 'add actor' and 'add site' add the names events use.

    Names match any alias of the bundled and your own actors and sites; an
    unknown name is refused with suggestions (add it first with 'add actor' or
    'add site'). Missing required options are asked for on a terminal.

    Example: syriabrief add --date 2026-03-01 --type withdrawal --actor US --site Qasrak --summary "US forces completed their withdrawal from Qasrak." --source-outlet Reuters
    """
    from syriabrief.domain.dates import parse_user_date, stored_date
    from syriabrief.storage.editing import add_record, parse_quantity, slugify

    missing = [
        option
        for option, value in (
            ("--date", date), ("--type", event_type), ("--actor", actor),
            ("--summary", summary), ("--source-outlet", source_outlet),
        )
        if not value or (isinstance(value, str) and not value.strip())
    ]  # fmt: skip
    _refuse_missing(missing, "an event", EVENT_EXAMPLE)
    data = _names(db)

    def day(text: str) -> str:
        return stored_date(parse_user_date(text))

    def actors_of(names: list[str]) -> list[str]:
        ids: dict[str, str] = {}  # actor id -> the name that gave it
        for name in names:
            actor = named(data, "actor", name)
            if actor.id in ids:
                raise UsageError(f"{ids[actor.id]!r} and {name!r} both name {actor.name}: give each actor once")
            ids[actor.id] = name
        return list(ids)

    def actors_in(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        if not names:
            raise UsageError("name at least one actor")
        return actors_of(names)

    def text_of(text: str) -> str:
        if not text.strip():
            raise UsageError("this cannot be empty")
        return text.strip()

    def type_of(text: str) -> str:
        if text.strip().lower() not in EVENT_TYPES:
            raise UsageError(f"{text!r} is not one of: {', '.join(EVENT_TYPES)}")
        return text.strip().lower()

    # Everything given is checked before anything is asked for.
    record: dict[str, Any] = {
        "date": day(date) if date else None,
        "end_date": day(end_date) if end_date else None,
        "approximate": approximate,
        "type": event_type.value if event_type else None,
        "stage": stage.value if stage else None,
        "actors": actors_of(actor or []),
        "site": named(data, "site", site).id if site else None,
        "origin": named(data, "site", origin).id if origin else None,
        "destination": named(data, "site", destination).id if destination else None,
        "quantities": {},
        "status": status.value if status else "reported",
        "summary": summary.strip() if summary else None,
        "sources": [],
        "disputes": [],
        "tags": [t.strip() for t in tag or () if t.strip()],
    }
    for text in quantity or ():
        name, value = parse_quantity(text)
        if name in record["quantities"]:
            raise UsageError(f"the quantity {name!r} is given twice")
        record["quantities"][name] = value
    published_date = day(published) if published else None
    _refuse_unlikely_source(source_url, published_date)
    if "--date" in missing:
        record["date"] = _ask("Date (2026-03-01, 2026-03, Mar 2026)", day)
    if "--type" in missing:
        record["type"] = _ask(f"Type ({', '.join(EVENT_TYPES)})", type_of)
    if "--actor" in missing:
        record["actors"] = _ask("Actors, acting party first (any alias; separate with commas)", actors_in)
    if "--summary" in missing:
        record["summary"] = _ask("Summary (one or two sentences in your own words)", text_of)
    outlet = source_outlet.strip() if source_outlet and source_outlet.strip() else _ask("Source outlet (e.g. Reuters)", text_of)
    record["sources"] = [{"outlet": outlet, "document": source_document, "url": source_url, "published": published_date}]

    _refuse_implausible(record)
    path = write_target(db)
    if not force:
        _refuse_identical(record, db)
    event = add_record(
        path, "event", record,
        wanted_id=event_id,
        id_hint=f"{record['date']}-{slugify(record['summary'])}".strip("-"),
        beneath=_layers_beneath(), dry_run=dry_run,
    )  # fmt: skip
    _report("event", event, path, dry_run, json)


def _refuse_unlikely_source(url: str | None, published: str | None) -> None:
    """The page's address must be one (a typo here loses the source), and no page comes out after today."""
    import datetime
    import re

    if url is not None and not re.fullmatch(r"https?://\S+", url.strip()):
        raise UsageError(f"--source-url {url!r} is not a web address (https://...)")
    if published is not None:
        from syriabrief.domain.dates import parse_stored

        if parse_stored(published).start > datetime.date.today():
            raise UsageError(f"--published {published} is after today; give the day the report came out")


def _refuse_implausible(record: dict[str, Any]) -> None:
    """The rule imports follow: no report is dated after today (unless planned) or before 1946."""
    import datetime

    from syriabrief.domain.dates import event_period, implausible

    try:
        period = event_period(record["date"], record["end_date"])
    except ValueError:
        return  # add_record reports a broken date with the record's other problems
    latest = None if record["status"] == "planned" else datetime.date.today()
    why = implausible(period, latest)
    if why:
        hint = "; an event still to come is added with --status planned" if latest and period.start > latest else ""
        raise UsageError(f"the date {record['date']} {why}{hint}")


def _refuse_identical(record: dict[str, Any], db: Path | None) -> None:
    """The same report added twice would be two events: refuse, naming the one stored."""
    from syriabrief.cli.importing import known_files
    from syriabrief.domain import duplicates
    from syriabrief.domain.model import Event
    from syriabrief.storage.store import events_dated

    new = Event.from_json({**record, "id": ""})
    # Identical events share the date as stored: only those are read, not the store (nor its index).
    same = duplicates.identical(new, events_dated(known_files(db, write_target(db)), new.date))
    if same:
        raise SyriabriefError(
            f"this event is already stored as {same[0].id!r} (same date, type, actors, site and summary); "
            "nothing was added; give --force to add it again"
        )


@add_app.command("actor")
@handles_errors
def add_actor(
    name: NameOption = None,
    actor_id: IdOption = None,
    alias: AliasOption = None,
    kind: Annotated[ActorKind | None, typer.Option(metavar="KIND", case_sensitive=False, help="One of: " + ", ".join(ACTOR_KINDS) + ".")] = None,
    country: Annotated[str | None, typer.Option(metavar="TEXT", help="The country it belongs to.")] = None,
    parent: Annotated[str | None, typer.Option(metavar="NAME", help="The actor it is part of (any alias).")] = None,
    affiliation: Annotated[list[str] | None, typer.Option(metavar="NAME", help="An actor it is allied with or part of (repeatable).")] = None,
    dry_run: DryRunOption = False,
    json: Annotated[bool, typer.Option("--json", help="Print the added actor as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Add an actor (a state, a force, a group, a person) that events can name.

    Example: syriabrief add actor --name "Jordanian Armed Forces" --alias JAF --kind state_armed_force --country Jordan
    """
    from syriabrief.storage.editing import add_record, slugify

    _refuse_missing(["--name"] if not (name and name.strip()) else [], "an actor",
                    'syriabrief add actor --name "Lebanese Armed Forces" --alias LAF')  # fmt: skip
    data = _names(db)
    name = name.strip() if name and name.strip() else _ask("Name", lambda t: t.strip() or _empty())
    aliases = [a.strip() for a in alias or () if a.strip()]
    record = {
        "name": name,
        "aliases": aliases,
        "kind": kind.value if kind else None,
        "country": country,
        "parent": named(data, "actor", parent).id if parent else None,
        "affiliations": [named(data, "actor", a).id for a in affiliation or ()],
    }
    path = write_target(db)
    made = add_record(path, "actor", record, wanted_id=actor_id, id_hint=slugify(name, max_words=12),
                      beneath=_layers_beneath(), dry_run=dry_run)  # fmt: skip
    _report("actor", made, path, dry_run, json)


@add_app.command("site")
@handles_errors
def add_site(
    name: NameOption = None,
    site_id: IdOption = None,
    alias: AliasOption = None,
    kind: Annotated[SiteKind | None, typer.Option(metavar="KIND", case_sensitive=False, help="One of: " + ", ".join(SITE_KINDS) + ".")] = None,
    country: Annotated[str | None, typer.Option(metavar="TEXT", help="The country it is in.")] = None,
    admin1: Annotated[str | None, typer.Option(metavar="TEXT", help="Its governorate or province.")] = None,
    lat: Annotated[float | None, typer.Option(metavar="DEGREES", min=-90, max=90, help="Latitude (give --lon too).")] = None,
    lon: Annotated[float | None, typer.Option(metavar="DEGREES", min=-180, max=180, help="Longitude (give --lat too).")] = None,
    exact: Annotated[bool, typer.Option("--exact", help="The coordinates are the site itself, not the town near it.")] = False,
    parent: Annotated[str | None, typer.Option(metavar="NAME", help="The site it lies in: an airport's city, a base's governorate (any alias).")] = None,
    dry_run: DryRunOption = False,
    json: Annotated[bool, typer.Option("--json", help="Print the added site as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Add a site (a base, an airport, a prison, a town) that events can name.

    Example: syriabrief add site --name "Tal Tamr" --kind town --parent "Hasakah province" --country Syria
    """
    from syriabrief.storage.editing import add_record, slugify

    _refuse_missing(["--name"] if not (name and name.strip()) else [], "a site",
                    'syriabrief add site --name "Kharab al-Jir airstrip" --kind air_base')  # fmt: skip
    if (lat is None) != (lon is None):
        raise UsageError("give --lat and --lon together, or neither")
    data = _names(db)
    name = name.strip() if name and name.strip() else _ask("Name", lambda t: t.strip() or _empty())
    aliases = [a.strip() for a in alias or () if a.strip()]
    record = {
        "name": name,
        "aliases": aliases,
        "kind": kind.value if kind else None,
        "country": country,
        "admin1": admin1,
        "lat": lat,
        "lon": lon,
        "location_precision": "exact" if exact else "approximate",
        "parent": named(data, "site", parent).id if parent else None,
    }
    path = write_target(db)
    made = add_record(path, "site", record, wanted_id=site_id, id_hint=slugify(name, max_words=12),
                      beneath=_layers_beneath(), dry_run=dry_run)  # fmt: skip
    _report("site", made, path, dry_run, json)


def _empty() -> str:
    raise UsageError("this cannot be empty")
