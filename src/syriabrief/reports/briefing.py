"""Reports for the ``actor``, ``base``, ``compare`` and ``brief`` commands, as JSON-ready dicts.

Each report gathers the facts a command shows: it asks the Dataset for events
(``select``; ``moves`` where only dates, parties and sites matter, which is what
keeps a big actor's profile fast), derives positions with ``positions.py`` and has
``narrative.py`` write the sentences. The dicts are the documented ``--json``
contract (docs/commands.md); the renderers draw the same dicts for people.
No I/O and no presentation here.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any, Iterable, Sequence

from syriabrief.domain.dataset import Dataset
from syriabrief.domain.dates import Period, parse_stored
from syriabrief.domain.model import Actor, Event, Move, Site
from syriabrief.domain.positions import (
    DRIVING_TYPES,
    ActorPositions,
    ControlPeriod,
    control_history,
    positions_by_actor,
    site_status,
)
from syriabrief.domain.filters import EventFilter

__all__ = [
    "BASE_KINDS",
    "MOVE_TYPES",
    "actor_list",
    "actor_report",
    "base_list",
    "base_report",
    "brief_report",
    "change_report",
    "compare_actors",
    "compare_sites",
    "day_period",
]

# The site kinds the brief tracks as bases (towns, fields and regions show up as moves).
BASE_KINDS = ("air_base", "base", "garrison", "airport", "naval_base")
# What counts as a move in a brief: a force or a site changing hands, or detainees moved.
# A presence report places a force but moves nothing, so it is not listed as a move.
MOVE_TYPES = (DRIVING_TYPES - {"presence"}) | {"detainee_transfer"}
# Of those, the names that count the whole force rather than a part of it ("troops_remaining").
_TOTAL_STRENGTH = ("troops", "troops_in_syria", "soldiers", "personnel", "fighters")


def day_period(day: datetime.date) -> Period:
    return Period(day, day, "day")


def _window(since: Period | None, until: Period | None, as_of: datetime.date) -> EventFilter:
    """Events from ``since`` to ``until``, never after the as-of day."""
    end = min(until.end, as_of) if until else as_of
    return EventFilter(since=since, until=day_period(end))


# --- actors ---------------------------------------------------------------------------


def actor_list(data: Dataset, as_of: datetime.date) -> list[dict[str, Any]]:
    """Every actor with the sites it holds and has left at the as-of day."""
    until = day_period(as_of)
    everyone = _positions(data, as_of)
    rows = []
    for actor in sorted(data.actors.values(), key=lambda a: a.name.casefold()):
        positions = everyone.get(actor.id) or ActorPositions.of(actor.id, ())
        rows.append(
            {
                **_actor_identity(actor),
                "as_of": as_of.isoformat(),
                "holds": [_period_json(p, data) for p in positions.holds],
                "left": [_period_json(p, data) for p in positions.left],
                "event_count": data.count(EventFilter(actors=frozenset({actor.id}), until=until)),
            }
        )
    return rows


def actor_report(
    data: Dataset,
    actor: Actor,
    as_of: datetime.date,
    since: Period | None = None,
    until: Period | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> dict[str, Any]:
    """Profile of one actor: what it holds and has left, its strength, its events and a narrative.

    ``limit`` keeps only the latest ``limit`` events in ``events``; ``event_count``
    and the first and last event still describe them all. ``events`` holds Event
    objects (a table needs only a few), or with ``as_json`` their --json texts
    (``jsonout.write_json_with_list`` writes them out as they are).
    """
    from syriabrief.reports.narrative import actor_narrative

    listed = replace(_window(since, until, as_of), actors=frozenset({actor.id}))
    positions = _actor_positions(data, as_of, actor.id)
    figures = data.select(EventFilter(actors=frozenset({actor.id}), until=day_period(as_of), with_strength=True))
    report = {
        **_actor_identity(actor),
        "affiliation_names": [data.actor_name(a) for a in actor.affiliations],
        "parent_name": data.actor_name(actor.parent) if actor.parent else None,
        "as_of": as_of.isoformat(),
        "holds": [_period_json(p, data) for p in positions.holds],
        "left": [_period_json(p, data) for p in positions.left],
        "strength": _strength(figures),
        "pending": list(positions.pending),
        **_span(data, listed),
        "events": data.select_json(listed, limit) if as_json else data.select(listed, limit),
    }
    report["narrative"] = actor_narrative(report, data)
    return report


def _span(data: Dataset, where: EventFilter) -> dict[str, Any]:
    """How many events match, and references to the first and the last (counted in the dataset)."""
    return _span_json(*data.span(where))


def _span_json(count: int, first: Event | Move | None, last: Event | Move | None) -> dict[str, Any]:
    return {
        "event_count": count,
        "first_event": _event_ref(first) if first else None,
        "last_event": _event_ref(last) if last else None,
    }


def _events_span(events: Sequence[Event | Move]) -> dict[str, Any]:
    """``_span`` of events already at hand, in date order."""
    return _span_json(len(events), events[0] if events else None, events[-1] if events else None)


def _positions(data: Dataset, as_of: datetime.date, actor: str | None = None) -> dict[str, ActorPositions]:
    """Every actor's positions at the as-of day (or only ``actor``'s), by actor id.

    Sites whose history the dataset keeps settled for this day are read as they
    are; the others are replayed from their moves.
    """
    until = day_period(as_of)
    kept = data.settled_periods(as_of, actor)
    if kept is not None:
        periods, replay = kept
    elif actor is None:
        periods, replay = [], None  # every site
    else:
        # A site's history depends on every party's moves there, at every site the actor's moves name.
        own = data.moves(EventFilter(actors=frozenset({actor}), types=DRIVING_TYPES, until=until))
        periods, replay = [], frozenset(m.site for m in own if m.site)
    if replay is None:
        moves = data.moves(EventFilter(types=DRIVING_TYPES, until=until))
    else:
        moves = data.moves_at(replay, as_of)
    replayed = positions_by_actor(moves, as_of, only=actor)
    by_actor: dict[str, list[ControlPeriod]] = {}
    for period in periods:
        by_actor.setdefault(period.actor, []).append(period)
    return {
        a: ActorPositions.of(a, [*by_actor.get(a, ()), *_all_periods(replayed.get(a))], replayed[a].pending if a in replayed else ())
        for a in sorted(by_actor.keys() | replayed.keys())
    }


def _actor_positions(data: Dataset, as_of: datetime.date, actor: str) -> ActorPositions:
    """One actor's positions at the as-of day (none recorded: empty)."""
    return _positions(data, as_of, actor).get(actor) or ActorPositions.of(actor, ())


def _all_periods(positions: ActorPositions | None) -> tuple[ControlPeriod, ...]:
    return positions.holds + positions.left if positions else ()


def _actor_identity(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.id,
        "name": actor.name,
        "aliases": list(actor.aliases),
        "kind": actor.kind,
        "country": actor.country,
        "parent": actor.parent,
        "affiliations": list(actor.affiliations),
    }


def _strength(events: Sequence[Event]) -> list[dict[str, Any]]:
    """Figures of a force's size: whole-force totals first, then partial counts; latest first in each."""
    figures = []
    for event in reversed(events):
        for name in event.strength_names:
            figures.append(
                {"name": name, "value": event.quantities[name], "date": event.date, "end_date": event.end_date,
                 "approximate": event.approximate, "status": event.status, "event": event.id}
            )  # fmt: skip
    figures.sort(key=lambda f: f["name"] not in _TOTAL_STRENGTH)  # stable: keeps latest first
    return figures


# --- sites ----------------------------------------------------------------------------


def base_list(data: Dataset, as_of: datetime.date) -> list[dict[str, Any]]:
    """Every site with its status at the as-of day."""
    by_site = _by_site(data.moves(EventFilter(types=DRIVING_TYPES, until=day_period(as_of))))
    rows = []
    for site in sorted(data.sites.values(), key=lambda s: s.name.casefold()):
        status = site_status(site.id, by_site.get(site.id, ()), as_of)
        rows.append({**_site_identity(site), "as_of": as_of.isoformat(), **_status_json(status, data)})
    return rows


def base_report(
    data: Dataset,
    site: Site,
    as_of: datetime.date,
    since: Period | None = None,
    until: Period | None = None,
    limit: int | None = None,
    as_json: bool = False,
) -> dict[str, Any]:
    """Profile of one site: where and what it is, its control history and status, its events, a narrative.

    ``limit`` and ``as_json`` shape ``events`` as for actor_report.
    """
    from syriabrief.reports.narrative import base_narrative

    at_site = frozenset({site.id})
    driving = data.moves(EventFilter(sites=at_site, types=DRIVING_TYPES, until=day_period(as_of)))
    history = control_history(site.id, driving, as_of)
    status = site_status(site.id, driving, as_of)
    listed = replace(_window(since, until, as_of), sites=at_site)
    # Every contested event the history rests on, not only the latest: an old
    # disputed departure still decides who was where.
    behind = {i for p in history for i in p.events}
    contested = _select_ids(data, [m.id for m in driving if m.site == site.id and m.id in behind and m.contested])
    report = {
        **_site_identity(site),
        "as_of": as_of.isoformat(),
        **_status_json(status, data),
        "history": [_period_json(p, data) for p in history],
        "accounts": _accounts(contested),
        **_span(data, listed),
        "events": data.select_json(listed, limit) if as_json else data.select(listed, limit),
    }
    report["narrative"] = base_narrative(report, history, {m.id: m for m in driving}, data)
    return report


def _site_identity(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "aliases": list(site.aliases),
        "kind": site.kind,
        "country": site.country,
        "admin1": site.admin1,
        "lat": site.lat,
        "lon": site.lon,
        "location_precision": site.location_precision,
    }


def _status_json(status, data: Dataset) -> dict[str, Any]:
    return {
        "holder": status.holder,
        "holder_name": data.actor_name(status.holder) if status.holder else None,
        "status": status.status,
        "since": status.since,
        "previous": status.previous,
        "previous_name": data.actor_name(status.previous) if status.previous else None,
        "uncertain": status.uncertain,
        "disputed": status.disputed,
        "status_events": list(status.events),
        "pending": list(status.pending),
    }


def _accounts(events: Iterable[Event]) -> list[dict[str, Any]]:
    """For each contested event, every account and who gives it: the event's own first."""
    out = []
    for event in events:
        if not event.contested:
            continue
        accounts = [{"claim": event.summary, "outlets": _outlets(event.sources)}]
        accounts += [{"claim": d.claim, "outlets": _outlets(d.sources)} for d in event.disputes]
        out.append({"event": event.id, "accounts": accounts})
    return out


def _outlets(sources) -> list[str]:
    return list(dict.fromkeys(s.outlet for s in sources))


def _period_json(period: ControlPeriod, data: Dataset) -> dict[str, Any]:
    """A period as the ``holds``/``left``/``history`` items: ids, names and since/until dates."""
    return {
        "site": period.site,
        "site_name": data.site_name(period.site),
        "actor": period.actor,
        "actor_name": data.actor_name(period.actor),
        "role": period.role,
        "status": period.status,
        "since": period.start,
        "until": period.end,
        "status_since": period.status_since,
        "destination": period.destination,
        "destination_name": data.site_name(period.destination) if period.destination else None,
        "events": list(period.events),
        "disputed": period.disputed,
        "uncertain": period.uncertain,
    }


# --- comparisons ----------------------------------------------------------------------


def compare_actors(
    data: Dataset, actors: Sequence[Actor], as_of: datetime.date, since: Period | None = None, until: Period | None = None
) -> dict[str, Any]:
    """Side by side: what each actor holds and left, where it went, its figures, first and last events."""
    window = _window(since, until, as_of)
    subjects = []
    cited: dict[str, Event | Move] = {}
    for actor in actors:
        positions = _actor_positions(data, as_of, actor.id)
        mine = replace(window, actors=frozenset({actor.id}))
        events = data.moves(mine)
        moves = [e for e in events if e.type in DRIVING_TYPES - {"presence"} and e.actors and e.actors[0] == actor.id]
        figures = data.select(replace(mine, with_strength=True))
        left_in_window = [p for p in positions.left if _within(p.end, window)]
        leaving = [p for p in positions.holds if p.status == "withdrawing"]
        cited.update({e.id: e for e in events})
        cited.update({e.id: e for e in figures})
        departures = left_in_window + leaving
        destinations = _unique(e.destination for e in moves if e.destination and e.destination != e.site)
        subjects.append(
            {
                "kind": "actor",
                "id": actor.id,
                "name": actor.name,
                "holds": [_period_json(p, data) for p in positions.holds],
                "left": [_period_json(p, data) for p in left_in_window],
                "moves": [_move_json(e, data) for e in moves],
                "destinations": destinations,
                "destination_names": [data.site_name(d) for d in destinations],
                "regions_left": _unique(data.sites[p.site].admin1 for p in departures if p.site in data.sites),
                "strength": _strength(figures)[:1],
                **_events_span(events),
            }
        )
    return _comparison(data, subjects, window, as_of, ("holds", "left", "regions_left", "destinations"), cited)


def compare_sites(
    data: Dataset, sites: Sequence[Site], as_of: datetime.date, since: Period | None = None, until: Period | None = None
) -> dict[str, Any]:
    """Side by side: each site's status and holder, who left it, its latest change."""
    window = _window(since, until, as_of)
    subjects = []
    cited: dict[str, Event | Move] = {}
    for site in sites:
        at_site = frozenset({site.id})
        driving = data.moves(EventFilter(sites=at_site, types=DRIVING_TYPES, until=day_period(as_of)))
        status = site_status(site.id, driving, as_of)
        history = control_history(site.id, driving, as_of)
        events = data.moves(replace(window, sites=at_site))
        cited.update({e.id: e for e in driving})
        cited.update({e.id: e for e in events})
        changes = [e for e in driving if e.site == site.id and _within(e.end_date or e.date, window)]
        subjects.append(
            {
                "kind": "site",
                "id": site.id,
                "name": site.name,
                "admin1": site.admin1,
                **_status_json(status, data),
                "left_by": _unique(p.actor for p in history if not p.is_open and _within(p.end, window)),
                # The event that closed each of those stays, for the narrative to cite.
                "left_events": _unique(p.events[-1] for p in history if not p.is_open and _within(p.end, window) and p.events),
                "changes": [_move_json(e, data) for e in changes],
                **_events_span(events),
            }
        )
    return _comparison(data, subjects, window, as_of, ("status", "holder", "left_by", "admin1"), cited)


def _comparison(
    data: Dataset,
    subjects: list[dict[str, Any]],
    window: EventFilter,
    as_of: datetime.date,
    aspects: Sequence[str],
    cited: dict[str, Event | Move],
) -> dict[str, Any]:
    """The subjects side by side, what they share and where they differ, and the paragraph."""
    from syriabrief.reports.narrative import compare_narrative

    comparison = {
        "as_of": as_of.isoformat(),
        "since": window.since.start.isoformat() if window.since else None,
        "until": window.until.end.isoformat(),
        "subjects": subjects,
    }
    comparison.update(_aspects(subjects, aspects))
    comparison["narrative"] = compare_narrative(comparison, cited, data)
    return comparison


def change_report(data: Dataset, before: datetime.date, after: datetime.date) -> dict[str, Any]:
    """What changed between two days: sites whose holder or status changed, actors that gained or lost."""
    from syriabrief.reports.narrative import change_narrative

    driving = data.moves(EventFilter(types=DRIVING_TYPES, until=day_period(after)))
    changes = []
    for site_id, at_site in sorted(_by_site(driving).items()):
        then, now = site_status(site_id, at_site, before), site_status(site_id, at_site, after)
        if (then.holder, then.status) == (now.holder, now.status):
            continue
        moved = [e for e in at_site if e.type != "presence" and before < parse_stored(e.date).end <= after]
        if then.status == "unknown" and not moved:
            # Only a presence report in between: the force was first *reported*
            # there, which is news about the record, not a change on the ground.
            continue
        changes.append(
            {
                "site": site_id,
                "site_name": data.site_name(site_id),
                "before": _status_json(then, data),
                "after": _status_json(now, data),
                "events": [e.id for e in driving if e.site == site_id and before < parse_stored(e.date).end <= after],
            }
        )
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    leaving: dict[str, list[str]] = {}
    for change in changes:
        was, now = change["before"]["holder"], change["after"]["holder"]
        if was and was != now:
            lost.setdefault(was, []).append(change["site"])
        if now and now != was and change["after"]["status"] == "active":
            gained.setdefault(now, []).append(change["site"])
        if now and change["after"]["status"] == "withdrawing":
            leaving.setdefault(now, []).append(change["site"])
    actors = [
        {"actor": a, "actor_name": data.actor_name(a), "gained": gained.get(a, []), "lost": lost.get(a, []),
         "leaving": leaving.get(a, [])}
        for a in sorted(set(gained) | set(lost) | set(leaving), key=data.actor_name)
    ]  # fmt: skip
    report = {
        "as_of": after.isoformat(),
        "since": before.isoformat(),
        "until": after.isoformat(),
        "subjects": [],
        "differences": changes,
        "actors": actors,
    }
    report["narrative"] = change_narrative(report, {e.id: e for e in driving}, data)
    return report


def _aspects(subjects: list[dict[str, Any]], keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Split the compared aspects into those all subjects share and those where they differ."""
    similarities, differences = [], []
    for key in keys:
        values = {s["id"]: _comparable(s[key]) for s in subjects}
        shared = set.intersection(*(set(v) for v in values.values())) if values else set()
        item = {"aspect": key, "values": {k: sorted(v) for k, v in values.items()}, "shared": sorted(shared)}
        distinct = {tuple(sorted(v)) for v in values.values()}
        (similarities if len(distinct) == 1 and shared else differences).append(item)
        if len(distinct) > 1 and shared:
            similarities.append(dict(item))
    return {"similarities": similarities, "differences": differences}


def _comparable(value: Any) -> set[str]:
    """The names an aspect's value stands for (a site list becomes its site ids)."""
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {v["site"] if isinstance(v, dict) else v for v in value if v}


def _move_json(event: Event | Move, data: Dataset) -> dict[str, Any]:
    return {
        "event": event.id,
        "type": event.type,
        "stage": event.stage,
        "date": event.date,
        "end_date": event.end_date,
        "actors": list(event.actors),
        "actor_names": [data.actor_name(a) for a in event.actors],
        "site": event.site,
        "site_name": data.site_name(event.site) if event.site else None,
        "destination": event.destination,
        "destination_name": data.site_name(event.destination) if event.destination else None,
        "disputed": event.contested,
    }


def _event_ref(event: Event | Move) -> dict[str, Any]:
    """A short reference to an event: enough to show it in a cell and find it with ``timeline``."""
    return {"id": event.id, "date": event.date, "end_date": event.end_date, "type": event.type}


def _within(text: str | None, window: EventFilter) -> bool:
    if not text:
        return False
    period = parse_stored(text)
    if window.since and period.end < window.since.start:
        return False
    return period.start <= window.until.end


def _by_site(events: Iterable[Move]) -> dict[str, list[Move]]:
    """Moves grouped by their site, so each site's history replays only its own."""
    groups: dict[str, list[Move]] = {}
    for event in events:
        if event.site:
            groups.setdefault(event.site, []).append(event)
    return groups


def _select_ids(data: Dataset, ids: Iterable[str]) -> list[Event]:
    """The events with these ids, in date order (none for no ids: an empty filter keeps everything)."""
    wanted = frozenset(ids)
    return data.select(EventFilter(ids=wanted)) if wanted else []


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- the brief -------------------------------------------------------------------------


def brief_report(data: Dataset, as_of: datetime.date, days: int = 30) -> dict[str, Any]:
    """The situation at the as-of day: who holds the tracked bases, the moves of the last ``days``, disputes."""
    from syriabrief.reports.narrative import brief_narrative

    start = as_of - datetime.timedelta(days=max(days, 1) - 1)
    driving = data.moves(EventFilter(types=DRIVING_TYPES, until=day_period(as_of)))
    by_site = _by_site(driving)
    bases = []
    for site in sorted(data.sites.values(), key=lambda s: s.name.casefold()):
        if site.kind not in BASE_KINDS:
            continue
        status = site_status(site.id, by_site.get(site.id, ()), as_of)
        bases.append({"site": site.id, "site_name": site.name, "admin1": site.admin1, **_status_json(status, data)})
    moves = data.select(EventFilter(types=frozenset(MOVE_TYPES), since=day_period(start), until=day_period(as_of)))
    latest = data.select(EventFilter(types=frozenset(MOVE_TYPES), until=day_period(as_of)), limit=1)
    recent = data.select(EventFilter(since=day_period(start), until=day_period(as_of)))
    deciding = {i for b in bases for i in b["status_events"]}
    contested = [e for e in recent if e.contested]
    seen = {e.id for e in contested}
    contested += _select_ids(data, [m.id for m in driving if m.id in deciding and m.id not in seen and m.contested])
    report = {
        "as_of": as_of.isoformat(),
        "since": start.isoformat(),
        "days": days,
        "bases": bases,
        "moves": [_move_json(e, data) | {"summary": e.summary} for e in moves],
        "disputes": [
            {"event": item["event"], "date": by_id.date, "accounts": item["accounts"]}
            for item, by_id in zip(_accounts(contested), contested)
        ],
        "event_count": len(recent),
        # When nothing moved in the window, the reader needs to know how old the picture is.
        "latest_move": latest[-1].id if latest else None,
    }
    cited = {e.id: e for e in driving} | {e.id: e for e in recent} | {e.id: e for e in latest}
    report["narrative"] = brief_narrative(report, cited, data)
    return report
