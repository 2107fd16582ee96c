"""The records syriabrief keeps: events, actors and sites, as immutable records.

Every record is a NamedTuple: an export or an index build makes a hundred
thousand events with their sources, and a tuple is built in one call where a
frozen dataclass sets each field through object.__setattr__ (reading 100k
events: 0.72 s as frozen dataclasses, 0.45 s as tuples), and every run defines
the classes (0.2 ms each instead of 0.6 to 1.5). The annotations here are
not deferred (no ``from __future__ import annotations``): typing.NamedTuple
compiles each deferred one into a ForwardRef, 0.6 ms of every run.

Each class reads itself from its JSON form (``from_json``) and writes it back
(``to_json``); the JSON form is the documented contract (docs/data-model.md).
``from_json`` trusts its input's shape: checking untrusted records is the job of
``validate.py``. Standard library only.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, TypeVar

from syriabrief.domain.dates import Period, event_period

__all__ = [
    "ACTOR_KINDS",
    "DISPUTE_ASPECTS",
    "DRIVING_TYPES",
    "EVENT_KEYS",
    "EVENT_STATUSES",
    "EVENT_TYPES",
    "LOCATION_PRECISIONS",
    "SITE_KINDS",
    "POPULATED_KINDS",
    "AREA_KINDS",
    "site_class",
    "STATE_ASPECTS",
    "STAGES",
    "DEPARTED_WORDS",
    "STRENGTH_WORDS",
    "Actor",
    "Dispute",
    "Event",
    "Joined",
    "Move",
    "Note",
    "Site",
    "event_sort_key",
    "filled",
    "Source",
]

EVENT_TYPES = (
    "withdrawal",
    "deployment",
    "presence",
    "handover",
    "control_change",
    "detainee_transfer",
    "attack",
    "clash",
    "offensive",
    "prison_break",
    "ceasefire",
    "agreement",
    "meeting",
    "statement",
    "alliance",
    "leadership_change",
)
# The event types that change who is at a site (what positions replay); the others never do.
DRIVING_TYPES = frozenset({"withdrawal", "deployment", "presence", "handover", "control_change"})
EVENT_STATUSES = ("confirmed", "reported", "claimed", "planned", "disputed")
STAGES = ("began", "ongoing", "completed")
ACTOR_KINDS = (
    "state",
    "state_armed_force",
    "government",
    "non_state_armed_group",
    "coalition",
    "person",
    "organisation",
    "media",
)
SITE_KINDS = (
    "air_base",
    "base",
    "garrison",
    "airport",
    "naval_base",
    "camp",
    "prison",
    "city",
    "town",
    "region",
    "oil_field",
    "dam",
    "border_crossing",
    "country",
)
# What a site of each kind is: a populated place, an area, or a facility (every other kind).
# A name shared by a town and the base beside it never stands for both (formats.acled).
POPULATED_KINDS = frozenset({"city", "town"})
AREA_KINDS = frozenset({"region", "country"})
LOCATION_PRECISIONS = ("exact", "approximate", "area")
# What a dispute is about. The first four are about the state on the ground (who
# holds what, since when, whether it happened, where): only those make a derived
# position "disputed". A disagreement over figures or details leaves it alone.
DISPUTE_ASPECTS = ("who", "when", "whether", "where", "figures", "details")
STATE_ASPECTS = ("who", "when", "whether", "where")

Quantity = int | float | dict[str, int | float]
# Quantity names that describe a force's size ("troops", "troops_remaining", "fighters").
STRENGTH_WORDS = ("troop", "soldier", "personnel", "fighter")
# ... unless they count casualties: "soldiers_killed" is a toll, not a force's size.
CASUALTY_WORDS = ("killed", "wounded", "injured", "dead", "captured")
# ... or those who left or no longer serve: "sdf_fighters_withdrawn" counts a departure, not a force.
DEPARTED_WORDS = ("withdrawn", "evacuated", "redeployed", "ex_")


def site_class(kind: str | None) -> str:
    """``populated place``, ``area`` or ``facility`` (a site of no kind counts as a facility)."""
    if kind in POPULATED_KINDS:
        return "populated place"
    return "area" if kind in AREA_KINDS else "facility"


class Source(NamedTuple):
    """Where a fact was read: the outlet that reported it, the page (its title and address) and the date
    the page shows."""

    outlet: str
    document: str | None = None
    url: str | None = None
    published: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Source":
        return cls(d["outlet"], d.get("document"), d.get("url"), d.get("published"))

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "document": self.document,
            "url": self.url,
            "published": self.published,
        }


class Dispute(NamedTuple):
    """Another account of an event: what it says, who says it, and what it disagrees on (``about``)."""

    claim: str
    sources: tuple[Source, ...] = ()
    about: str | None = None  # one of DISPUTE_ASPECTS; None: not said (taken as about the state)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Dispute":
        return cls(d["claim"], tuple(Source.from_json(s) for s in d.get("sources") or ()), d.get("about"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"claim": self.claim, "sources": [s.to_json() for s in self.sources]}
        if self.about is not None:
            out["about"] = self.about
        return out

    @property
    def about_state(self) -> bool:
        return self.about is None or self.about in STATE_ASPECTS


class Event(NamedTuple):
    """One reported happening, dated with its precision, with who, where, what (type and stage), figures
    and every source and other account. Its JSON keys, in order, are ``EVENT_KEYS``."""

    id: str
    date: str
    type: str
    summary: str
    sources: tuple[Source, ...]
    end_date: str | None = None
    date_precision: str = "day"
    approximate: bool = False
    stage: str | None = None
    actors: tuple[str, ...] = ()
    site: str | None = None
    origin: str | None = None
    destination: str | None = None
    quantities: dict[str, Quantity] = {}  # noqa: RUF012 (shared, and like every field never changed)
    status: str = "reported"
    disputes: tuple[Dispute, ...] = ()
    tags: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # A tuple hashes every field, and quantities are a dict; equal events have the same id.
        return hash(self.id)

    @property
    def period(self) -> Period:
        """The days the event may cover: from the start of `date` to the end of `end_date`."""
        return event_period(self.date, self.end_date)

    @property
    def contested(self) -> bool:
        """Sources disagree about the event: it is disputed or carries another account."""
        return self.status == "disputed" or bool(self.disputes)

    @property
    def state_disputed(self) -> bool:
        """Sources disagree about the state on the ground (who, when, whether, where), not only figures."""
        if any(d.about_state for d in self.disputes):
            return True
        return self.status == "disputed" and not self.disputes

    @property
    def disputed_about(self) -> tuple[str, ...]:
        """The aspects the sources disagree on, in DISPUTE_ASPECTS order ("unspecified" when not said)."""
        named = {d.about or "unspecified" for d in self.disputes}
        if self.status == "disputed" and not self.disputes:
            named.add("unspecified")
        return tuple(a for a in (*DISPUTE_ASPECTS, "unspecified") if a in named)
    @property
    def strength_names(self) -> list[str]:
        """The names of its quantities that give a force's size."""
        return [
            name for name in self.quantities
            if any(word in name for word in STRENGTH_WORDS)
            and not any(word in name for word in (*CASUALTY_WORDS, *DEPARTED_WORDS))
        ]  # fmt: skip

    def move(self) -> "Move":
        return Move(
            self.id, self.date, self.end_date, self.date_precision, self.approximate, self.type, self.stage,
            self.actors, self.site, self.destination, self.state_disputed, self.status, self.origin,
        )  # fmt: skip

    @property
    def places(self) -> tuple[str, ...]:
        """Every site the event touches: its site, origin and destination."""
        return tuple(s for s in (self.site, self.origin, self.destination) if s)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Event":
        # Positional, in field order: keywords cost half as much again, and an import or an
        # index build decodes a hundred thousand events.
        get = d.get
        return cls(
            d["id"], d["date"], d["type"], d["summary"], tuple([Source.from_json(s) for s in d["sources"]]),
            get("end_date"), get("date_precision") or _precision_of(d["date"]), bool(get("approximate", False)),
            get("stage"), tuple(get("actors") or ()), get("site"), get("origin"), get("destination"),
            dict(get("quantities") or {}), get("status") or "reported",
            tuple([Dispute.from_json(x) for x in get("disputes") or ()]), tuple(get("tags") or ()),
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "end_date": self.end_date,
            "date_precision": self.date_precision,
            "approximate": self.approximate,
            "type": self.type,
            "stage": self.stage,
            "actors": list(self.actors),
            "site": self.site,
            "origin": self.origin,
            "destination": self.destination,
            "quantities": dict(self.quantities),
            "status": self.status,
            "summary": self.summary,
            "sources": [s.to_json() for s in self.sources],
            "disputes": [x.to_json() for x in self.disputes],
            "tags": list(self.tags),
        }


# An event's JSON keys, in the order its JSON form has them (not its fields' order, which puts those
# with a default last; an actor's and a site's JSON keys are their fields, in order: ``_fields``).
EVENT_KEYS = (
    "id", "date", "end_date", "date_precision", "approximate", "type", "stage",
    "actors", "site", "origin", "destination", "quantities", "status", "summary",
    "sources", "disputes", "tags",
)  # fmt: skip


class Joined(NamedTuple):
    """An actor's forces folded into another's from a day on (the HTS-led factions into the defence
    ministry on 29 Jan 2025), with who reported it: a fact like any other."""

    actor: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD: it counts from the last day this may mean
    sources: tuple[Source, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Joined":
        return cls(d["actor"], d["date"], tuple(Source.from_json(s) for s in d.get("sources") or ()))

    def to_json(self) -> dict[str, Any]:
        return {"actor": self.actor, "date": self.date, "sources": [s.to_json() for s in self.sources]}

    @property
    def counts_from(self) -> datetime.date:
        """The last day ``date`` may mean ("2025-03": 31 Mar 2025): from then on it had certainly happened."""
        return event_period(self.date, None).end

    def by(self, day: datetime.date) -> bool:
        """Whether it had certainly happened by ``day``."""
        return self.counts_from <= day


class Actor(NamedTuple):
    """A force, government, group or person that events name, with the names people know it by, the
    actor it comes under (``parent``) and the one it joined later, if any (``joined``)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    parent: str | None = None
    affiliations: tuple[str, ...] = ()
    joined: Joined | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Actor":
        return cls(
            id=d["id"],
            name=d["name"],
            aliases=tuple(d.get("aliases") or ()),
            kind=d.get("kind"),
            country=d.get("country"),
            parent=d.get("parent"),
            affiliations=tuple(d.get("affiliations") or ()),
            joined=Joined.from_json(d["joined"]) if d.get("joined") else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "country": self.country,
            "parent": self.parent,
            "affiliations": list(self.affiliations),
            "joined": self.joined.to_json() if self.joined else None,
        }


class Note(NamedTuple):
    """A sourced remark on a site that is no event: a distance, a size, what it was before."""

    text: str
    sources: tuple[Source, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Note":
        return cls(d["text"], tuple(Source.from_json(s) for s in d.get("sources") or ()))

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "sources": [s.to_json() for s in self.sources]}


class Site(NamedTuple):
    """A place events happen at: a base, airport, crossing, town or area, with its coordinates and the
    place that contains it."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str = "approximate"
    # The site that contains this one (an airport's city, a city's governorate); None at the top.
    parent: str | None = None
    notes: tuple[Note, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Site":
        return cls(
            id=d["id"],
            name=d["name"],
            aliases=tuple(d.get("aliases") or ()),
            kind=d.get("kind"),
            country=d.get("country"),
            admin1=d.get("admin1"),
            lat=d.get("lat"),
            lon=d.get("lon"),
            location_precision=d.get("location_precision") or "approximate",
            parent=d.get("parent"),
            notes=tuple(Note.from_json(n) for n in d.get("notes") or ()),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
            "location_precision": self.location_precision,
            "parent": self.parent,
        }
        # Written only when there are some, so the many sites without notes keep their short record.
        if self.notes:
            out["notes"] = [n.to_json() for n in self.notes]
        return out


class Move(NamedTuple):
    """What positions (and the sentences about them) need of an event: when, what, who, where.

    Deriving a big actor's positions replays tens of thousands of events; an
    indexed store hands these few fields out without building whole Events.
    The names and meanings are the Event's own, so either can be replayed.
    """

    id: str
    date: str
    end_date: str | None
    date_precision: str
    approximate: bool
    type: str
    stage: str | None
    actors: tuple[str, ...]
    site: str | None
    destination: str | None
    state_disputed: bool  # Event.state_disputed: the sources disagree about who, when, whether or where
    status: str = "reported"  # a "planned" move is an intention: it changes nobody's position
    origin: str | None = None  # where it left from, for a move told without a site (a fleet leaving Tartus)

    @property
    def period(self) -> Period:
        return event_period(self.date, self.end_date)


def _precision_of(date: str) -> str:
    return {4: "year", 7: "month"}.get(len(date), "day")


def event_sort_key(event: Event | Move) -> tuple:
    period = event.period
    return (period.start, period.end, event.id)


_Record = TypeVar("_Record")


def filled(kind: type[_Record], fields: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> _Record:
    """A frozen dataclass ``kind`` holding ``fields`` (every one of its fields, values already checked), without its __init__.

    A frozen dataclass's __init__ sets each field through object.__setattr__,
    several times the cost of filling its __dict__ at once; a profile of a big
    actor makes tens of thousands of period and move views.
    Nothing is checked or defaulted and no __post_init__ runs: give every field
    (a missing one falls back to a plain class default, or fails when read).
    """
    record = object.__new__(kind)
    record.__dict__.update(fields)
    return record
