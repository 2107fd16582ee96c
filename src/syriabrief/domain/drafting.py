"""Drafts read from an article, set beside the events already stored, and written as importable records.

A draft that tells an event the store already has (same type, the acting party
or a part of it, the same site, overlapping dates) *corroborates* it: the
proposal is that event with the article added to its sources. A draft that
tells the same thing at another time is a *conflicting account*: the proposal
is that event with the draft as one more entry in its disputes. An event that
already cites the article is *recorded*: nothing to add. Anything else is a
*new* event. ``drafts_document`` writes the proposals as a store-shaped object
that ``syriabrief import`` reads as it is, with the evidence under ``reading``.
Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from syriabrief.domain.dataset import Catalogue
from syriabrief.domain.dates import Period, describe, event_period
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import Event
from syriabrief.domain.reading import Draft, Reading, _within
from syriabrief.domain.validate import SCHEMA_VERSION

__all__ = [
    "UNNAMED_OUTLET",
    "Proposal",
    "SourceInfo",
    "compare",
    "drafts_document",
    "match_draft",
    "propose",
    "summary_of",
]

# The outlet recorded when neither the sentence nor --outlet names one (the bundled data's own wording).
UNNAMED_OUTLET = "Article (publisher not named)"
# A stored event this many days from a draft's dates may still be the same event told with another date.
CONFLICT_DAYS = 90
# How the proposal kinds are shown and sorted.
KINDS = ("new", "corroborates", "conflicts", "recorded")


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where the article came from: its outlet, file or title, address and publication day."""

    outlet: str | None
    document: str | None
    url: str | None
    published: date


@dataclass
class Proposal:
    """One draft, what it is to the store, and the record an import would write (None: nothing to write)."""

    draft: Draft
    kind: str  # new | corroborates | conflicts | recorded
    event: Event | None  # the stored event it corroborates or disputes
    record: dict[str, Any] | None


def sources_of(draft: Draft, info: SourceInfo) -> list[dict[str, Any]]:
    """The draft's sources: each outlet it is attributed to, with the article as the document."""
    outlets = draft.outlets or [info.outlet or UNNAMED_OUTLET]
    return [
        {"outlet": outlet, "document": info.document, "url": info.url, "published": info.published.isoformat()}
        for outlet in outlets
    ]


def propose(reading: Reading, data: Catalogue, info: SourceInfo) -> list[Proposal]:
    """Each draft with what it is to the store and the record to import."""
    taken = set(_event_ids(data))
    # A stored event several drafts tell is one record, given what each of them adds:
    # twice in the document, it would not import (one id, two records).
    updated: dict[str, dict[str, Any]] = {}
    proposals = []
    for draft in reading.drafts:
        kind, event = match_draft(draft, data, info)
        record = None
        if kind == "new":
            record = new_event(draft, data, info, taken)
            taken.add(record["id"])
        elif kind == "corroborates" and event is not None:
            record = updated.setdefault(event.id, event.to_json())
            known = {(s["outlet"], s["document"]) for s in record["sources"]}
            record["sources"] += [s for s in sources_of(draft, info) if (s["outlet"], s["document"]) not in known]
        elif kind == "conflicts" and event is not None:
            record = updated.setdefault(event.id, event.to_json())
            record["disputes"].append({"claim": _claim(draft, data), "sources": sources_of(draft, info)})
        proposals.append(Proposal(draft, kind, event, record))
    return proposals


def _event_ids(data: Catalogue) -> Iterable[str]:
    return (e.id for e in data.select())


def match_draft(draft: Draft, data: Catalogue, info: SourceInfo, strict: bool = False) -> tuple[str, Event | None]:
    """What the draft is to the stored events: ("new", None) or a kind and the event.

    ``strict`` (for measuring) asks for the exact site: a draft without one, or
    with the province around the stored event's base, matches nothing.
    """
    best = compare(draft, data, strict)
    if best is None:
        return "new", None
    event, overlaps = best
    cited = {(s.outlet, s.document) for s in event.sources}
    disputed_by = {(s.outlet, s.document) for d in event.disputes for s in d.sources}
    wanted = {(s["outlet"], s["document"]) for s in sources_of(draft, info)}
    if overlaps:
        # Already cited: this article's outlets (or the article, when it names none) are all there.
        article_cited = info.document is not None and any(doc == info.document for _, doc in cited)
        named = {(outlet, info.document) for outlet in draft.outlets}
        if wanted <= cited or (article_cited and named <= cited):
            return "recorded", event
        return "corroborates", event
    if info.document and any(doc == info.document for _, doc in disputed_by | cited):
        return "recorded", event
    return "conflicts", event


def compare(draft: Draft, data: Catalogue, strict: bool = False) -> tuple[Event, bool] | None:
    """The stored event most like the draft, and whether their dates overlap; None when none is alike."""
    period = event_period(draft.when.date, draft.when.end_date)
    window = timedelta(days=CONFLICT_DAYS)
    where = EventFilter(
        types=frozenset((draft.type,)),
        since=Period(period.start - window, period.start - window, "day"),
        until=Period(period.end + window, period.end + window, "day"),
    )
    best: tuple[tuple, Event, bool] | None = None
    for event in data.select(where):
        if not draft.actors or not any(_related(data, draft.actors[0], a) for a in event.actors):
            continue
        exact = (draft.site is not None and draft.site in event.places) or (draft.site is None and not event.places)
        near = draft.site is not None and not exact and _nearby(data, draft.site, event.places)
        if draft.site is None and event.places and strict:
            continue
        if strict and not exact:
            continue
        if not (exact or near or draft.site is None):
            continue
        overlaps = period.overlaps(event.period)
        if not overlaps and not (
            draft.when.explicit and exact and (draft.stage is None or event.stage is None or draft.stage == event.stage)
        ):
            continue  # an undated mention, or another stage of it, is not a conflicting date
        distance = min(abs((event.period.start - period.start).days), abs((event.period.end - period.end).days))
        score = (overlaps, exact, near, draft.stage == event.stage, draft.status == event.status, -distance)
        if best is None or score > best[0]:
            best = (score, event, overlaps)
    return (best[1], best[2]) if best else None


def _related(data: Catalogue, a: str, b: str) -> bool:
    """The same actor, or one part of the other (CENTCOM and the United States)."""
    if a == b:
        return True
    for inner, outer in ((a, b), (b, a)):
        seen = set()
        actor = data.actors.get(inner)
        while actor is not None and actor.parent and actor.parent not in seen:
            if actor.parent == outer:
                return True
            seen.add(actor.parent)
            actor = data.actors.get(actor.parent)
    return False


def _nearby(data: Catalogue, site_id: str, places: Iterable[str]) -> bool:
    site = data.sites.get(site_id)
    if site is None:
        return False
    for place in places:
        other = data.sites.get(place)
        if other is not None and (_within(data, other, site) or _within(data, site, other)):
            return True
    return False


def new_event(draft: Draft, data: Catalogue, info: SourceInfo, taken: set[str]) -> dict[str, Any]:
    """The draft as an event record: the import format, every key present."""
    summary = summary_of(draft, data)
    wanted = "-".join(
        part for part in (draft.when.date, _slug(draft.actors[0]) if draft.actors else "", draft.type.replace("_", "-"), draft.site or "") if part
    )[:80].strip("-")
    record_id = wanted
    n = 2
    while record_id in taken:
        record_id = f"{wanted}-{n}"
        n += 1
    return {
        "id": record_id,
        "date": draft.when.date,
        "end_date": draft.when.end_date,
        "date_precision": draft.when.precision,
        "approximate": draft.when.approximate,
        "type": draft.type,
        "stage": draft.stage,
        "actors": list(draft.actors),
        "site": draft.site,
        "origin": draft.origin,
        "destination": draft.destination,
        "quantities": dict(draft.quantities),
        "status": draft.status,
        "summary": summary,
        "sources": sources_of(draft, info),
        "disputes": [],
        "tags": ["draft"],
    }


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


_VERBS: dict[str, dict[str | None, str]] = {
    "withdrawal": {"began": "began withdrawing from", "ongoing": "was withdrawing from", "completed": "completed its withdrawal from", None: "withdrew from"},
    "deployment": {"began": "began deploying to", "ongoing": "was deploying to", "completed": "completed its deployment to", None: "deployed to"},
    "presence": {None: "was present at"},
    "handover": {None: "handed over"},
    "control_change": {None: "took control of"},
    "detainee_transfer": {"began": "began transferring detainees", "ongoing": "was transferring detainees", "completed": "completed a transfer of detainees", None: "transferred detainees"},
    "attack": {None: "attacked"},
    "clash": {None: "clashed with"},
    "offensive": {None: "pressed an offensive against"},
    "prison_break": {None: "prison break involving"},
    "ceasefire": {None: "ceasefire between"},
    "agreement": {None: "reached an agreement with"},
    "meeting": {None: "met"},
    "statement": {None: "said"},
    "alliance": {None: "joined"},
    "leadership_change": {None: "change of leadership:"},
}  # fmt: skip


def summary_of(draft: Draft, data: Catalogue) -> str:
    """A one-line draft summary in our words, built from the draft's fields; the analyst rewrites it."""
    names = [data.actor_name(a) for a in draft.actors]
    first = names[0] if names else "Someone"
    others = names[1:]
    site = data.site_name(draft.site) if draft.site else None
    verb = _VERBS[draft.type].get(draft.stage) or _VERBS[draft.type][None]
    if draft.type in ("withdrawal", "deployment", "presence"):
        text = f"{first} {verb} {site or 'an unnamed place'}"
        if draft.destination and draft.destination != draft.site:
            text += f", toward {data.site_name(draft.destination)}"
    elif draft.type in ("handover", "control_change"):
        text = f"{first} {verb} {site or 'a site'}" + (f" ({' and '.join(others)})" if others else "")
    elif draft.type == "detainee_transfer":
        text = f"{first} {verb}"
        if draft.origin:
            text += f" from {data.site_name(draft.origin)}"
        if draft.destination:
            text += f" to {data.site_name(draft.destination)}"
    elif draft.type in ("ceasefire", "prison_break", "leadership_change"):
        text = f"{draft.type.replace('_', ' ').capitalize()}: {', '.join(names)}"
    elif draft.type == "statement":
        text = f"{first} statement" + (" of intent" if draft.status == "planned" else "")
    else:
        text = f"{first} {verb} {' and '.join(others) if others else ''}".rstrip()
    if site and draft.type not in ("withdrawal", "deployment", "presence", "handover", "control_change"):
        text += f" in {site}"
    if draft.quantities:
        text += " (" + ", ".join(f"{k.replace('_', ' ')}: {_figure(v)}" for k, v in draft.quantities.items()) + ")"
    outlets = ", ".join(draft.outlets)
    text += f", per {outlets}." if outlets else "."
    return text + " Draft read from the article; check against the evidence."


def _figure(value: Any) -> str:
    if isinstance(value, dict):
        return f"{value['low']:,}–{value['high']:,}"
    return f"{value:,}"


def _claim(draft: Draft, data: Catalogue) -> str:
    outlets = ", ".join(draft.outlets) or "The article"
    when = describe(draft.when.date, draft.when.end_date, draft.when.approximate)
    return f"{outlets}: {summary_of(draft, data).split(' Draft read')[0].rstrip('.')} — dated {when}."


def drafts_document(proposals: list[Proposal], reading: Reading, info: SourceInfo, notes: list[str]) -> dict[str, Any]:
    """The --json output: a store object ``syriabrief import`` reads as it is, and the evidence under ``reading``.

    Only records to write are under ``events``: new drafts, and stored events
    with the article added as a source or a dispute. Names that resolved to
    nothing are listed under ``reading.unresolved``, never added as records.
    """
    return {
        "schema_version": SCHEMA_VERSION,
        "actors": [],
        "sites": [],
        "events": list({id(p.record): p.record for p in proposals if p.record is not None}.values()),
        "reading": {
            "document": info.document,
            "outlet": info.outlet,
            "url": info.url,
            "published": info.published.isoformat(),
            "sentences": reading.sentences,
            "notes": list(notes),
            "drafts": [_draft_json(p) for p in proposals],
            "unresolved": [u.to_json() for u in reading.unresolved],
        },
    }


def _draft_json(p: Proposal) -> dict[str, Any]:
    d = p.draft
    return {
        "event_id": p.record["id"] if p.record else (p.event.id if p.event else None),
        "match": p.kind,
        "matched_event": p.event.id if p.event else None,
        "type": d.type,
        "confidence": d.confidence,
        "date_phrase": d.when.phrase or None,
        "sentences": list(d.sentences),
        "evidence": list(d.evidence),
        "notes": list(d.notes),
        "unresolved": [u.to_json() for u in d.unresolved],
    }
