"""The typed reports: what each command answers, and its ``--json`` contract.

Every report is a frozen dataclass (``eq=False, repr=False``: ``Report`` compares,
hashes and shows them). Its ``to_json()`` *is* the documented
``--json`` output (docs/json.md): field names are the JSON keys, nested reports
become objects, tuples become lists, and a field marked ``flat`` (an identity
or a status shared by several reports) spreads its keys into its parent.
Narratives and tables read the typed fields, never string keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from syriabrief.domain.model import Actor, Event, Joined, Note, Site
from syriabrief.domain.safetext import json_utf8

if TYPE_CHECKING:
    from syriabrief.domain.dataset import EventTexts

__all__ = [
    "Account",
    "ActorChange",
    "ActorIdentity",
    "ActorLine",
    "ActorLines",
    "ActorList",
    "ActorProfile",
    "ActorRow",
    "ActorSubject",
    "Age",
    "Aspect",
    "BaseRow",
    "BaseState",
    "Brief",
    "Changes",
    "Citation",
    "Comparison",
    "Contested",
    "EventRef",
    "Figure",
    "MoveView",
    "PeriodView",
    "Report",
    "SiteChange",
    "SiteIdentity",
    "SiteList",
    "SiteProfile",
    "SiteSubject",
    "Span",
    "StatusView",
    "flat",
    "json_texts",
]


def flat() -> Any:
    """A field whose keys are spread into its parent's JSON object."""
    return field(metadata={"flat": True})


class Report:
    """Base of every typed report: ``to_json`` by the rules in the module docstring, and equality, a hash
    and a repr by fields, as ``@dataclass(eq=True, repr=True)`` would give each report. Defined here once
    (every report says ``eq=False, repr=False``): generated for each of them, they were most of this
    module's 27 ms import, paid by every report command."""

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def __hash__(self) -> int:
        return hash(_values(self))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__qualname__}({shown})"

    def to_json(self) -> dict[str, Any]:
        return self.to_json_streamed(None)

    def to_json_streamed(self, streamed: str | None) -> dict[str, Any]:
        """``to_json()``, with the list field ``streamed`` given as the --json texts of its items
        (UTF-8), each made as it is asked for: jsonout writes them one at a time, so a list of a
        hundred thousand periods is never held as JSON all at once."""
        layout = _layout(type(self))
        out: dict[str, Any] = {}
        for name, value in zip(layout.names, layout.values(self)):
            if name == streamed:
                out[name] = json_texts(value)
            elif type(value) in _PLAIN:  # most are their own JSON (an actor list has half a million)
                out[name] = value
            elif name in layout.flat:
                out.update(_json(value))  # its keys where the field is
            else:
                out[name] = _json(value)
        return out


def json_texts(values: Iterable[Any]) -> Iterator[bytes]:
    """The --json text of each of ``values`` (reports among them) in UTF-8, made as it is asked for."""
    return (json_utf8(_json(value)) for value in values)


class _Layout(NamedTuple):
    """A report class's fields, read once per class: dataclasses.fields and a getattr per field on
    every report made an actor list's --json spend half its time there."""

    names: tuple[str, ...]
    flat: tuple[str, ...]  # the fields whose keys are spread into the report's own
    values: Callable[[Any], tuple]  # every field's value, in order

    @classmethod
    def of(cls, kind: type) -> _Layout:
        names = tuple(f.name for f in fields(kind))
        flat = tuple(f.name for f in fields(kind) if f.metadata.get("flat"))
        return cls(names, flat, attrgetter(*names) if len(names) > 1 else lambda report: (getattr(report, names[0]),))


def _layout(kind: type) -> _Layout:
    layout = _LAYOUTS.get(kind)
    if layout is None:
        layout = _LAYOUTS[kind] = _Layout.of(kind)
    return layout


_LAYOUTS: dict[type, _Layout] = {}


def _values(report: Report) -> tuple:
    return _layout(type(report)).values(report)


# The values that are their own JSON; exact types, so that nothing derived from them slips through.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _json(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, (Report, Event, Joined, Note)):
        return value.to_json()
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _PLAIN else _json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


# --- the pieces reports share ------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class EventRef(Report):
    """A short reference to an event: enough to show it in a cell and find it with ``show``."""

    id: str
    date: str
    end_date: str | None
    type: str


@dataclass(frozen=True, eq=False, repr=False)
class Span(Report):
    """How many events a report rests on, and the first and the last of them."""

    event_count: int
    first_event: EventRef | None
    last_event: EventRef | None


@dataclass(frozen=True, eq=False, repr=False)
class Age(Report):
    """How old the newest report behind an answer is, seen from its as-of day."""

    # Past this many days, an answer says how old its evidence is (docs/commands.md).
    STALE_DAYS: ClassVar[int] = 60

    latest_report: str | None  # the newest event date the answer rests on (its last day)
    latest_event: str | None  # that event's id
    age_days: int | None  # as-of day minus the latest report's last day
    stale: bool  # older than STALE_DAYS


@dataclass(frozen=True, eq=False, repr=False)
class Citation(Report):
    """One event a narrative cites, as listed under the paragraph: ``[n] date — title (outlets)``."""

    number: int
    event: str
    date: str
    end_date: str | None
    approximate: bool
    title: str
    outlets: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class ActorIdentity(Report):
    """An actor as every report names it: its record's fields."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    parent: str | None
    affiliations: tuple[str, ...]
    joined: Joined | None  # the actor it joined later, from which day, and who reported it

    @classmethod
    def of(cls, actor: Actor) -> ActorIdentity:
        return cls(actor.id, actor.name, tuple(actor.aliases), actor.kind, actor.country, actor.parent,
                   tuple(actor.affiliations), actor.joined)  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class SiteIdentity(Report):
    """A site as every report names it: its record's fields and where it lies."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    location_precision: str | None
    parent: str | None  # the site it lies in (an airport's city, a base's governorate)

    @classmethod
    def of(cls, site: Site) -> SiteIdentity:
        return cls(site.id, site.name, tuple(site.aliases), site.kind, site.country, site.admin1, site.lat, site.lon,
                   site.location_precision, site.parent)  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class StatusView(Report):
    """Who is at a site on the as-of day (positions.SiteStatus with names, dates and age)."""

    holder: str | None
    holder_name: str | None
    status: str  # active, withdrawing, vacated, handed_over, lost, unknown
    since: str | None
    previous: str | None
    previous_name: str | None
    uncertain: bool
    disputed: bool
    status_events: tuple[str, ...]
    pending: tuple[str, ...]
    last_reported: str | None = None  # the last day of the newest event behind this state
    stale: bool = False  # that report is older than Age.STALE_DAYS at the as-of day
    disputed_about: tuple[str, ...] = ()  # what the sources disagree on: "who", "when", "whether"

    @property
    def doubtful(self) -> bool:
        """Disputed, or resting on reports older than Age.STALE_DAYS: what a * marks."""
        return self.disputed or self.stale


@dataclass(frozen=True, eq=False, repr=False)
class PeriodView(Report):
    """One actor's stay at one site (positions.ControlPeriod with names)."""

    site: str
    site_name: str
    actor: str
    actor_name: str
    role: str
    status: str
    since: str | None
    until: str | None
    status_since: str | None
    destination: str | None
    destination_name: str | None
    events: tuple[str, ...]
    disputed: bool
    uncertain: bool
    last_reported: str | None = None
    stale: bool = False
    lost_to: str | None = None  # for a lost period: who took the site
    lost_to_name: str | None = None
    handed_to: str | None = None  # for a period handed over: who received the site
    handed_to_name: str | None = None

    @property
    def last_change(self) -> str:
        """ControlPeriod.last_change, shown: ISO date text (partial dates sort before the days in them); "" if undated."""
        return self.until or self.status_since or self.since or ""

    @property
    def doubtful(self) -> bool:
        """Disputed, or an open stay resting on reports older than Age.STALE_DAYS: what a * marks."""
        return self.disputed or self.stale


@dataclass(frozen=True, eq=False, repr=False)
class Figure(Report):
    """A reported figure of a force's size."""

    name: str
    value: Any  # a number, or {"low": n, "high": n}
    date: str
    end_date: str | None
    approximate: bool
    status: str
    event: str
    site: str | None = None  # the report's place: a base's contingent, or a whole force named in a story on one base
    site_name: str | None = None
    label: str = ""  # the name in words, proper names as the data spells them: "troops in Syria"

    @property
    def reported_at(self) -> str | None:
        """The place the figure's report is about, unless it is the whole country."""
        return self.site_name if self.site_name and self.site != "syria" else None


@dataclass(frozen=True, eq=False, repr=False)
class Account(Report):
    """One account of a disputed event and the outlets that give it."""

    claim: str
    outlets: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class Contested(Report):
    """An event the sources disagree about: its own account first, then the others."""

    event: str
    date: str
    accounts: tuple[Account, ...]


@dataclass(frozen=True, eq=False, repr=False)
class MoveView(Report):
    """One move (deployment, withdrawal, handover, control change) as a table row or a list item shows it,
    names resolved."""

    event: str
    type: str
    stage: str | None
    date: str
    end_date: str | None
    actors: tuple[str, ...]
    actor_names: tuple[str, ...]
    site: str | None
    site_name: str | None
    destination: str | None
    destination_name: str | None
    disputed: bool
    status: str = "reported"  # the event's: a "planned" move is an intention, which moves nobody
    origin: str | None = None  # where it left from: shown when the move names no site
    origin_name: str | None = None
    summary: str | None = None
    in_window: str = "inside"  # "inside", or "possibly" when the event's dates straddle the window's edge


# --- actor --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ActorRow(Report):
    """One actor in the actor list (``actor`` without a name): what it holds and has left, and how many
    events name it."""

    actor: ActorIdentity = flat()
    as_of: str = ""
    holds: tuple[PeriodView, ...] = ()
    left: tuple[PeriodView, ...] = ()
    event_count: int = 0


@dataclass(frozen=True, eq=False, repr=False)
class ActorList(Report):
    """``actor`` without a name: every actor as of a day."""

    as_of: str
    rows: tuple[ActorRow, ...]

    def to_json(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [row.to_json() for row in self.rows]

    def lines(self) -> ActorLines:
        """What the list table shows of it (briefing.actor_lines makes the same without every period)."""
        return ActorLines(self.as_of, tuple(
            ActorLine(row.actor, tuple(dict.fromkeys(p.site_name for p in row.holds)), len(row.left), row.event_count,
                      max((p.last_change for p in (*row.holds, *row.left)), default=""),
                      frozenset(p.site_name for p in row.holds if p.doubtful))
            for row in self.rows
        ))  # fmt: skip


@dataclass(frozen=True)
class ActorLine:
    """One actor as the list table shows it: an ActorRow with its periods named and counted."""

    actor: ActorIdentity
    held: tuple[str, ...]  # the names of the sites it holds, each once, in the order its holds are listed
    left_count: int  # how many of its stays have ended (ActorRow.left)
    event_count: int
    changed: str  # its latest change of position (PeriodView.last_change); "" when none is dated
    # The held sites whose hold is disputed or rests on reports older than Age.STALE_DAYS
    # (brief marks its bases the same way).
    doubtful: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ActorLines:
    """The actor list for people; ``--json`` gives the whole ActorList."""

    as_of: str
    rows: tuple[ActorLine, ...]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class ActorProfile(Report):
    """``actor NAME``: where the actor and the forces under it stand as of a day, its figures, its events
    and the paragraph."""

    actor: ActorIdentity = flat()
    affiliation_names: tuple[str, ...] = ()
    parent_name: str | None = None
    as_of: str = ""
    holds: tuple[PeriodView, ...] = ()
    left: tuple[PeriodView, ...] = ()
    strength: tuple[Figure, ...] = ()
    pending: tuple[str, ...] = ()
    span: Span = flat()
    age: Age = flat()
    # The actor's own positions and those of the forces under it (its army, its units).
    through: tuple[str, ...] = ()  # ids of the actors whose positions count as this actor's
    # Actors that had joined it (or a force under it) by the as-of day: what they, and the forces
    # under them, still hold counts as its own (Actor.joined), what they left before does not.
    joined_by: tuple[str, ...] = ()
    # Events for tables; --json texts (UTF-8) when asked for JSON, read as they are written when all are asked for.
    events: tuple[Event | bytes, ...] | EventTexts = ()
    narrative: str = ""
    citations: tuple[Citation, ...] = ()


# --- sites --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class BaseRow(Report):
    """One site in the site list (``base`` without a name): who holds it as of a day."""

    site: SiteIdentity = flat()
    as_of: str = ""
    status: StatusView = flat()


@dataclass(frozen=True, eq=False, repr=False)
class SiteList(Report):
    """``base`` without a name: every site as of a day."""

    as_of: str
    rows: tuple[BaseRow, ...]

    def to_json(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [row.to_json() for row in self.rows]


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SiteProfile(Report):
    """``base NAME``: who holds the site and since when, its control history, the accounts that disagree,
    its events and the paragraph."""

    site: SiteIdentity = flat()
    notes: tuple[Note, ...] = ()  # sourced remarks on the site itself (distances, size)
    as_of: str = ""
    status: StatusView = flat()
    history: tuple[PeriodView, ...] = ()
    accounts: tuple[Contested, ...] = ()
    span: Span = flat()
    age: Age = flat()
    events: tuple[Event | bytes, ...] | EventTexts = ()  # as ActorProfile's
    # The sites within it (a province's bases, a city's airport) that a force holds or is leaving
    # at the as-of day, by name: a province's own status says nothing of them.
    inside: tuple[BaseRow, ...] = ()
    # The force its state belongs to, as a brief groups it (briefing.force_of_state): the Syrian
    # government for a base the HTS-led forces held when they joined its defence ministry.
    force: str | None = None
    force_name: str | None = None
    narrative: str = ""
    citations: tuple[Citation, ...] = ()


# --- comparisons --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Aspect(Report):
    """One thing a comparison sets side by side (the sites held, the governorates left ...), each subject's
    values and what they share."""

    aspect: str
    values: dict[str, list[str]]
    shared: tuple[str, ...]


@dataclass(frozen=True, eq=False, repr=False)
class ActorSubject(Report):
    """One actor of a comparison: its holds, the sites it left, its moves and where they went."""

    kind: str
    id: str
    name: str
    holds: tuple[PeriodView, ...]
    left: tuple[PeriodView, ...]
    moves: tuple[MoveView, ...]
    destinations: tuple[str, ...]
    destination_names: tuple[str, ...]
    regions_left: tuple[str, ...]
    regions_held: tuple[str, ...]
    strength: tuple[Figure, ...]
    span: Span = flat()
    pending: tuple[str, ...] = ()  # its events dated so roughly they may fall after the as-of day: left out
    joined_by: tuple[str, ...] = ()  # as its profile's: forces folded into it whose holds are in ``holds``


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class SiteSubject(Report):
    """One site of a comparison: who holds it, who left it, and the moves there."""

    kind: str
    id: str
    name: str
    admin1: str | None
    status: StatusView = flat()
    left_by: tuple[str, ...] = ()
    left_events: tuple[str, ...] = ()
    changes: tuple[MoveView, ...] = ()
    span: Span = flat()


@dataclass(frozen=True, eq=False, repr=False)
class Comparison(Report):
    """``compare A B``: two or more actors, or sites, side by side as of a day, with what they share and
    where they differ."""

    as_of: str
    since: str | None
    until: str
    subjects: tuple[ActorSubject | SiteSubject, ...]
    similarities: tuple[Aspect, ...]
    differences: tuple[Aspect, ...]
    age: Age = flat()
    narrative: str = ""
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class SiteChange(Report):
    """One site whose holder changed between two days (``compare --at``), and the events that changed it."""

    site: str
    site_name: str
    before: StatusView
    after: StatusView
    events: tuple[str, ...]
    changed_on: str | None  # the last day the latest of ``events`` may cover (None: there are none)
    lost_by: str | None = None  # who no longer holds it (the previous holder, or the event's losing side)
    lost_by_name: str | None = None

    @property
    def implied_holder(self) -> bool:
        """No holder is on record before (none, or one who left), yet the change names who lost
        the site: the tables and the paragraph say it was held by ``lost_by``, as the change implies."""
        return self.before.holder is None and self.lost_by is not None and self.lost_by != self.before.previous


@dataclass(frozen=True, eq=False, repr=False)
class ActorChange(Report):
    """What one actor gained, lost (had taken from it), began leaving and left (withdrew from or
    handed over) between two days (``compare --at``)."""

    actor: str
    actor_name: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    leaving: tuple[str, ...]
    left: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class Changes(Report):
    """``compare --at D1 --at D2``: what changed between the two days, site by site and actor by actor."""

    as_of: str
    since: str
    until: str
    subjects: tuple[()]
    differences: tuple[SiteChange, ...]
    actors: tuple[ActorChange, ...]
    age: Age = flat()
    narrative: str = ""
    citations: tuple[Citation, ...] = ()


# --- the brief ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class BaseState(Report):
    """One base in a brief: who holds it as of the day, grouped under the foreign force it belongs to."""

    site: str
    site_name: str
    admin1: str | None
    status: StatusView = flat()
    force: str | None = None  # the foreign force (top-level actor) this base is grouped under
    force_name: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Brief(Report):
    """``brief``: the situation on one screen, the bases by force, the moves of the last days and the open
    disputes."""

    as_of: str
    since: str
    days: int
    bases: tuple[BaseState, ...]
    moves: tuple[MoveView, ...]
    disputes: tuple[Contested, ...]
    event_count: int
    latest_move: str | None
    age: Age = flat()
    narrative: str = ""
    citations: tuple[Citation, ...] = ()
