"""The records syriabrief keeps: events, actors and sites, as frozen dataclasses.

Each class reads itself from its JSON form (``from_json``) and writes it back
(``to_json``); the JSON form is the documented contract (docs/data-model.md).
``from_json`` trusts its input's shape: checking untrusted records is the job of
``validate.py``. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from syriabrief.domain.dates import Period, event_period

__all__ = [
    "ACTOR_KINDS",
    "EVENT_STATUSES",
    "EVENT_TYPES",
    "LOCATION_PRECISIONS",
    "SITE_KINDS",
    "STAGES",
    "STRENGTH_WORDS",
    "Actor",
    "Dispute",
    "Event",
    "Move",
    "Site",
    "event_sort_key",
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
LOCATION_PRECISIONS = ("exact", "approximate")

Quantity = int | float | dict[str, int | float]
# Quantity names that describe a force's size ("troops", "troops_remaining", "fighters").
STRENGTH_WORDS = ("troop", "soldier", "personnel", "fighter")


@dataclass(frozen=True, slots=True)
class Source:
    outlet: str
    document: str | None = None
    url: str | None = None
    published: str | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Source:
        return cls(d["outlet"], d.get("document"), d.get("url"), d.get("published"))

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "document": self.document,
            "url": self.url,
            "published": self.published,
        }


@dataclass(frozen=True, slots=True)
class Dispute:
    claim: str
    sources: tuple[Source, ...] = ()

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Dispute:
        return cls(d["claim"], tuple(Source.from_json(s) for s in d.get("sources") or ()))

    def to_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "sources": [s.to_json() for s in self.sources]}


@dataclass(frozen=True, slots=True)
class Event:
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
    quantities: dict[str, Quantity] = field(default_factory=dict, hash=False)
    status: str = "reported"
    disputes: tuple[Dispute, ...] = ()
    tags: tuple[str, ...] = ()

    KEYS = (
        "id", "date", "end_date", "date_precision", "approximate", "type", "stage",
        "actors", "site", "origin", "destination", "quantities", "status", "summary",
        "sources", "disputes", "tags",
    )  # fmt: skip

    @property
    def period(self) -> Period:
        """The days the event may cover: from the start of `date` to the end of `end_date`."""
        return event_period(self.date, self.end_date)

    @property
    def contested(self) -> bool:
        """Sources disagree about the event: it is disputed or carries another account."""
        return self.status == "disputed" or bool(self.disputes)

    @property
    def strength_names(self) -> list[str]:
        """The names of its quantities that give a force's size."""
        return [name for name in self.quantities if any(word in name for word in STRENGTH_WORDS)]

    def move(self) -> Move:
        return Move(
            self.id, self.date, self.end_date, self.date_precision, self.approximate, self.type, self.stage,
            self.actors, self.site, self.destination, self.contested,
        )  # fmt: skip

    @property
    def places(self) -> tuple[str, ...]:
        """Every site the event touches: its site, origin and destination."""
        return tuple(s for s in (self.site, self.origin, self.destination) if s)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Event:
        return cls(
            id=d["id"],
            date=d["date"],
            type=d["type"],
            summary=d["summary"],
            sources=tuple(Source.from_json(s) for s in d["sources"]),
            end_date=d.get("end_date"),
            date_precision=d.get("date_precision") or _precision_of(d["date"]),
            approximate=bool(d.get("approximate", False)),
            stage=d.get("stage"),
            actors=tuple(d.get("actors") or ()),
            site=d.get("site"),
            origin=d.get("origin"),
            destination=d.get("destination"),
            quantities=dict(d.get("quantities") or {}),
            status=d.get("status") or "reported",
            disputes=tuple(Dispute.from_json(x) for x in d.get("disputes") or ()),
            tags=tuple(d.get("tags") or ()),
        )

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


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    parent: str | None = None
    affiliations: tuple[str, ...] = ()

    KEYS = ("id", "name", "aliases", "kind", "country", "parent", "affiliations")

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Actor:
        return cls(
            id=d["id"],
            name=d["name"],
            aliases=tuple(d.get("aliases") or ()),
            kind=d.get("kind"),
            country=d.get("country"),
            parent=d.get("parent"),
            affiliations=tuple(d.get("affiliations") or ()),
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
        }


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str = "approximate"

    KEYS = ("id", "name", "aliases", "kind", "country", "admin1", "lat", "lon", "location_precision")

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Site:
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
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
            "location_precision": self.location_precision,
        }


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
    contested: bool

    @property
    def period(self) -> Period:
        return event_period(self.date, self.end_date)


def _precision_of(date: str) -> str:
    return {4: "year", 7: "month"}.get(len(date), "day")


def event_sort_key(event: Event | Move) -> tuple:
    period = event.period
    return (period.start, period.end, event.id)
