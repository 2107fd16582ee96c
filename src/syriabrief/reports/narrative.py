"""Plain-text sentences built from the reports — never written by hand.

Each function reads a typed report (``reports.types``), the dataset for names,
and returns plain text without markup; rendering decides how it looks. Claims
are cited with short numbered markers (``[1]``, ``[2, 3]``) handed out by a
``Citer``; the report lists the cited events under the paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from syriabrief.domain.dataset import Catalogue, EventsSummary, summarize_events
from syriabrief.domain.dates import describe, on_day, parse_stored, precision_of
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import Event, Move, site_class
from syriabrief.domain.positions import OPEN_STATUSES
from syriabrief.reports.types import (
    ActorProfile,
    ActorSubject,
    Age,
    BaseRow,
    BaseState,
    Brief,
    Changes,
    Citation,
    Comparison,
    Figure,
    PeriodView,
    SiteChange,
    SiteProfile,
    SiteSubject,
    StatusView,
)

__all__ = [
    "Citer",
    "actor_narrative",
    "actor_phrase",
    "age_sentence",
    "base_narrative",
    "brief_narrative",
    "change_narrative",
    "compare_narrative",
    "count_phrase",
    "doubtful_note",
    "latest_changes",
    "most_recent",
    "event_clause",
    "figure_text",
    "join_names",
    "place_phrase",
    "short_title",
    "overview_text",
    "timeline_summary",
    "type_label",
    "when",
    "with_article",
]

Dataset = Catalogue

# How many actors or sites a summary names before it stops listing.
TOP_NAMES = 3
# How many of a site's latest changes of hands its paragraph tells; the table has them all.
HISTORY_TOLD = 12
# How many held sites an actor's paragraph names, and how many of its other
# positions (the latest) it tells; it counts the rest.
HELD_NAMED = 10
POSITIONS_TOLD = 8
# How many sites a paragraph on what changed between two days tells one by one (the latest).
CHANGES_TOLD = 20
# How many strength figures an actor's paragraph quotes.
STRENGTH_SHOWN = 3
# A citation's title is the summary's first sentence, cut at a word to about this length.
TITLE_CHARS = 90
# Kinds of actor whose name reads without an article ("Russia", "Ahmed al-Sharaa").
_NO_ARTICLE_KINDS = ("person",)


class Citer:
    """Cites events in a paragraph, numbered in the order a reader meets them.

    Sentences are built in the order the data gives (holds, then each change),
    not always the order they are printed, so a citation is first a token and
    ``finish`` numbers the finished paragraph from its first bracket on: it
    reads [1, 2] … [3] … [4], never [1, 2] … [4] … [3].
    """

    def __init__(self) -> None:
        self.cited: dict[str, int] = {}  # each event id and its token

    def __call__(self, ids: Iterable[str]) -> str:
        """`` [..]`` citing these event ids (nothing for none), as tokens ``finish`` numbers."""
        tokens = [self.cited.setdefault(event_id, len(self.cited)) for event_id in dict.fromkeys(i for i in ids if i)]
        return f" [{', '.join(_TOKEN_FORM.format(t) for t in tokens)}]" if tokens else ""

    def finish(self, text: str, data: Dataset) -> tuple[str, tuple[Citation, ...]]:
        """The paragraph with its citations numbered in reading order, each bracket's numbers
        ascending ("[4, 7, 12]"), and the cited events in that order: date, short title, outlets."""
        numbers: dict[int, int] = {}  # token -> number, as first met
        for token in _TOKEN.findall(text):
            numbers.setdefault(int(token), len(numbers) + 1)

        def numbered(bracket: re.Match) -> str:
            return "[" + ", ".join(map(str, sorted(numbers[int(t)] for t in _TOKEN.findall(bracket[0])))) + "]"

        text = _BRACKET.sub(numbered, text)
        ids = {token: event_id for event_id, token in self.cited.items()}
        events = {e.id: e for e in data.select(EventFilter(ids=frozenset(self.cited)))} if numbers else {}
        citations = []
        for token, number in numbers.items():
            event = events.get(ids[token])
            if event is not None:
                outlets = tuple(dict.fromkeys(s.outlet for s in event.sources))
                citations.append(Citation(number, event.id, event.date, event.end_date, event.approximate, short_title(event.summary), outlets))
        return text, tuple(citations)


# A citation before ``Citer.finish`` numbers it: lone surrogates, which no stored text can hold
# (validation refuses them), around the token, so a name like "Base [3]" is never renumbered.
_TOKEN_FORM = "\ud800{}\udfff"
_TOKEN = re.compile("\ud800([0-9]+)\udfff")
_BRACKET = re.compile("\\[\ud800[0-9]+\udfff(?:, \ud800[0-9]+\udfff)*\\]")


def short_title(summary: str) -> str:
    """The first sentence of a summary, cut at a word boundary when long."""
    return cut_at_word(summary.strip().split(". ")[0].rstrip("."), TITLE_CHARS + 1)


def cut_at_word(text: str, width: int, measure: Callable[[str], int] = len) -> str:
    """``text`` within ``width`` (as ``measure`` counts: characters, or a terminal's cells), cut
    after a whole word and ended with "…" when longer; cut within the first word when it is longer
    than the room (or the text has no spaces, as Chinese or Thai has not)."""
    if measure(text) <= width:
        return text
    cut = text[: max(width - 1, 0)]
    while cut and measure(cut) > width - 1:
        cut = cut[:-1]
    if text[len(cut)] != " " and " " in cut:  # the cut falls inside a word: drop that word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


# --- words ------------------------------------------------------------------------------------


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
    """``A``, ``A and B``, ``A, B and C`` — each name once."""
    items = list(dict.fromkeys(names))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def actor_phrase(actor_id: str | None, data: Dataset, start: bool = False) -> str:
    """An actor's name as it reads in a sentence: ``the United States``, ``Russia``, ``the SDF``."""
    if actor_id is None:
        return "Another party" if start else "another party"
    actor = data.actors.get(actor_id)
    name = actor.name if actor else actor_id
    needs_article = actor is not None and actor.kind not in _NO_ARTICLE_KINDS and len(name.split()) > 1
    phrase = f"the {name}" if needs_article else name
    return _capital(phrase) if start else phrase


# Last words of names that read as plural: "the Syrian Democratic Forces were", "Iran-backed militias hold".
_PLURAL_HEADS = frozenset({"forces", "militias", "fighters", "units", "brigades", "guards", "troops", "rebels", "factions"})
# The verbs sentences put after a name, in the plural.
_PLURAL_VERBS = {"was": "were", "is": "are", "has": "have", "holds": "hold"}


def agreeing(subject: str, verb_phrase: str) -> str:
    """``verb_phrase`` as it follows ``subject`` (a name as it reads): "the SDF was", "the Syrian Democratic Forces were"."""
    if not _reads_plural(subject):
        return verb_phrase
    verb, space, rest = verb_phrase.partition(" ")
    return _PLURAL_VERBS.get(verb, verb) + space + rest


def _pronoun(subject: str) -> str:
    return "they" if _reads_plural(subject) else "it"


def _all_plural(subjects: Sequence[str]) -> bool:
    """Whether names listed together ("A and B") take a plural verb: more than one, or one that reads plural."""
    return len(subjects) > 1 or any(_reads_plural(s) for s in subjects)


def _reads_plural(subject: str) -> bool:
    # The name before any aside: "Russia, through the Russian Armed Forces" is Russia, and
    # "Opposition forces (HTS-led)" is opposition forces.
    words = subject.split(",", 1)[0].split("(", 1)[0].split()
    return bool(words) and words[-1].casefold() in _PLURAL_HEADS


def when(event: Event | Move) -> str:
    """``on 21 Feb 2026``, ``in Nov 2019``, ``around 21–22 Feb 2026``."""
    text = describe(event.date, event.end_date)
    if event.approximate:
        return f"around {text}"
    return f"on {text}" if event.date_precision == "day" else f"in {text}"


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


def age_sentence(age: Age, as_of: str) -> str:
    """``Latest report: 23 Feb 2026.``, with its age when it is older than Age.STALE_DAYS."""
    if age.latest_report is None:
        return f"No report is recorded up to {describe(as_of)}."
    text = f"Latest report: {describe(age.latest_report)}"
    if age.stale:
        text += f", {count_phrase(age.age_days or 0, 'day')} before {describe(as_of)}"
    return text + "."


def event_clause(event: Event | Move, data: Dataset, as_of: date | None = None) -> str:
    """What a move (withdrawal, deployment, presence, handover, control change) did, from the acting party's side.

    Seen from ``as_of``, a withdrawal whose span runs past that day is still under way. A move only
    a party to the conflict says happened is marked so: "… on 23 Feb 2026 (claimed)".
    """
    clause = _move_clause(event, data, as_of)
    return clause + " (claimed)" if event.status == "claimed" else clause


def _without_their_parents(actors: Sequence[str], data: Dataset) -> list[str]:
    """The actors named together, less any whose own forces are named too: "the Russian Armed
    Forces were reported at Hmeimim", not "the Russian Armed Forces and Russia were"."""
    return [a for a in actors if not any(b != a and b in data.under(a) for b in actors)] or list(actors)


def _at(site_id: str | None, data: Dataset) -> str:
    """The preposition a site takes: "in" Syria, Damascus or a province, "at" a base or a camp."""
    site = data.sites.get(site_id) if site_id else None
    return "at" if site is None or site_class(site.kind) == "facility" else "in"


def _move_clause(event: Event | Move, data: Dataset, as_of: date | None) -> str:
    site = data.site_name(event.site) if event.site else "an unnamed site"
    at = _at(event.site, data)
    first = event.actors[0] if event.actors else None
    who = actor_phrase(first, data, start=True) if first else "An unnamed party"
    together: Sequence[str] = event.actors
    if event.type in ("deployment", "presence", "withdrawal") and len(event.actors) > 1:
        together = _without_their_parents(event.actors, data)
        who = _capital(join_names(actor_phrase(a, data) for a in together))
    other = actor_phrase(event.actors[1], data) if len(event.actors) > 1 else None
    destination = data.site_name(event.destination) if event.destination and event.destination != event.site else None
    was = "were" if len(together) > 1 or _reads_plural(who) else "was"
    if event.type == "deployment":
        return f"{who} deployed to {site} {when(event)}"
    if event.type == "presence":
        return f"{who} {was} reported {at} {site} {when(event)}"
    if event.type == "withdrawal":
        toward = f" toward {destination}" if destination else ""
        if event.stage == "began":
            return f"{who} began leaving {site} {when(event)}{toward}"
        if event.stage == "ongoing":
            return f"{who} {was} reported leaving {site} {when(event)}{toward}"
        if as_of is not None and event.period.end > as_of:
            return f"{who} {was} leaving {site} {when(event)}{toward}"
        return f"{who} left {site} {when(event)}" + (f" for {destination}" if destination else "")
    if event.type == "handover":
        text = f"{who} handed {site} to {other} {when(event)}" if other else f"{who} handed over {site} {when(event)}"
        return text + (f" and moved to {destination}" if destination else "")
    if event.type == "control_change":
        return f"{who} took control of {site}" + (f" from {other}" if other else "") + f" {when(event)}"
    if event.type == "detainee_transfer":
        if event.stage in ("began", "completed"):
            verb = "began moving" if event.stage == "began" else "finished moving"
        elif event.stage == "ongoing":
            verb = f"{was} reported moving"
        else:  # a span still running at the as-of day is under way, as a withdrawal's is
            verb = f"{was} moving" if as_of is not None and event.period.end > as_of else "moved"
        return f"{who} {verb} detainees from {site}" + (f" to {destination}" if destination else "") + f" {when(event)}"
    return f"{who}: {type_label(event.type)} {at} {site} {when(event)}"


# --- timeline -----------------------------------------------------------------------------------


def timeline_summary(
    events: Sequence[Event], data: Catalogue, shown: int | None = None, total: int | None = None,
    as_of: date | None = None,
) -> str:
    """A few sentences on events in date order: how many, when, who and where dominates, what is disputed.

    ``shown`` is how many of them a table below will show, when it shows fewer.
    ``total``, when larger than ``len(events)``, says ``events`` are only the
    latest of that many matches: the sentences then describe those shown.
    ``as_of`` (today) adds how old the newest event is when that is past Age.STALE_DAYS.
    """
    return overview_text(summarize_events(events), data, shown, total, as_of)


def overview_text(
    summary: EventsSummary, data: Catalogue, shown: int | None = None, total: int | None = None,
    as_of: date | None = None,
) -> str:
    """``timeline_summary`` of events summarized (``Dataset.summarize``: an export need not hold them)."""
    first, last = summary.first, summary.last
    if first is None or last is None:
        return "No events match."
    span_start = describe(first.date, None, first.approximate)
    span_end = describe(last.end_date or last.date, None, last.approximate)
    on = "on" if precision_of(first.date) == "day" else "in"  # "on 11 Mar 2026", "in Feb 2026"
    span = f"{on} {span_start}" if span_start == span_end else f"from {span_start} to {span_end}"
    count = summary.event_count
    if total is not None and total > count:
        sentences = [f"{count_phrase(total, 'event')} match; the latest {count:,}, {span}, are shown and described here."]
    else:
        total = count
        shown = total if shown is None else shown
        sentences = [f"{count_phrase(total, 'event')} {span}" + (f" (the latest {shown:,} shown)" if shown != total else "") + "."]
    # Counters kept in the order the names first appear, which ranks names named equally often.
    actors, sites, types = Counter(dict(summary.actors)), Counter(dict(summary.places)), Counter(dict(summary.types))
    sentences += [named for named in (_named(actors, "actor", data.actor_name), _named(sites, "site", data.site_name)) if named]
    sentences.append("By type: " + ", ".join(count_phrase(n, type_label(t), type_label(t, plural=True)) for t, n in types.most_common()) + ".")
    if summary.disputed == count:  # --disputed asked for these: no need to say how to list them
        every = {1: "it", 2: "both"}.get(count, "every one of them")
        sentences.append(f"Sources disagree on {every} (show ID gives every account).")
    elif summary.disputed:
        sentences.append(
            f"Sources disagree on {count_phrase(summary.disputed, 'of them', 'of them')} "
            "(marked disputed; timeline --disputed lists them, show ID gives every account)."
        )
    if as_of is not None:
        day = last.period.end
        days = (as_of - min(day, as_of)).days
        if days > Age.STALE_DAYS:
            sentences.append(f"The newest is from {describe(last.date, last.end_date, last.approximate)}, {count_phrase(days, 'day')} before {describe(as_of.isoformat())}.")
    return " ".join(sentences)


def _named(counts: Counter, kind: str, name_of) -> str:
    """Who or what the events name: ranked when some are named more often than others."""
    if not counts:
        return ""
    if len(counts) == 1:
        return f"The one {kind} named is {name_of(next(iter(counts)))}."
    if len(counts) <= TOP_NAMES and max(counts.values()) == 1:
        return f"The {kind}s named are {join_names(name_of(key) for key in counts)}."
    return f"The {kind}s named most often are " + join_names(f"{name_of(key)} ({n})" for key, n in counts.most_common(TOP_NAMES)) + "."


# --- actor ----------------------------------------------------------------------------------------


def actor_narrative(report: ActorProfile, data: Dataset, cite: Citer) -> str:
    """A paragraph on what an actor (and the forces under it) holds and has left, its strength, and doubts.

    Past HELD_NAMED held sites and POSITIONS_TOLD other positions, only the
    latest are told and the rest counted: a big store gives an actor thousands.
    The moves it tells of are read from ``data`` by id, so only those are read.
    """
    actor_id, as_of = report.actor.id, report.as_of
    name = actor_phrase(actor_id, data, start=True)
    # When one force under the actor holds most of what it holds (Israel through the IDF),
    # say so once instead of after every site.
    # Only its own units: a force folded into it (report.joined_by) is told apart, below.
    under = Counter(p.actor for p in report.holds if p.actor != actor_id and p.actor in report.through)
    if under and sum(under.values()) * 2 > len(report.holds):
        main_force = under.most_common(1)[0][0]
        name = f"{name}, through {actor_phrase(main_force, data)},"
        actor_id_shown: tuple[str, ...] = (actor_id, main_force)
    else:
        actor_id_shown = (actor_id,)
    sentences: list[Any] = []
    held = [p for p in report.holds if p.status == "active" and p.role == "holder"]
    fresh = [p for p in held if not p.stale]
    old = [p for p in held if p.stale]
    # Partitioned by the same test, not by ``in``: comparing views field by field is quadratic.
    others = [*(p for p in report.holds if not (p.status == "active" and p.role == "holder")), *report.left]
    told = sorted(others, key=_latest_change)[-POSITIONS_TOLD:]
    disputed = [p for p in (*report.holds, *report.left) if p.disputed]
    checked = sorted(disputed, key=_latest_change)[-POSITIONS_TOLD:]
    wanted = frozenset(e for p in (*told, *checked, *held[-HELD_NAMED:]) for e in p.events) | frozenset(report.pending)
    cited: dict[str, Event | Move] = {m.id: m for m in data.moves(EventFilter(ids=wanted))} if wanted else {}
    if not report.holds and report.left:
        # Every site it was at is left or lost: say so first, not only what it lost.
        sentences.append(f"As of {describe(as_of)}, {_mid_sentence(name)} {agreeing(name, 'holds')} no recorded site.")
    if fresh:
        sentences.append(_held_sentence(name, fresh, actor_id_shown, data, cite))
    if old:
        sites = _names_and_count([_site_of(p, actor_id_shown, data) for p in old[-HELD_NAMED:]], len(old))
        # The newest report as precise as it is ("in May 2025", never "on 31 May 2025").
        newest = max((p.last_reported for p in old if p.last_reported), key=lambda d: parse_stored(d).end, default=None)
        dated = f", most recently {on_day(newest)}" if newest else ""
        sentences.append(
            f"{name} {agreeing(name, 'was last reported holding')} {sites}{dated}; no later report of "
            f"{'that hold' if len(old) == 1 else 'those holds'} is recorded"
            f"{cite(p.events[-1] for p in old[-HELD_NAMED:])}."
        )
    actor, day = data.actors.get(actor_id), date.fromisoformat(as_of)
    if actor is not None and actor.joined and actor.joined.by(day):
        force = data.force_of(actor_id, day)
        counted = describe(actor.joined.counts_from.isoformat())
        sentences.append(f"{_capital(joined_clause(actor_id, data))}; from {counted} syriabrief counts "
                         f"the sites {'they' if _reads_plural(name) else 'it'} held as {actor_phrase(force, data)}'s.")  # fmt: skip
    # A site held again after a withdrawal halted by forces arriving: the pull-out is news too.
    sentences += [h for p in held[-HELD_NAMED:] if (h := _halted_sentence(name, p, cited, actor_id_shown, data, cite))]
    lost: dict[tuple, list[PeriodView]] = {}
    returned: set[str] = set()
    for item in told:
        closing = cited.get(item.events[-1]) if item.events else None
        if item.status == "lost" and closing is not None:
            # Sites lost to the same party at the same time read as one sentence.
            key = (item.lost_to or (closing.actors[0] if closing.actors else None), when(closing))
            if key not in lost:
                lost[key] = []
                sentences.append(key)
            lost[key].append(item)
            continue
        sentences.append(_position_sentence(actor_id, item, cited, data, cite))
        # A site it left and holds again: the return is told right after the departure.
        again = next((hold for hold in held if hold.site not in returned and _came_back(item, hold)), None)
        if again is not None and again.since:
            returned.add(again.site)
            sentences.append(f"{name} returned to {_site_of(again, actor_id_shown, data)} {on_day(again.since)}{cite(again.events[:1])}.")
    for n, sentence in enumerate(sentences):
        if isinstance(sentence, tuple):
            taker, dated = sentence
            items = lost[sentence]
            sites = join_names(_site_of(i, actor_id_shown, data) for i in items)
            sentences[n] = f"{name} lost {sites} to {actor_phrase(taker, data)} {dated}{cite(i.events[-1] for i in items)}."
    # The other sites, each once: a site told already (Tell al-Hara, left by Russia) is not "another"
    # for a second departure from it (its military police's, earlier).
    told_sites = {p.site for p in told}
    untold = list({p.site: p for p in others if p.site not in told_sites}.values())
    if untold:
        sentences.append(_untold_sentence(untold, name))
    forces = [a for a in report.through[1:] if any(p.actor == a for p in (*report.holds, *report.left))]
    # Said once: "Israel, through the IDF, holds …" has already named the one force under it.
    if forces and forces != list(actor_id_shown[1:]):
        units = [actor_phrase(a, data) for a in forces]
        come = "come" if _all_plural(units) else "comes"
        sentences.append(f"These include the positions of {join_names(units)}, which {come} under {'them' if _reads_plural(name) else 'it'}.")
    if report.joined_by:
        sentences.append(_joined_holds_sentence(actor_phrase(actor_id, data), report.joined_by, data))
    if not sentences:
        sentences.append(
            f"No move (withdrawal, deployment, presence report, handover or control change) involving "
            f"{actor_phrase(actor_id, data)}{' or the forces under it' if len(report.through) > 1 else ''} "
            f"is recorded up to {describe(as_of)}."
        )
        first, last = report.span.first_event, report.span.last_event
        if first and last:
            span = f"dated {describe(first.date)}" if first == last else f"from {describe(first.date)} to {describe(last.end_date or last.date)}"
            sentences.append(f"It appears in {count_phrase(report.span.event_count, 'event')}, {span}{cite([first.id, last.id])}.")
    if report.strength:
        figures = report.strength[:STRENGTH_SHOWN]
        sentences.append("Reported figures, latest first: " + "; ".join(_figure_phrase(f, cited, cite) for f in figures) + ".")
    if disputed:
        places = list(dict.fromkeys(p.site_name for p in disputed))
        where = join_names(places) if len(places) <= TOP_NAMES else count_phrase(len(places), "site")
        ids = [e for p in checked for e in p.events if e in cited and cited[e].state_disputed]
        sentences.append(f"Sources disagree about who was where, or when, at {where}{cite(ids)}.")
    sentences += _pending_sentences(report.pending, cited, as_of, cite)
    sentences.append(age_sentence(report.age, as_of))
    return " ".join(sentences)


def _halted_sentence(
    name: str, period: PeriodView, cited: dict[str, Event | Move], shown: tuple[str, ...], data: Dataset, cite: Citer
) -> str | None:
    """``The United States began leaving Qasrak base around 21–22 Feb 2026, until forces arriving on
    11 Mar 2026 halted it [1, 2].``, for a hold whose withdrawal was halted (positions.py, ``_deployment``)."""
    moves = [cited[e] for e in period.events if e in cited]
    leaving = [n for n, m in enumerate(moves) if m.type == "withdrawal"]
    if not leaving:
        return None
    back = next((m for m in moves[leaving[-1] + 1 :] if m.type == "deployment"), None)
    if back is None:
        return None
    # The latest withdrawal began after the arrival before it (an earlier one halted is history).
    earlier = [n for n, m in enumerate(moves[: leaving[-1]]) if m.type == "deployment"]
    began = next(moves[n] for n in leaving if not earlier or n > earlier[-1])
    return (f"{name} {agreeing(name, 'began')} leaving {_site_of(period, shown, data)} {when(began)}, "
            f"until forces arriving {when(back)} halted it{cite([began.id, back.id])}.")  # fmt: skip


def _site_of(period: PeriodView, shown: tuple[str, ...], data: Dataset) -> str:
    """A site's name, saying which force under the actor is there unless the sentence already did."""
    if period.actor in shown:
        return period.site_name
    return f"{period.site_name} (through {actor_phrase(period.actor, data)})"


def _latest_change(item: PeriodView) -> date:
    """When a period last changed: its end, else when its status began, else its start."""
    text = item.last_change
    return parse_stored(text).end if text else date.min


# How the positions a paragraph leaves untold are counted, by status.
_UNTOLD = (
    ("active", "is at {} as a guest or partner"),
    ("withdrawing", "was last reported leaving {}"),
    ("vacated", "left {}"),
    ("handed_over", "handed over {}"),
    ("lost", "lost {}"),
)


def _untold_sentence(items: list[PeriodView], name: str) -> str:
    counts = Counter(i.status for i in items)
    parts = [agreeing(name, f.format(count_phrase(counts[status], "other site"))) for status, f in _UNTOLD if counts[status]]
    return f"Besides these, {_pronoun(name)} {join_names(parts)} (all listed under holds and left)."


def _held_sentence(name: str, held: list[PeriodView], actor_id: tuple[str, ...], data: Dataset, cite: Citer) -> str:
    """``X has held A since 1 Jan 2026 [1]`` or, for many sites, the sites grouped by the day they were taken."""
    named = held[-HELD_NAMED:]
    groups: dict[str | None, list[PeriodView]] = {}
    for item in named:
        groups.setdefault(item.since, []).append(item)
    parts = []
    for since, items in groups.items():
        dated = f" since {describe(since)}" if since else ""
        # The report it came in (the "since") and the latest (the "holds"), when they differ.
        reports = (e for i in items for e in (i.events[:1] + i.events[-1:]))
        parts.append(f"{join_names(_site_of(i, actor_id, data) for i in items)}{dated}{cite(reports)}")
    if len(held) == 1:
        return f"{name} {agreeing(name, 'has held' if held[0].since else 'holds')} {parts[0]}."
    if len(named) < len(held):
        return (
            f"{name} {agreeing(name, 'holds')} {count_phrase(len(held), 'site')}; the {len(named)} taken most recently: "
            + "; ".join(parts) + f"; and {count_phrase(len(held) - len(named), 'other')}."
        )
    return f"{name} {agreeing(name, 'holds')} {count_phrase(len(held), 'site')}: " + "; ".join(parts) + "."


def figure_status(figure: Figure) -> str:
    """How sure a figure is, when that is worth saying: "disputed", "claimed"; "in a plan" for a plan's
    (it is the force the plan is about, not a planned strength); "" for one confirmed or reported."""
    if figure.status in ("confirmed", "reported"):
        return ""
    return "in a plan" if figure.status == "planned" else figure.status


def _figure_phrase(figure: Figure, cited: dict[str, Event | Move], cite: Citer) -> str:
    status = f", {figure_status(figure)}" if figure_status(figure) else ""
    dated = describe(figure.date, figure.end_date, figure.approximate)
    # The report's place, not necessarily where all were counted (a Syria-wide figure in a story on one base).
    where = f", in a report on {figure.reported_at}" if figure.reported_at else ""
    return f"{figure_text(figure.value, figure.label or figure.name)} ({dated}{status}{where}){cite([figure.event])}"


def _position_sentence(actor_id: str, item: PeriodView, cited: dict[str, Event | Move], data: Dataset, cite: Citer) -> str:
    events = [cited[i] for i in item.events if i in cited]
    name = actor_phrase(actor_id, data, start=True)
    site = _site_of(item, (actor_id,), data)
    if item.status == "active":
        start = events[0] if events else None
        how = f" ({_mid_sentence(event_clause(start, data))})" if start and start.actors and start.actors[0] != item.actor else ""
        role = agreeing(name, "holds" if item.role == "holder" else f"is at ({item.role})")
        since = f" since {describe(item.since)}" if item.since else ""
        if item.stale and item.last_reported:
            return f"{name} {agreeing(name, 'was last reported at')} {site} {on_day(item.last_reported)} ({item.role}){cite(e.id for e in events[-1:])}."
        return f"{name} {role} {site}{since}{how}{cite(e.id for e in events[:1])}."
    if item.status == "withdrawing":
        leaving = [e for e in events if e.type == "withdrawal"] or events[-1:]
        if not leaving:
            return f"{name} {agreeing(name, 'was last reported leaving')} {site}."
        first, last = leaving[0], leaving[-1]
        toward = f" toward {item.destination_name}" if item.destination_name else ""
        if item.stale:
            return f"{name} {agreeing(name, 'was last reported leaving')} {site} {when(last)}{toward}; the outcome is not recorded{cite(e.id for e in leaving)}."
        verb = "began leaving" if first.stage == "began" else agreeing(name, "was reported leaving")
        text = f"{name} {verb} {site} {when(first)}{toward}"
        if len(leaving) > 1:
            text += f" and {agreeing(name, 'was still leaving')} {when(last)}"
        return f"{text}{cite(e.id for e in leaving)}."
    closing = events[-1] if events else None
    if closing is None:
        return f"{name} left {site}."
    if item.status == "lost":
        return f"{name} lost {site} to {actor_phrase(item.lost_to, data)} {when(closing)}{cite([closing.id])}."
    if closing.actors and closing.actors[0] == item.actor:
        began = [e for e in events if e.type == "withdrawal" and e.stage == "began" and e is not closing]
        if began and closing.type == "withdrawal":
            destination = f" for {item.destination_name}" if item.destination_name else ""
            return f"{name} began leaving {site} {when(began[0])} and left {when(closing)}{destination}{cite([began[0].id, closing.id])}."
        return f"{event_clause(closing, data)}{cite([closing.id])}."
    clause = _mid_sentence(event_clause(closing, data)).replace(f" {item.site_name} ", " it ", 1)
    return f"{name} left {site} as {clause}{cite([closing.id])}."


def _last_day(event: Event | Move) -> str:
    """The text of an event's last day, as a report's ``last_reported`` gives it."""
    return event.end_date or event.date


def doubtful_note(as_of: str) -> str:
    """What a * after a site's name means, in the brief's tables (terminal and HTML) and the actor list."""
    return f"* disputed, or last reported more than {Age.STALE_DAYS} days before {describe(as_of)}"


def with_article(noun: str) -> str:
    """"a deployment", "an actor"."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _possessive(name: str) -> str:
    """"the United States'", "Russia's"."""
    return name + ("'" if name.endswith("s") else "'s")


def _pending_sentences(
    pending: Sequence[str], cited: dict[str, Event | Move], as_of_iso: str, cite: Citer, whose: str | None = None
) -> list[str]:
    """Why the state may be out of date: events dated so roughly they may fall after the as-of day.

    ``whose`` names the actor whose positions they are, where a paragraph tells of several.
    """
    # Events of one vague date are one sentence, not the same sentence again.
    by_date: dict[str, list[str]] = {}
    for event_id in pending:
        event = cited.get(event_id)
        by_date.setdefault(describe(event.date, event.end_date) if event else "a date", []).append(event_id)
    subject = "The state is" if whose is None else f"The positions of {_mid_sentence(whose)} are"
    return [
        f"{subject} uncertain: {'an event' if len(ids) == 1 else count_phrase(len(ids), 'event')} dated only {dated} "
        f"may fall after {describe(as_of_iso)}, so {'it is' if len(ids) == 1 else 'they are'} left out{cite(ids)}."
        for dated, ids in by_date.items()
    ]


# --- sites -----------------------------------------------------------------------------------------


def base_narrative(report: SiteProfile, cited: dict[str, Event | Move], data: Dataset, cite: Citer) -> str:
    """A paragraph on a site: each change of hands in order, then its state at the as-of day."""
    as_of, site, status = report.as_of, report.site.name, report.status
    day = date.fromisoformat(as_of)
    driving = sorted({i for p in report.history for i in p.events}, key=lambda i: _order(cited.get(i)))
    driving = [i for i in driving if i in cited]
    if status.status == "active" and status.stale:
        # A presence report of the holder's that gives its hold's last day: the state sentence tells it, with that day.
        dating = [i for i in driving if cited[i].type == "presence" and i in status.status_events and _last_day(cited[i]) == status.last_reported]
        driving = [i for i in driving if i not in dating[-1:]]
    sentences = []
    if len(driving) > HISTORY_TOLD:
        earlier = len(driving) - HISTORY_TOLD
        sentences.append(f"{count_phrase(earlier, 'earlier change')} of hands {'is' if earlier == 1 else 'are'} in the control history.")
        driving = driving[-HISTORY_TOLD:]
    sentences += [f"{event_clause(cited[i], data, day)}{cite([i])}." for i in driving]
    # The report that dates the state may be another force's there with the holder (Russia's
    # of Jan 2026 for its army's hold of Hmeimim): the date's citation is that report.
    reported = [i for p in report.history if p.status in OPEN_STATUSES for i in p.events if i in cited and _last_day(cited[i]) == status.last_reported]
    # A site being left: the report that it began (its "since"), whatever came after it.
    began = [i for p in report.history if p.status == "withdrawing" for i in p.events if i in cited and cited[i].date == p.status_since]
    closing = cited.get(status.status_events[-1]) if status.status_events else None
    fresher = _same_side_fresher(report, day, data, cited, cite)
    sentences.append(_state_sentence(site, status, as_of, data, cite, reported[-1:], began[-1:], at=_at(report.site.id, data),
                                     closing=closing, kin_newer=fresher is not None, inner=bool(report.inside)))  # fmt: skip
    if fresher:
        sentences.append(fresher)
    if report.accounts:
        # What they disagree on about the present state is the status line's ("disputed: when"):
        # these events' disputes may be about other things (a figure, an earlier move's date).
        sentences.append(
            f"On {count_phrase(len(report.accounts), 'of these events', 'of these events')} the sources disagree; "
            f"every account is listed below{cite(item.event for item in report.accounts)}."
        )
    joiner = data.joining(status.holder, day) if counted_elsewhere(status, report.force, data) and status.holder else None
    if joiner is not None and report.force:
        # Who holds it is told as reported; whose forces those are now is another fact.
        sentences.append(f"{_capital(joined_clause(joiner.id, data))}, so syriabrief counts {site} as "
                         f"{actor_phrase(report.force, data)}'s from then on.")  # fmt: skip
    if report.inside:
        sentences.append(_inside_sentence(report.inside, as_of, data, cite))
    sentences += _pending_sentences(status.pending, cited, as_of, cite)
    if status.uncertain and not status.pending:
        spans = [i for i in status.status_events if i in cited and cited[i].approximate]
        sentences.append(f"The dates behind this state are approximate and may span {describe(as_of)}, so it is uncertain{cite(spans)}.")
    sentences.append(age_sentence(report.age, as_of))
    return " ".join(sentences)


def _same_side_fresher(report: SiteProfile, day: date, data: Dataset, cited: dict[str, Event | Move], cite: Citer) -> str | None:
    """A newer report of another force of the holder's side at the site (the Syrian army's of Mar 2026
    where the defence ministry was last reported in Feb 2025): the side's presence is fresher than its hold."""
    status, side = report.status, report.force
    if status.status not in OPEN_STATUSES or not status.holder or not side or not status.stale or not status.last_reported:
        return None
    newest = parse_stored(status.last_reported).end
    # Reported after the hold's last report, and by the as-of day: on a past day, no later report.
    kin = [p for p in report.history if p.status in OPEN_STATUSES and p.actor != status.holder and p.last_reported
           and data.force_of(p.actor, day) == side and newest < parse_stored(p.last_reported).end <= day]  # fmt: skip
    if not kin:
        return None
    latest = max(kin, key=lambda p: parse_stored(p.last_reported or "").end)
    event = cited.get(latest.events[-1]) if latest.events else None
    name = actor_phrase(latest.actor, data)
    when_text = when(event) if event is not None else on_day(latest.last_reported or "")
    also = "" if latest.actor == side else f", also {_possessive(actor_phrase(side, data))},"
    return f"{_capital(name)}{also} {agreeing(name, 'was')} reported there more recently, {when_text}{cite(latest.events[-1:])}."


def _inside_sentence(inside: Sequence[BaseRow], as_of: str, data: Dataset, cite: Citer) -> str:
    """Who was last reported at the sites within one (a province's bases), the HELD_NAMED most
    recently reported by name, each with its holder and the day of that report: many are old."""

    day_of = date.fromisoformat(as_of)

    def one(row: BaseRow) -> str:
        status = row.status
        holder = actor_phrase(status.holder, data) if status.holder else "a force"
        if status.status == "withdrawing" and status.since:
            state = f" leaving since {describe(status.since)}"
        elif status.last_reported and parse_stored(status.last_reported).end > day_of:
            state = ", on dates that may run past it"  # a report spanning the as-of day: no later "last" day
        else:
            state = f" {on_day(status.last_reported)}" if status.last_reported else ""
        return f"{row.site.name}, {holder}{state}{cite(status.status_events[-1:])}"

    newest = sorted(inside, key=lambda r: r.status.last_reported or "", reverse=True)
    named = [one(row) for row in newest[:HELD_NAMED]]
    if len(inside) > HELD_NAMED:
        named.append(f"and {count_phrase(len(inside) - HELD_NAMED, 'other')}")
    elif len(named) > 1:
        named[-1] = f"and {named[-1]}"
    return (f"Within it, as of {describe(as_of)}, a force was last reported at {count_phrase(len(inside), 'site')}, "
            f"the latest first: {'; '.join(named)}.")  # fmt: skip


def _state_sentence(
    site: str, status: StatusView, as_of: str, data: Dataset, cite: Citer, reported: Sequence[str] = (), began: Sequence[str] = (),
    at: str = "at", closing: Event | Move | None = None, kin_newer: bool = False, inner: bool = False,
) -> str:  # fmt: skip
    """What the state of a site is at the as-of day, with how old its evidence is when that matters
    (``at``: the preposition the site takes, ``_at``; ``closing``: the event that ended the last stay, whose
    dates say when it ended as precisely as they are, where the stay's end alone is one day;
    ``reported``: the event that gives the last report's date, when it is not the deciding one;
    ``began``: for a site being left, the report that the withdrawal began)."""
    deciding = cite([*began, *status.status_events[-1:], *(reported if status.stale else ())])
    when_last = on_day(status.last_reported) if status.last_reported else None
    if status.status == "unknown":
        if status.pending:
            return f"No move {at} {site} is known to fall on or before {describe(as_of)}."
        whole = " as a whole" if inner else ""  # moves at the sites inside it are told apart
        return f"No move (withdrawal, deployment, presence report, handover or control change) {at} {site}{whole} is recorded up to {describe(as_of)}."
    holder = actor_phrase(status.holder, data)
    if status.status == "active":
        if status.stale and when_last:
            # kin_newer: another force of its side was reported there since (told next), so something newer is.
            newer = "" if kin_newer else "; no later report of the hold is recorded"
            return f"{_capital(holder)} {agreeing(holder, 'was last reported holding')} {site} {when_last}{newer}{deciding}."
        return f"As of {describe(as_of)}, {holder} {agreeing(holder, 'holds')} {site}{deciding}."
    if status.status == "withdrawing":
        if status.stale and when_last:
            return f"{_capital(holder)} {agreeing(holder, 'was last reported leaving')} {site} {when_last}; the outcome is not recorded{deciding}."
        # Since when: a report that it was still there (presence) is no report that it began leaving.
        since = f" (since {describe(status.since)})" if status.since else ""
        return f"As of {describe(as_of)}, {holder} {agreeing(holder, 'is leaving')} {site}{since}{deciding}."
    left = {"vacated": "left", "handed_over": "handed it over", "lost": "lost it"}.get(status.status, status.status)
    previous = actor_phrase(status.previous, data) if status.previous else "its last holder"
    # "around Dec 2024 – 24 May 2025", not "on 24 May 2025": the stay ended somewhere in its event's dates.
    since = f" {when(closing)}" if closing is not None else (f" {on_day(status.since)}" if status.since else "")
    return f"As of {describe(as_of)}, no force is recorded {at} {site}: {previous} {left}{since}{deciding}."


# --- comparisons --------------------------------------------------------------------------------


def compare_narrative(comparison: Comparison, cited: dict[str, Event | Move], data: Dataset, cite: Citer) -> str:
    """Sentences on what two or more actors (or sites) have in common and where they differ."""
    subjects = comparison.subjects
    if subjects and isinstance(subjects[0], SiteSubject):
        return _compare_sites_text(comparison, cited, data, cite)
    actors = [s for s in subjects if isinstance(s, ActorSubject)]
    as_of = describe(comparison.as_of)
    names = {s.id: actor_phrase(s.id, data) for s in actors}
    everyone = _capital(_both(list(names.values())))
    sentences = []
    # An actor compared with one under it (Israel and the IDF): its side includes the other's.
    for outer in actors:
        inner = [s for s in actors if s.id != outer.id and s.id in data.under(outer.id)]
        if inner:
            units = [names[s.id] for s in inner]
            plural = _all_plural(units)
            whose = _possessive(names[outer.id])
            sentences.append(f"{_capital(join_names(units))} {'come' if plural else 'comes'} under {names[outer.id]}, "
                             f"so {whose} positions and events include {'theirs' if plural else 'its'}.")
    sentences += [_joined_holds_sentence(names[s.id], s.joined_by, data) for s in actors if s.joined_by]
    for n, s in enumerate(actors):
        parts, ids = _standing(s, names[s.id])
        # The day leads, once: at the end it read as the date of a report ("was last reported holding X as of <today>").
        who = f"As of {as_of}, {names[s.id]}" if n == 0 else _capital(names[s.id])
        sentences.append(f"{who} {join_names(parts)}{cite(ids)}.")
        sentences += _pending_sentences(s.pending, cited, comparison.as_of, cite, whose=names[s.id])
    for item in comparison.similarities:
        shared = item.shared
        if item.aspect == "regions_left":
            ids = _departure_ids(actors, shared, data)[-HELD_NAMED:]
            sentences.append(f"{everyone} pulled out of {join_names(shared)}, where neither holds a recorded site{cite(ids)}." if len(actors) == 2
                             else f"{everyone} pulled out of {join_names(shared)}, where none holds a recorded site{cite(ids)}.")  # fmt: skip
        elif item.aspect == "destinations":
            ids = _moves_toward(actors, shared[-HELD_NAMED:])
            sentences.append(f"{everyone} moved toward {_names_and_count([data.site_name(d) for d in shared[-HELD_NAMED:]], len(shared))}{cite(ids)}.")
        elif item.aspect == "left":
            told = set(shared[-HELD_NAMED:])
            # Each actor's latest departure from each site named (an actor may have left one several times).
            latest = {(p.actor, p.site): p for s in actors for p in _latest(s.left) if p.site in told and p.events}
            ids = [p.events[-1] for p in latest.values()]
            sentences.append(f"{everyone} left {_names_and_count([data.site_name(d) for d in shared[-HELD_NAMED:]], len(shared))}{cite(ids)}.")
    for item in comparison.differences:
        if item.aspect == "destinations" and any(item.values.values()):
            clauses = []
            for s in actors:
                if not s.destinations:
                    continue
                named = s.destinations[-HELD_NAMED:]
                ids = _moves_toward([s], named)
                toward = _names_and_count([place_phrase(d, data) for d in named], len(s.destinations))
                clauses.append(f"{names[s.id]} toward {toward}{cite(ids)}")
            quiet = [names[s.id] for s in actors if not s.destinations]
            if quiet:
                clauses.append(f"no destination is recorded for {join_names(quiet)}")
            sentences.append("Their destinations differ: " + "; ".join(clauses) + ".")
        elif item.aspect == "regions_left" and any(item.values.values()) and not item.shared:
            clauses = [f"{names[s.id]} from {join_names(s.regions_left)}" for s in actors if s.regions_left]
            sentences.append("They pulled out of different areas: " + "; ".join(clauses) + ".")
    timing = []
    for s in actors:
        if s.moves:
            first, last = cited.get(s.moves[0].event), cited.get(s.moves[-1].event)
            if first and last:
                span = describe(first.date) if first is last else f"{describe(first.date)} to {describe(last.end_date or last.date)}"
                timing.append(f"{names[s.id]} {span}{cite([first.id, last.id])}")
    if timing:
        sentences.append("Their own moves span: " + "; ".join(timing) + ".")
    strength = [(s, s.strength[0]) for s in actors if s.strength]
    if strength:
        sentences.append("Latest reported strength: " + "; ".join(f"{names[s.id]} {_figure_phrase(f, cited, cite)}" for s, f in strength) + ".")
    sentences.append(age_sentence(comparison.age, comparison.as_of))
    return " ".join(sentences)


def _standing(s: ActorSubject, name: str) -> tuple[list[str], list[str]]:
    """What a compared actor left, is leaving and holds, as clauses, and the events they cite.

    Past HELD_NAMED sites in a list, the latest are named and the rest counted.
    """
    active = [p for p in s.holds if p.status == "active"]
    withdrawing = [p for p in (*s.holds, *s.left) if p.status == "withdrawing"]
    # A site it is still leaving is told as being left, not as left as well.
    still_leaving = {p.site for p in withdrawing}
    gone = [p for p in s.left if p.status != "withdrawing" and p.site not in still_leaving]
    # A site left and held again since is told as such, not as left and held in one breath.
    holding: dict[str, list[PeriodView]] = {}
    for hold in active:
        holding.setdefault(hold.site, []).append(hold)
    back = {p.site for p in gone if any(_came_back(p, hold) for hold in holding.get(p.site, ()))}
    left = _told([p for p in gone if p.site not in back])
    returned = _told([p for p in gone if p.site in back])
    leaving = _told(withdrawing)
    # A hold resting on a report months old is "last reported", never "holds".
    held = _told([p for p in active if not p.stale])
    held_before = _told([p for p in active if p.stale])
    still = "was last reported leaving" if all(p.stale for p in leaving.named) else "is leaving"
    said = [("left", left), ("left and returned to", returned), (still, leaving), ("holds", held), ("was last reported holding", held_before)]
    parts = [f"{agreeing(name, verb)} {told.phrase}" for verb, told in said if told.named]
    if not (held.named or held_before.named or leaving.named):
        parts.append(agreeing(name, "holds no recorded site"))
    # Each site told by the report that decides it: a departure, or a hold's latest report.
    ids = [e for p in (*left.named, *returned.named, *leaving.named, *held.named, *held_before.named) for e in p.events[-1:]]
    return parts, ids


def _compare_sites_text(comparison: Comparison, cited: dict[str, Event | Move], data: Dataset, cite: Citer) -> str:
    sites = [s for s in comparison.subjects if isinstance(s, SiteSubject)]
    sentences = [_state_sentence(s.name, s.status, comparison.as_of, data, cite, at=_at(s.id, data),
                                 closing=cited.get(s.status.status_events[-1]) if s.status.status_events else None) for s in sites]  # fmt: skip
    # An actor that left a site and holds it again: "left" alone would read as gone.
    back = {s.id: s.status.holder for s in sites if _holds_again(s, cited)}
    for item in comparison.similarities:
        if item.aspect == "holder" and item.shared:
            # On reports months old, a hold is "last reported", never current (as in each site's sentence).
            held = "were last reported held" if any(s.status.stale for s in sites) else "are held"
            sentences.append(f"{'All of them' if len(sites) > 2 else 'Both'} {held} by {actor_phrase(item.shared[0], data)}.")
        if item.aspect == "left_by" and item.shared:
            who = join_names(actor_phrase(a, data) for a in item.shared)
            ids = [i for s in sites for i in s.left_events]
            returns = [f"{(p := actor_phrase(back[s.id], data))} {agreeing(p, 'has since returned')} to {s.name}" for s in sites if back.get(s.id) in item.shared]
            sentences.append(f"{_capital(who)} left {'all of them' if len(sites) > 2 else 'both'}{cite(ids)}" + "".join(f"; {r}" for r in returns) + ".")
    for item in comparison.differences:
        if item.aspect == "left_by" and any(item.values.values()):
            clauses = [
                f"{join_names(actor_phrase(a, data) for a in s.left_by)} left {s.name}{cite(s.left_events)}{_since_returned(s, back.get(s.id), data)}"
                for s in sites if s.left_by
            ]  # fmt: skip
            sentences.append(_capital("; ".join(clauses)) + ".")
    sentences.append(age_sentence(comparison.age, comparison.as_of))
    return " ".join(sentences)


def change_narrative(report: Changes, data: Dataset, cite: Citer, told_one_by_one: int = CHANGES_TOLD) -> str:
    """Sentences on what changed between two days: each site's before → after, then who gained and lost.

    With more than ``told_one_by_one`` changes, the latest of them are told, each citing its latest few
    events; an actor's list of more than HELD_NAMED sites is counted, naming its latest few; a
    sentence on an actor cites the latest event at each site it names; and the actors with the
    most changes are told (POSITIONS_TOLD), the others counted.
    """
    before, after = describe(report.since), describe(report.as_of)
    changes = report.differences
    if not changes:
        return f"No site changed hands or status between {before} and {after}. {age_sentence(report.age, report.as_of)}"
    told = latest_changes(changes, told_one_by_one)
    cut = len(told) < len(changes)
    counted = f"Between {before} and {after}, {count_phrase(len(changes), 'site')} changed hands or status"
    sentences = [counted + (f"; these {len(told)} changed last." if cut else ".")]
    events_at = {change.site: change.events[-TOP_NAMES:] if cut else change.events for change in changes}
    for change in told:
        was = _state_words(change.before, data)
        if change.implied_holder:
            was = f"held by {actor_phrase(change.lost_by, data)} (as the change implies)"
        sentences.append(f"{_capital(change.site_name)}: {was} → {_state_words(change.after, data)}{cite(events_at[change.site])}.")
    recency = {change.site: (_change_day(change), n) for n, change in enumerate(changes)}
    actors = list(report.actors)
    if cut and len(actors) > POSITIONS_TOLD + 1:  # "1 other actor" would say less than its sentence
        actors = sorted(actors, key=lambda a: -len({*a.gained, *a.left, *a.lost, *a.leaving}))[:POSITIONS_TOLD]
    for item in actors:
        parts, ids = [], []
        for verb, sites in (("gained", item.gained), ("left", item.left), ("lost", item.lost), ("is leaving", item.leaving)):
            if not sites:
                continue
            shown = sorted(sites, key=recency.__getitem__)[-TOP_NAMES:] if cut and len(sites) > HELD_NAMED else sites
            listed = join_names(data.site_name(s) for s in shown)
            parts.append(f"{verb} {count_phrase(len(sites), 'site')} (the latest: {listed})" if len(shown) < len(sites) else f"{verb} {listed}")
            ids += [i for site in shown for i in events_at[site][-1 if cut else 0 :]]
        sentences.append(f"{actor_phrase(item.actor, data, start=True)} {join_names(parts)}{cite(ids)}.")
    if untold := len(report.actors) - len(actors):
        sentences.append(f"{count_phrase(untold, 'other actor')} also gained, lost or left sites.")
    sentences.append(age_sentence(report.age, report.as_of))
    return " ".join(sentences)


def most_recent(rows: Sequence[Any], count: int, when: Callable[[Any], Any]) -> list[Any]:
    """``rows`` as they are when ``count`` or fewer, else the ``count`` latest by ``when`` (ties: the later
    in ``rows``), in their own order: what a bounded table or paragraph shows."""
    if len(rows) <= count:
        return list(rows)
    latest = set(sorted(range(len(rows)), key=lambda n: when(rows[n]))[len(rows) - count :])
    return [row for n, row in enumerate(rows) if n in latest]


def latest_changes(changes: Sequence[SiteChange], count: int) -> list[SiteChange]:
    """The ``count`` of ``changes`` that changed last (by their latest event's last day), in their own order."""
    return most_recent(changes, count, _change_day)


def _change_day(change: SiteChange) -> date:
    return parse_stored(change.changed_on).end if change.changed_on else date.min


def _state_words(state: StatusView, data: Dataset) -> str:
    if state.status == "unknown":
        return "no record"
    if state.status == "active":
        return f"held by {actor_phrase(state.holder, data)}"
    if state.status == "withdrawing":
        return f"being left by {actor_phrase(state.holder, data)}"
    who = f" by {actor_phrase(state.previous, data)}" if state.previous else ""
    return state.status.replace("_", " ") + who


# --- the brief --------------------------------------------------------------------------------------


def brief_narrative(report: Brief, cited: dict[str, Event | Move], data: Dataset, cite: Citer) -> str:
    """A few paragraphs: who holds the bases (by force), what moved recently, what the sources dispute."""
    as_of = describe(report.as_of)
    bases = report.bases
    # The table below names every base by force; the paragraph counts them.
    held = [b for b in bases if b.status.status == "active"]
    leaving = [b for b in bases if b.status.status == "withdrawing"]
    forces = {b.force or b.status.holder for b in (*held, *leaving)}
    stale = [b for b in (*held, *leaving) if b.status.stale]
    parts = []
    if held:
        parts.append(f"{len(held)} held by {count_phrase(len({b.force or b.status.holder for b in held}), 'force')}")
    if leaving:
        parts.append(f"{len(leaving)} being left by {join_names(actor_phrase(b.status.holder, data) for b in leaving)}")
    empty = sum(1 for b in bases if b.status.status in ("vacated", "handed_over", "lost"))
    if empty:
        parts.append(f"{empty} with no force recorded since the last holder left")
    unknown = sum(1 for b in bases if b.status.status == "unknown")
    if unknown:
        parts.append(f"{unknown} with no recorded move")
    first = f"As of {as_of}, {count_phrase(len(bases), 'tracked base')}: " + (join_names(parts) if parts else "none recorded")
    if stale:
        first += f". For {len(stale)} of those held or being left the newest report is over {Age.STALE_DAYS} days old (marked *)"
    del forces
    doubtful = [b for b in bases if b.status.uncertain]
    if doubtful:
        pending = [i for b in doubtful for i in b.status.pending]
        first += (
            f". Who holds {join_names(b.site_name for b in doubtful)} is uncertain: "
            + ("events dated only roughly may fall after the as-of date" if pending else "the dates behind it are approximate")
            + cite(pending[:TOP_NAMES] or [b.status.status_events[-1] for b in doubtful[:TOP_NAMES] if b.status.status_events])
        )
    paragraphs = [" ".join([first + ".", *_joined_bases_sentences(bases, date.fromisoformat(report.as_of), data)])]
    # A planned move is an intention, reported apart: it is neither counted nor "the latest".
    planned = [m for m in report.moves if m.status == "planned"]
    inside = [m for m in report.moves if m.in_window == "inside" and m.status != "planned"]
    possibly = [m for m in report.moves if m.in_window != "inside" and m.status != "planned"]
    if inside:
        counts = Counter(m.type for m in inside)
        kinds = join_names(count_phrase(n, type_label(t), type_label(t, plural=True)) for t, n in counts.most_common())
        # Counted by force, as the bases are grouped: CENTCOM's moves are the United States'.
        actors = Counter(data.force_of(m.actors[0], date.fromisoformat(report.as_of)) for m in inside if m.actors)
        top = join_names(actor_phrase(a, data) for a, _ in actors.most_common(TOP_NAMES))
        latest = inside[-1]
        were = "was" if len(inside) == 1 else "were"
        by = "mostly by" if len(actors) > 1 else "by"
        text = f"In the {report.days} days to {as_of}, {count_phrase(len(inside), 'move')} {were} recorded ({kinds}), {by} {top}."
        if latest.event in cited:
            text += f" The latest: {_mid_sentence(event_clause(cited[latest.event], data))}{cite([latest.event])}."
        paragraphs.append(text)
    else:
        text = f"No move is recorded in the {report.days} days to {as_of}."
        latest_move = cited.get(report.latest_move or "")
        if latest_move:
            text += f" The latest recorded move: {_mid_sentence(event_clause(latest_move, data))}{cite([latest_move.id])}."
        paragraphs.append(text)
    if possibly:
        paragraphs[-1] += (
            f" {count_phrase(len(possibly), 'more move')} dated only roughly may fall in this window"
            f" and {'is' if len(possibly) == 1 else 'are'} marked as possibly inside it."
        )
    if planned:
        plans = [f"{with_article(type_label(m.type))} by {actor_phrase(m.actors[0], data) if m.actors else 'an unnamed force'}"
                 + (f" at {m.site_name}" if m.site_name else "") for m in planned[-TOP_NAMES:]]  # fmt: skip
        more = len(planned) - len(plans)
        paragraphs[-1] += (
            f" Reported as planned, not as done: {join_names([*plans, count_phrase(more, 'other')] if more else plans)}"
            f"{cite([m.event for m in planned[-TOP_NAMES:]])}."
        )
    last = age_sentence(report.age, report.as_of)
    if report.disputes:
        last = (f"Sources disagree on {count_phrase(len(report.disputes), 'of the events', 'of the events')} behind this picture "
                f"(who says what is listed below). {last}")
    paragraphs.append(last)
    return "\n\n".join(paragraphs)


def joined_clause(actor_id: str, data: Dataset) -> str:
    """``the Syrian National Army joined the Syrian Ministry of Defence on 17 May 2025 (SANA, 17 May
    2025; Enab Baladi)``: the actor's ``joined``, with who reported it (it is no event to cite)."""
    joined = data.actors[actor_id].joined
    assert joined is not None
    said = "; ".join(dict.fromkeys(s.outlet + (f", {describe(s.published)}" if s.published else "") for s in joined.sources))
    name = actor_phrase(actor_id, data)
    return f"{name} {agreeing(name, 'joined')} {actor_phrase(joined.actor, data)} {on_day(joined.date)} ({said})"


def counted_elsewhere(status: StatusView, force: str | None, data: Dataset) -> bool:
    """Whether a site held (or being left) is counted under another force than its holder's own, which
    only a join makes happen (briefing.force_of_state): the Syrian government's for a base of the HTS-led forces."""
    return bool(force and status.holder and status.status in OPEN_STATUSES and force != data.force_of(status.holder))


def _joined_holds_sentence(name: str, joiners: Sequence[str], data: Dataset) -> str:
    """Why an actor's holds include another force's: it was folded into the actor's forces."""
    return (f"{_capital(_possessive(name))} holds include what {join_names(actor_phrase(j, data) for j in joiners)} "
            "still held when folded into its forces: " + "; ".join(joined_clause(j, data) for j in joiners) + ".")


def _joined_bases_sentences(bases: Sequence[BaseState], day: date, data: Dataset) -> list[str]:
    """Why bases last reported held by one force are listed under another: it had joined that one."""
    by_joiner: dict[str, list[BaseState]] = {}
    for base in bases:
        joiner = data.joining(base.status.holder, day) if counted_elsewhere(base.status, base.force, data) and base.status.holder else None
        if joiner is not None:
            by_joiner.setdefault(joiner.id, []).append(base)
    return [
        f"{join_names(b.site_name for b in listed)} {'is' if len(listed) == 1 else 'are'} listed under "
        f"{actor_phrase(listed[0].force, data)}: {joined_clause(joiner, data)}."
        for joiner, listed in by_joiner.items()
    ]


def _latest(items: Sequence[PeriodView]) -> list[PeriodView]:
    return sorted(items, key=_latest_change)


def _names_and_count(named: Sequence[str], total: int) -> str:
    """``A, B and C``, or ``A, B, C and 380 other sites`` when only some of ``total`` are named."""
    rest = total - len(dict.fromkeys(named))
    return join_names([*named, count_phrase(rest, "other site")] if rest > 0 else named)


@dataclass(frozen=True)
class _Told:
    """The positions a sentence names (the latest at each of up to HELD_NAMED sites), and how it reads."""

    named: list[PeriodView]
    phrase: str


def _since_returned(site: SiteSubject, holder: str | None, data: Dataset) -> str:
    """``, and has since returned`` after who left ``site``, when ``holder`` (one of them) holds it again."""
    if holder is None:
        return ""
    who = actor_phrase(holder, data)
    returned = agreeing(who, "has since returned")
    return f", and {returned}" if site.left_by == (holder,) else f", and {who} {returned}"


def _holds_again(site: SiteSubject, cited: dict[str, Event | Move]) -> bool:
    """Whether the site's holder is one that left it in the window, back since its last departure."""
    holder, since = site.status.holder, site.status.since
    if holder is None or holder not in site.left_by or site.status.status not in OPEN_STATUSES or not since:
        return False
    ends = [cited[e].period.end for e in site.left_events if e in cited and holder in cited[e].actors]
    return bool(ends) and parse_stored(since).start >= max(ends)


def _came_back(left: PeriodView, hold: PeriodView) -> bool:
    """Whether ``hold`` is the actor back at a site ``left`` ended its stay at: a new stay since."""
    if left.site != hold.site or left.actor != hold.actor or not left.until or not hold.since:
        return False
    return parse_stored(hold.since).start >= parse_stored(left.until).start


def _told(items: Sequence[PeriodView]) -> _Told:
    latest: dict[str, PeriodView] = {}
    for item in _latest(items):
        latest.pop(item.site, None)  # re-inserted: the site moves to its latest change
        latest[item.site] = item
    named = list(latest.values())[-HELD_NAMED:]
    return _Told(named, _names_and_count([p.site_name for p in named], len(latest)))


def _moves_toward(subjects: Sequence[ActorSubject], destinations: Sequence[str]) -> list[str]:
    """Each actor's latest move toward each of ``destinations``: what a sentence naming them cites."""
    wanted = set(destinations)
    latest = {(s.id, m.destination): m.event for s in subjects for m in s.moves if m.destination in wanted}
    return list(latest.values())


def _departure_ids(subjects: Sequence[ActorSubject], regions: Sequence[str], data: Dataset) -> list[str]:
    ids: list[str] = []
    for s in subjects:
        for p in (*s.left, *s.holds):
            site = data.sites.get(p.site)
            if site and site.admin1 in regions and p.status != "active":
                ids.extend(p.events[-1:])
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


__all__ += ["on_day"]
