"""Plain-text sentences built from query results — never written by hand.

Each function takes model objects (and the Dataset for names) and returns
plain strings without markup; rendering decides how they look.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Iterable, Sequence

from syriabrief.domain.dates import describe, parse_stored, precision_of
from syriabrief.domain.dataset import Catalogue, Dataset
from syriabrief.domain.model import Event, Move
from syriabrief.domain.filters import EventFilter

__all__ = ["count_phrase", "join_names", "timeline_summary", "type_label"]

# How many actors or sites a summary names before it stops listing.
TOP_NAMES = 3


def timeline_summary(
    events: Sequence[Event], data: Catalogue, shown: int | None = None, total: int | None = None
) -> str:
    """A few sentences on events in date order: how many, when, who and where dominates, what is disputed.

    ``shown`` is how many of them a table below will show, when it shows fewer.
    ``total``, when larger than ``len(events)``, says ``events`` are only the
    latest of that many matches: the sentences then describe those shown.
    """
    if not events:
        return "No events match."
    first, last = events[0], max(events, key=lambda e: e.period.end)
    span_start = describe(first.date, None, first.approximate)
    span_end = describe(last.end_date or last.date, None, last.approximate)
    span = f"in {span_start}" if span_start == span_end else f"from {span_start} to {span_end}"
    if total is not None and total > len(events):
        sentences = [
            f"{count_phrase(total, 'event')} match; the latest {len(events):,}, "
            f"{span}, are shown and described here."
        ]
    else:
        total = len(events)
        shown = total if shown is None else shown
        sentences = [
            f"{count_phrase(total, 'event')} {span}"
            + (f" (the latest {shown:,} shown)" if shown != total else "")
            + "."
        ]
    actors = Counter(a for e in events for a in dict.fromkeys(e.actors))
    if actors:
        sentences.append("The actors named most often are " + _ranked(actors, data.actor_name) + ".")
    places = Counter(p for e in events for p in dict.fromkeys(e.places))
    if places:
        sentences.append("The sites most often named are " + _ranked(places, data.site_name) + ".")
    types = Counter(e.type for e in events)
    sentences.append("By type: " + ", ".join(count_phrase(n, type_label(t), type_label(t, plural=True)) for t, n in types.most_common()) + ".")
    contested = [e for e in events if e.contested]
    if contested:
        sentences.append(
            f"Sources disagree on {count_phrase(len(contested), 'of them', 'of them')}: "
            + "; ".join(e.id for e in contested[:TOP_NAMES])
            + (f" and {len(contested) - TOP_NAMES} more" if len(contested) > TOP_NAMES else "")
            + "."
        )
    return " ".join(sentences)


def type_label(event_type: str, plural: bool = False) -> str:
    """``control_change`` -> ``control change`` (``control changes``; ``clashes``)."""
    label = "presence report" if event_type == "presence" else event_type.replace("_", " ")
    if not plural:
        return label
    return label + ("es" if label.endswith(("sh", "ch", "s")) else "s")


def count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    """``1 event``, ``3 events``, ``1,204 events``."""
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def join_names(names: Iterable[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ranked(counts: Counter, name_of) -> str:
    top = counts.most_common(TOP_NAMES)
    return join_names(f"{name_of(key)} ({n})" for key, n in top)


# --- positions: actor, base, compare, brief --------------------------------------------
# Every sentence below is built from derived facts and cites, in brackets, the
# ids of the events it rests on, so a reader can check it with `timeline`.

__all__ += [
    "actor_narrative",
    "actor_phrase",
    "base_narrative",
    "brief_narrative",
    "change_narrative",
    "compare_narrative",
    "event_clause",
    "figure_text",
    "place_phrase",
    "when",
]

# How many of a site's latest changes of hands its paragraph tells; the table has them all.
HISTORY_TOLD = 12
# How many held sites an actor's paragraph names, and how many of its other
# positions (the latest) it tells; it counts the rest.
HELD_NAMED = 10
POSITIONS_TOLD = 8
# How many strength figures an actor's paragraph quotes.
STRENGTH_SHOWN = 3
# Kinds of actor whose name reads without an article ("Russia", "Ahmed al-Sharaa").
_NO_ARTICLE_KINDS = ("person",)


def actor_phrase(actor_id: str, data: Dataset, start: bool = False) -> str:
    """An actor's name as it reads in a sentence: ``the United States``, ``Russia``, ``the SDF``."""
    actor = data.actors.get(actor_id)
    name = actor.name if actor else actor_id
    needs_article = actor is not None and actor.kind not in _NO_ARTICLE_KINDS and len(name.split()) > 1
    phrase = f"the {name}" if needs_article else name
    return _capital(phrase) if start else phrase


def when(event: Event | Move) -> str:
    """``on 21 Feb 2026``, ``in Nov 2019``, ``around 21–22 Feb 2026``."""
    text = describe(event.date, event.end_date)
    if event.approximate:
        return f"around {text}"
    return f"on {text}" if event.date_precision == "day" else f"in {text}"


def cite(ids: Iterable[str]) -> str:
    unique = list(dict.fromkeys(ids))
    return f" [{'; '.join(unique)}]" if unique else ""


def event_clause(event: Event | Move, data: Dataset, as_of: date | None = None) -> str:
    """What a move (withdrawal, deployment, presence, handover, control change) did, from the acting party's side.

    Seen from ``as_of``, a withdrawal whose span runs past that day is still under way.
    """
    site = data.site_name(event.site) if event.site else "an unnamed site"
    first = event.actors[0] if event.actors else None
    who = actor_phrase(first, data, start=True) if first else "An unnamed party"
    if event.type in ("deployment", "presence", "withdrawal") and len(event.actors) > 1:
        who = _capital(join_names(actor_phrase(a, data) for a in event.actors))
    other = actor_phrase(event.actors[1], data) if len(event.actors) > 1 else None
    destination = data.site_name(event.destination) if event.destination and event.destination != event.site else None
    if event.type == "deployment":
        return f"{who} deployed to {site} {when(event)}"
    if event.type == "presence":
        was = "were" if len(event.actors) > 1 else "was"
        return f"{who} {was} reported at {site} {when(event)}"
    if event.type == "withdrawal":
        toward = f" toward {destination}" if destination else ""
        if event.stage == "began":
            return f"{who} began leaving {site} {when(event)}{toward}"
        was = "were" if len(event.actors) > 1 else "was"
        if event.stage == "ongoing":
            return f"{who} {was} still leaving {site} {when(event)}{toward}"
        if as_of is not None and event.period.end > as_of:
            return f"{who} {was} leaving {site} {when(event)}{toward}"
        return f"{who} left {site} {when(event)}" + (f" for {destination}" if destination else "")
    if event.type == "handover":
        text = f"{who} handed {site} to {other} {when(event)}" if other else f"{who} handed over {site} {when(event)}"
        return text + (f" and moved to {destination}" if destination else "")
    if event.type == "control_change":
        return f"{who} took control of {site}" + (f" from {other}" if other else "") + f" {when(event)}"
    return f"{who}: {event.type.replace('_', ' ')} at {site} {when(event)}"


def place_phrase(site_id: str, data: Dataset) -> str:
    """A site's name with the governorate or country it lies in, unless the name already says it."""
    site = data.sites.get(site_id)
    if site is None:
        return site_id
    area = site.admin1 if site.admin1 and site.admin1 != site.name else site.country
    if not area or area.casefold() in site.name.casefold() or site.kind in ("country",):
        return site.name
    return f"{site.name} ({area})"


def figure_text(value: Any, name: str) -> str:
    """``200 troops``, ``900–1,000 troops``."""
    if isinstance(value, dict):
        amount = f"{value.get('low'):,}–{value.get('high'):,}"
    else:
        amount = f"{value:,}"
    return f"{amount} {name.replace('_', ' ')}"


def actor_narrative(report: dict, data: Dataset) -> str:
    """A paragraph on what an actor holds and has left, its strength and any doubt about it.

    Past HELD_NAMED held sites and POSITIONS_TOLD other positions, only the
    latest are told and the rest counted: a big store gives an actor thousands.
    The moves it tells of are read from ``data`` by id, so only those are read.
    """
    actor_id, as_of = report["id"], _as_of_text(report["as_of"])
    name = actor_phrase(actor_id, data, start=True)
    sentences = []
    held = [i for i in report["holds"] if i["status"] == "active" and i["role"] == "holder"]
    if held:
        sentences.append(_held_sentence(name, held))
    held_ids = {id(i) for i in held}
    others = [i for i in report["holds"] + report["left"] if id(i) not in held_ids]
    told = {id(i) for i in sorted(others, key=_latest_change)[-POSITIONS_TOLD:]}
    disputed = [i for i in report["holds"] + report["left"] if i["disputed"]]
    # Cited from the latest few disputed positions only: a big store gives an actor hundreds.
    checked = {id(i) for i in sorted(disputed, key=_latest_change)[-POSITIONS_TOLD:]}
    named = [i for i in others if id(i) in told] + [i for i in disputed if id(i) in checked]
    wanted = frozenset(e for i in named for e in i["events"]) | frozenset(report.get("pending", []))
    cited = {m.id: m for m in data.moves(EventFilter(ids=wanted))} if wanted else {}
    lost: dict[tuple, list[dict]] = {}
    for item in others:
        if id(item) not in told:
            continue
        closing = cited.get(item["events"][-1]) if item["events"] else None
        if item["status"] == "lost" and closing is not None and closing.actors:
            # Sites lost to the same party at the same time read as one sentence.
            key = (closing.actors[0], when(closing))
            if key not in lost:
                lost[key] = []
                sentences.append(key)
            lost[key].append(item)
            continue
        sentences.append(_position_sentence(actor_id, item, cited, data))
    for n, sentence in enumerate(sentences):
        if isinstance(sentence, tuple):
            taker, dated = sentence
            items = lost[sentence]
            sites = join_names(i["site_name"] for i in items)
            ids = [i["events"][-1] for i in items]
            sentences[n] = f"{name} lost {sites} to {actor_phrase(taker, data)} {dated}{cite(ids)}."
    untold = [i for i in others if id(i) not in told]
    if untold:
        sentences.append(_untold_sentence(untold))
    if not sentences:
        sentences.append(
            f"No move (withdrawal, deployment, presence report, handover or control change) involving {actor_phrase(actor_id, data)} "
            f"is recorded up to {as_of}."
        )
        first, last = report["first_event"], report["last_event"]
        if first:
            span = f"dated {describe(first['date'])}" if first == last else f"from {describe(first['date'])} to {describe(last['end_date'] or last['date'])}"
            sentences.append(f"It appears in {count_phrase(report['event_count'], 'event')}, {span}{cite([first['id'], last['id']])}.")
    if report.get("strength"):
        figures = report["strength"][:STRENGTH_SHOWN]
        sentences.append(
            "Reported figures, latest first: "
            + "; ".join(_figure_phrase(f, cited) for f in figures)
            + "."
        )
    if disputed:
        places = list(dict.fromkeys(i["site_name"] for i in disputed))
        where = join_names(places) if len(places) <= TOP_NAMES else count_phrase(len(places), "site")
        ids = [e for i in disputed if id(i) in checked for e in i["events"] if e in cited and cited[e].contested]
        sentences.append(f"Sources disagree about events behind its position at {where}{cite(ids)}.")
    sentences += _pending_sentences(report.get("pending", []), cited, report["as_of"])
    return " ".join(sentences)


def _latest_change(item: dict) -> date:
    """When a period last changed: its end, else when its status began, else its start."""
    text = item["until"] or item["status_since"] or item["since"]
    return parse_stored(text).end if text else date.min


# How the positions a paragraph leaves untold are counted, by status.
_UNTOLD = (
    ("active", "is at {} as a guest or partner"),
    ("withdrawing", "is leaving {}"),
    ("vacated", "left {}"),
    ("handed_over", "handed over {}"),
    ("lost", "lost {}"),
)


def _untold_sentence(items: list[dict]) -> str:
    counts = Counter(i["status"] for i in items)
    parts = [f.format(count_phrase(counts[status], "other site")) for status, f in _UNTOLD if counts[status]]
    return f"Besides these, it {join_names(parts)} (all listed under holds and left)."


def _held_sentence(name: str, held: list[dict]) -> str:
    """``X holds A since 1 Jan 2026 [..]`` or, for many sites, the sites grouped by the day they were taken.

    Held sorts by the day each site was taken: past HELD_NAMED, only the latest are named.
    """
    named = held[-HELD_NAMED:]
    groups: dict[str | None, list[dict]] = {}
    for item in named:
        groups.setdefault(item["since"], []).append(item)
    parts = []
    for since, items in groups.items():
        dated = f" since {describe(since)}" if since else ""
        parts.append(f"{join_names(i['site_name'] for i in items)}{dated}{cite(i['events'][0] for i in items)}")
    if len(held) == 1:
        return f"{name} {'has held' if held[0]['since'] else 'holds'} {parts[0]}."
    if len(named) < len(held):
        return (
            f"{name} holds {count_phrase(len(held), 'site')}; the {len(named)} taken most recently: "
            + "; ".join(parts)
            + f"; and {count_phrase(len(held) - len(named), 'other')}."
        )
    return f"{name} holds {count_phrase(len(held), 'site')}: " + "; ".join(parts) + "."


def _figure_phrase(figure: dict, cited: dict[str, Event | Move]) -> str:
    status = "" if figure["status"] in ("confirmed", "reported") else f", {figure['status']}"
    event = _figure_event(figure, cited)
    dated = describe(event.date, event.end_date, event.approximate)
    return f"{figure_text(figure['value'], figure['name'])} ({dated}{status}){cite([figure['event']])}"


def _position_sentence(actor_id: str, item: dict, cited: dict[str, Event | Move], data: Dataset) -> str:
    events = [cited[i] for i in item["events"] if i in cited]
    name = actor_phrase(actor_id, data, start=True)
    site = item["site_name"]
    status = item["status"]
    if status == "active":
        start = events[0] if events else None
        how = f" ({_mid_sentence(event_clause(start, data))})" if start and start.actors and start.actors[0] != actor_id else ""
        role = "holds" if item["role"] == "holder" else f"is at ({item['role']})"
        since = f" since {describe(item['since'])}" if item["since"] else ""
        return f"{name} {role} {site}{since}{how}{cite(e.id for e in events[:1])}."
    if status == "withdrawing":
        leaving = [e for e in events if e.type == "withdrawal"]
        if not leaving:
            return f"{name} is leaving {site}{cite(e.id for e in events[-1:])}."
        first = leaving[0]
        toward = f" toward {item['destination_name']}" if item.get("destination_name") else ""
        verb = "began leaving" if first.stage == "began" else "was leaving"
        text = f"{name} {verb} {site} {when(first)}{toward}"
        if len(leaving) > 1:
            text += f" and was still leaving {when(leaving[-1])}"
        return f"{text}{cite(e.id for e in leaving)}."
    closing = events[-1] if events else None
    if closing is None:
        return f"{name} left {site}."
    if status == "lost":
        taker = actor_phrase(closing.actors[0], data) if closing.actors else "another party"
        return f"{name} lost {site} to {taker} {when(closing)}{cite([closing.id])}."
    if closing.actors and closing.actors[0] == actor_id:
        began = [e for e in events if e.type == "withdrawal" and e.stage == "began" and e is not closing]
        if began and closing.type == "withdrawal":
            destination = f" for {item['destination_name']}" if item.get("destination_name") else ""
            return (
                f"{name} began leaving {site} {when(began[0])} and left {when(closing)}{destination}"
                f"{cite([began[0].id, closing.id])}."
            )
        return f"{event_clause(closing, data)}{cite([closing.id])}."
    clause = _mid_sentence(event_clause(closing, data)).replace(f" {site} ", " it ", 1)
    return f"{name} left {site} as {clause}{cite([closing.id])}."


def base_narrative(report: dict, history: Sequence, cited: dict[str, Event | Move], data: Dataset) -> str:
    """A paragraph on a site: each change of hands in order, then its state at the as-of day."""
    as_of = _as_of_text(report["as_of"])
    site = report["name"]
    driving = sorted({i for p in history for i in p.events}, key=lambda i: _order(cited.get(i)))
    day = date.fromisoformat(report["as_of"])
    driving = [i for i in driving if i in cited]
    sentences = []
    if len(driving) > HISTORY_TOLD:
        earlier = len(driving) - HISTORY_TOLD
        sentences.append(f"{count_phrase(earlier, 'earlier change')} of hands {'is' if earlier == 1 else 'are'} in the control history.")
        driving = driving[-HISTORY_TOLD:]
    sentences += [f"{event_clause(cited[i], data, day)}{cite([i])}." for i in driving]
    status, holder = report["status"], report["holder"]
    deciding = report["status_events"][-1:] if report["status_events"] else []
    if status == "unknown":
        sentences.append(f"No move (withdrawal, deployment, presence report, handover or control change) at {site} is recorded up to {as_of}.")
    elif status == "active":
        sentences.append(f"As of {as_of}, {actor_phrase(holder, data)} holds {site}{cite(deciding)}.")
    elif status == "withdrawing":
        sentences.append(f"As of {as_of}, {actor_phrase(holder, data)} is still leaving {site}{cite(deciding)}.")
    else:
        left = {"vacated": "left", "handed_over": "handed it over", "lost": "lost it"}.get(status, status)
        previous = actor_phrase(report["previous"], data) if report["previous"] else "its last holder"
        since = f" on {describe(report['since'])}" if report["since"] else ""
        sentences.append(f"As of {as_of}, no force is recorded at {site}: {previous} {left}{since}{cite(deciding)}.")
    accounts = report.get("accounts", [])
    if accounts:
        outlets = join_names(dict.fromkeys(o for item in accounts for a in item["accounts"][1:] for o in a["outlets"]))
        sentences.append(
            f"Sources disagree about {'this' if len(accounts) == 1 else 'these'}: other accounts come from "
            f"{outlets}{cite(item['event'] for item in accounts)}."
        )
    sentences += _pending_sentences(report.get("pending", []), cited, report["as_of"])
    if report["uncertain"] and not report.get("pending"):
        spans = [i for i in report["status_events"] if i in cited and cited[i].approximate]
        sentences.append(f"The dates behind this state are approximate and may span {as_of}, so it is uncertain{cite(spans)}.")
    return " ".join(sentences)


def _pending_sentences(pending: Sequence[str], cited: dict[str, Event | Move], as_of_iso: str) -> list[str]:
    sentences = []
    for event_id in pending:
        event = cited.get(event_id)
        dated = describe(event.date, event.end_date) if event else "a date"
        sentences.append(
            f"The state is uncertain: an event dated only {dated} may fall after {_as_of_text(as_of_iso)}, "
            f"so it is left out{cite([event_id])}."
        )
    return sentences


def compare_narrative(comparison: dict, cited: dict[str, Event | Move], data: Dataset) -> str:
    """Sentences on what two or more actors (or sites) have in common and where they differ."""
    subjects = comparison["subjects"]
    if subjects and subjects[0]["kind"] == "site":
        return _compare_sites_text(comparison, cited, data)
    as_of = _as_of_text(comparison["as_of"])
    names = {s["id"]: actor_phrase(s["id"], data) for s in subjects}
    everyone = _capital(_both(list(names.values())))
    sentences = []
    for s in subjects:
        left = [p["site_name"] for p in s["left"]]
        leaving = [p["site_name"] for p in s["holds"] if p["status"] == "withdrawing"]
        held = [p["site_name"] for p in s["holds"] if p["status"] == "active"]
        parts = []
        if left:
            parts.append(f"left {join_names(left)}")
        if leaving:
            parts.append(f"is leaving {join_names(leaving)}")
        if held:
            parts.append(f"holds {join_names(held)}")
        elif not leaving:
            parts.append("holds no recorded site")
        ids = [e for p in s["left"] + [p for p in s["holds"] if p["status"] == "withdrawing"] for e in p["events"][-1:]]
        sentences.append(f"{_capital(names[s['id']])} {join_names(parts)} as of {as_of}{cite(ids)}.")
    for item in comparison["similarities"]:
        shared = item["shared"]
        if item["aspect"] == "regions_left":
            ids = _departure_ids(subjects, shared, data)
            sentences.append(f"{everyone} pulled out of sites in {join_names(shared)}{cite(ids)}.")
        elif item["aspect"] == "destinations":
            ids = [m["event"] for s in subjects for m in s["moves"] if m["destination"] in shared]
            sentences.append(f"{everyone} moved toward {join_names(data.site_name(d) for d in shared)}{cite(ids)}.")
        elif item["aspect"] == "left":
            ids = [p["events"][-1] for s in subjects for p in s["left"] if p["site"] in shared and p["events"]]
            sentences.append(f"{everyone} left {join_names(data.site_name(d) for d in shared)}{cite(ids)}.")
    for item in comparison["differences"]:
        if item["aspect"] == "destinations" and any(item["values"].values()):
            clauses = []
            for s in subjects:
                dests = s["destinations"]
                ids = [m["event"] for m in s["moves"] if m["destination"] in dests]
                where = join_names(place_phrase(d, data) for d in dests) if dests else "no recorded destination"
                clauses.append(f"{names[s['id']]} toward {where}{cite(ids)}")
            sentences.append("Their destinations differ: " + "; ".join(clauses) + ".")
        elif item["aspect"] == "regions_left" and any(item["values"].values()) and not item["shared"]:
            clauses = [f"{names[s['id']]} in {join_names(s['regions_left']) or 'no recorded region'}" for s in subjects]
            sentences.append("They pulled out of different areas: " + "; ".join(clauses) + ".")
    timing = []
    for s in subjects:
        if s["moves"]:
            first, last = cited.get(s["moves"][0]["event"]), cited.get(s["moves"][-1]["event"])
            if first and last:
                span = describe(first.date) if first is last else f"{describe(first.date)} to {describe(last.end_date or last.date)}"
                timing.append(f"{names[s['id']]} {span}{cite([first.id, last.id])}")
    if timing:
        sentences.append("Their own moves span: " + "; ".join(timing) + ".")
    strength = [(s, s["strength"][0]) for s in subjects if s["strength"]]
    if strength:
        sentences.append(
            "Latest reported strength: "
            + "; ".join(f"{names[s['id']]} {_figure_phrase(f, cited)}" for s, f in strength)
            + "."
        )
    return " ".join(sentences)


def _compare_sites_text(comparison: dict, cited: dict[str, Event | Move], data: Dataset) -> str:
    as_of = _as_of_text(comparison["as_of"])
    sentences = []
    for s in comparison["subjects"]:
        sentences.append(_site_state_sentence(s, data, as_of))
    for item in comparison["similarities"]:
        if item["aspect"] == "holder" and item["shared"]:
            sentences.append(f"All of them are held by {actor_phrase(item['shared'][0], data)}." if len(comparison["subjects"]) > 2
                             else f"Both are held by {actor_phrase(item['shared'][0], data)}.")  # fmt: skip
        if item["aspect"] == "left_by" and item["shared"]:
            who = join_names(actor_phrase(a, data) for a in item["shared"])
            ids = [i for s in comparison["subjects"] for i in s.get("left_events", ())]
            sentences.append(f"{_capital(who)} left {'all of them' if len(comparison['subjects']) > 2 else 'both'}{cite(ids)}.")
    for item in comparison["differences"]:
        if item["aspect"] == "left_by" and any(item["values"].values()):
            clauses = [
                f"{join_names(actor_phrase(a, data) for a in s['left_by'])} left {s['name']}{cite(s.get('left_events', ()))}"
                for s in comparison["subjects"] if s["left_by"]
            ]
            sentences.append(_capital("; ".join(clauses)) + ".")
    return " ".join(sentences)


def _site_state_sentence(s: dict, data: Dataset, as_of: str) -> str:
    ids = cite(s["status_events"][-1:])
    since = f" since {describe(s['since'])}" if s.get("since") else ""
    if s["status"] == "active":
        return f"As of {as_of}, {s['name']} {'has been held' if since else 'is held'} by {actor_phrase(s['holder'], data)}{since}{ids}."
    if s["status"] == "withdrawing":
        verb = "has been leaving" if since else "is leaving"
        return f"As of {as_of}, {actor_phrase(s['holder'], data)} {verb} {s['name']}{since}{ids}."
    if s["status"] == "unknown":
        return f"No change of hands at {s['name']} is recorded up to {as_of}."
    who = actor_phrase(s["previous"], data) if s.get("previous") else "its last holder"
    return f"As of {as_of}, no force is recorded at {s['name']}; {who} left{(' on ' + describe(s['since'])) if s.get('since') else ''}{ids}."


def change_narrative(report: dict, cited: dict[str, Event | Move], data: Dataset) -> str:
    """Sentences on what changed between two days."""
    before, after = _as_of_text(report["since"]), _as_of_text(report["as_of"])
    changes = report["differences"]
    if not changes:
        return f"No site changed hands or status between {before} and {after}."
    sentences = [f"Between {before} and {after}, {count_phrase(len(changes), 'site')} changed hands or status."]
    for change in changes:
        sentences.append(f"{change['site_name']}: {_state_words(change['before'], data)} → {_state_words(change['after'], data)}{cite(change['events'])}.")
    events_at = {change["site"]: change["events"] for change in changes}
    for item in report["actors"]:
        parts = []
        if item["gained"]:
            parts.append(f"gained {join_names(data.site_name(s) for s in item['gained'])}")
        if item["lost"]:
            parts.append(f"no longer holds {join_names(data.site_name(s) for s in item['lost'])}")
        if item.get("leaving"):
            parts.append(f"is leaving {join_names(data.site_name(s) for s in item['leaving'])}")
        sites = item["gained"] + item["lost"] + item.get("leaving", [])
        ids = [i for site in sites for i in events_at.get(site, ())]
        sentences.append(f"{actor_phrase(item['actor'], data, start=True)} {join_names(parts)}{cite(ids)}.")
    return " ".join(sentences)


def _state_words(state: dict, data: Dataset) -> str:
    if state["status"] == "unknown":
        return "no record"
    if state["status"] == "active":
        return f"held by {actor_phrase(state['holder'], data)}"
    if state["status"] == "withdrawing":
        return f"{actor_phrase(state['holder'], data)} withdrawing"
    who = f" by {actor_phrase(state['previous'], data)}" if state.get("previous") else ""
    return state["status"].replace("_", " ") + who


def brief_narrative(report: dict, cited: dict[str, Event | Move], data: Dataset) -> str:
    """A few paragraphs: who holds the bases, what moved recently, what the sources dispute."""
    as_of = _as_of_text(report["as_of"])
    bases = report["bases"]
    held: dict[str, list[dict]] = {}
    for base in bases:
        if base["status"] in ("active", "withdrawing"):
            held.setdefault(base["holder"], []).append(base)
    parts = []
    for holder, items in held.items():
        active = [b for b in items if b["status"] == "active"]
        leaving = [b for b in items if b["status"] == "withdrawing"]
        words = []
        if active:
            words.append(f"holds {join_names(b['site_name'] for b in active)}{cite(b['status_events'][-1] for b in active)}")
        if leaving:
            words.append(f"is leaving {join_names(b['site_name'] for b in leaving)}{cite(b['status_events'][-1] for b in leaving)}")
        parts.append(f"{actor_phrase(holder, data)} {join_names(words)}")
    empty = [b for b in bases if b["status"] in ("vacated", "handed_over", "lost")]
    unknown = [b for b in bases if b["status"] == "unknown"]
    first = f"As of {as_of}, of {count_phrase(len(bases), 'tracked base')}: " + ("; ".join(parts) if parts else "none is held by a recorded force")
    if empty:
        first += "; no force is recorded at " + join_names(f"{b['site_name']} ({b['previous_name'] or 'its holder'} left)" for b in empty) + cite(b["status_events"][-1] for b in empty if b["status_events"])
    if unknown:
        first += f"; no move is recorded at {join_names(b['site_name'] for b in unknown)}"
    doubtful = [b for b in bases if b["uncertain"]]
    if doubtful:
        pending = [i for b in doubtful for i in b["pending"]]
        first += (
            f". Who holds {join_names(b['site_name'] for b in doubtful)} is uncertain: "
            + ("events dated only roughly may fall after the as-of date" if pending else "the dates behind it are approximate")
            + cite(pending or [b["status_events"][-1] for b in doubtful if b["status_events"]])
        )
    paragraphs = [first + "."]
    moves = report["moves"]
    if moves:
        counts = Counter(m["type"] for m in moves)
        kinds = join_names(count_phrase(n, type_label(t), type_label(t, plural=True)) for t, n in counts.most_common())
        actors = Counter(m["actors"][0] for m in moves if m["actors"])
        top = join_names(actor_phrase(a, data) for a, _ in actors.most_common(TOP_NAMES))
        latest = moves[-1]
        were = "was" if len(moves) == 1 else "were"
        by = "mostly by" if len(actors) > 1 else "by"
        paragraphs.append(
            f"In the {report['days']} days to {as_of}, {count_phrase(len(moves), 'move')} {were} recorded ({kinds}), "
            f"{by} {top}. The latest: {_mid_sentence(event_clause(cited[latest['event']], data))}{cite([latest['event']])}."
        )
    else:
        text = f"No move is recorded in the {report['days']} days to {as_of}."
        latest = cited.get(report.get("latest_move") or "")
        if latest:
            clause = event_clause(latest, data)
            text += f" The latest recorded move: {_mid_sentence(clause)}{cite([latest.id])}."
        paragraphs.append(text)
    if report["disputes"]:
        ids = [d["event"] for d in report["disputes"]]
        # The ids are listed with the disputes themselves; repeating them here would fill the screen.
        paragraphs.append(
            f"Sources disagree on {count_phrase(len(ids), 'of the events', 'of the events')} behind this picture "
            f"(listed under open disputes, each with its accounts)."
        )
    return "\n\n".join(paragraphs)


def _departure_ids(subjects: Sequence[dict], regions: Sequence[str], data: Dataset) -> list[str]:
    ids = []
    for s in subjects:
        for p in s["left"] + s["holds"]:
            site = data.sites.get(p["site"])
            if site and site.admin1 in regions and p["status"] != "active":
                ids.extend(p["events"][-1:])
    return ids


def _both(names: list[str]) -> str:
    return f"both {join_names(names)}" if len(names) == 2 else f"all of {join_names(names)}"


def _mid_sentence(clause: str) -> str:
    """A clause that began a sentence, to follow a colon: ``The Syrian army ...`` -> ``the Syrian army ...``."""
    return "the" + clause[3:] if clause.startswith("The ") else clause


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _order(event: Event | Move | None):
    return (event.period.start, event.period.end, event.id) if event else (date.max, date.max, "")


def _as_of_text(iso: str) -> str:
    return describe(iso)


def _figure_event(figure: dict, cited: dict[str, Event | Move]) -> Event:
    """The event a figure comes from, or a stand-in carrying only its date (for ``when``)."""
    if figure["event"] in cited:
        return cited[figure["event"]]
    return Event(figure["event"], figure["date"], "statement", "", (), end_date=figure.get("end_date"),
                 date_precision=precision_of(figure["date"]), approximate=figure.get("approximate", False))  # fmt: skip
