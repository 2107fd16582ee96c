"""The brief as one self-contained HTML file, to send to someone who has no syriabrief.

Everything is in the file: the CSS inline, the map and the chart as inline SVG,
no script, no font, no image, nothing fetched when it is opened (a
Content-Security-Policy says so to the browser too). It prints on A4 and reads
on a phone. Every piece of text from the data goes through ``svg.text``
(control characters made visible, then HTML-escaped), and a link is written
only for an ``http``/``https`` address: a summary holding ``<script>`` prints
as those characters. Sources are numbered in the order the page first cites
them, the paragraph's own numbers first, and listed with their links at the end.
Standard library only: a template engine would earn nothing over f-strings and
``html.escape`` for one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from syriabrief import __version__
from syriabrief.domain.dataset import Catalogue
from syriabrief.domain.dates import describe
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import Event, Source
from syriabrief.output.svg import FORCE_COLOURS, PHONE_LABEL, activity_svg, map_groups, map_svg, swatch, text
from syriabrief.reports.activity import Activity
from syriabrief.reports.mapping import LEFT, NO_HOLDER, SiteMap
from syriabrief.reports.narrative import doubtful_note, short_title, type_label
from syriabrief.reports.types import BaseState, Brief, MoveView, StatusView

__all__ = ["brief_html"]

# Nothing may be loaded: styles inline, images only as data (there are none), no script at all.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CITATION = re.compile(r"\[(\d+(?:, \d+)*)\]")

CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #d9d6cf; --paper: #fff; --accent: #8b1a1a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f4f2ee; color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.25rem 1rem 3rem; background: var(--paper); }
header { border-bottom: 3px solid var(--ink); margin-bottom: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .2rem 0 .4rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; padding-bottom: .2rem; border-bottom: 1px solid var(--rule); }
.meta, .note, figcaption { color: var(--muted); font-size: .88rem; }
p { margin: .5rem 0; }
a { color: #0b57a4; }
sup.cite, .cite { font-size: .8em; white-space: nowrap; }
figure { margin: .5rem 0 1rem; }
svg.map, svg.chart { width: 100%; height: auto; display: block; border: 1px solid var(--rule); background: #fff; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: .6rem 0 0; padding: 0; list-style: none; font-size: .92rem; }
.legend li { display: flex; align-items: baseline; gap: .4rem; }
.mark { display: inline-block; min-width: 1.45em; height: 1.45em; line-height: 1.45em; border-radius: 50%;
  text-align: center; font-weight: 700; font-size: .85rem; color: #fff; background: #333; }
.mark.leaving { background: #fff; border: 2px solid currentColor; line-height: calc(1.45em - 4px); }
.mark.left { background: #fff; color: #555; border: 2px dashed #555; line-height: calc(1.45em - 4px); }
.mark.none { background: none; color: #666; }
.mark.leaving.plain { color: #333; }
""" + "".join(
    f".f{i} {{ background: {c}; }} .f{i}.leaving {{ color: {c}; background: #fff; }}\n" for i, c in enumerate(FORCE_COLOURS)
) + """
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--rule); }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
td.when { white-space: nowrap; }
.flag { color: var(--accent); font-size: .85em; }
.swatch { vertical-align: -2px; margin-right: .15rem; }
.dispute { margin: .8rem 0; padding: .1rem 0 .1rem .8rem; border-left: 3px solid var(--rule); }
.dispute h3 { font-size: 1rem; margin: .2rem 0; }
.dispute ul { margin: .2rem 0; padding-left: 1.1rem; }
.claim-by { font-weight: 600; }
ol.sources { padding-left: 2.2rem; font-size: .9rem; }
ol.sources li { margin: .35rem 0; overflow-wrap: anywhere; }
ol.sources li:target { background: #fff6d5; }
.url { color: var(--muted); font-size: .85em; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--rule); padding-top: .6rem; }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  /* On a phone the map is a third of its drawn size: bigger marks and main labels, no small ones. */
  svg.map .mk { transform: scale(2); }
  svg.map text.l2 { display: none; }
  svg.map text.l1 { font-size: PHONE_LABELpx; }
  main { padding: .8rem .7rem 2rem; }
  h1 { font-size: 1.3rem; }
  td, th { padding: .3rem .35rem; }
}
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .dispute, ol.sources li { break-inside: avoid; page-break-inside: avoid; }
  svg.map { max-height: 150mm; }
  .scroll { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".replace("PHONE_LABEL", str(PHONE_LABEL))


def brief_html(brief: Brief, site_map: SiteMap, chart: Activity, data: Catalogue, *, title: str = "") -> str:
    """The whole page as text."""
    refs = _References(brief)
    as_of = describe(brief.as_of)
    heading = title or f"Foreign forces in Syria: the situation on {as_of}"
    sections = [
        _summary(brief, refs),
        _map_section(site_map),
        _control(brief, refs),
        _moves(brief, refs),
        _activity(chart),
        _disputes(brief, data, refs),
    ]
    sources = _sources(refs, data)  # last: every number handed out above is listed
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{text(heading)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{text(heading)}</h1>",
        f'<p class="meta">Brief as of {as_of} · moves of the last {brief.days} days ({describe(brief.since)} – {as_of}) · '
        f"{brief.event_count} events in the window · made offline by syriabrief {text(__version__)}</p>",
        "</header>",
        *sections,
        sources,
        "<footer>Map outline, governorate boundaries and cities: Natural Earth (public domain, naturalearthdata.com). "
        "Positions are derived from the sourced events listed above; numbers in brackets point to them.</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ])  # fmt: skip


class _References:
    """Hands out source numbers: the narrative's own first, then each event as the page first names it."""

    def __init__(self, brief: Brief) -> None:
        self.numbers: dict[str, int] = {c.event: c.number for c in brief.citations}

    def __call__(self, ids: Iterable[str]) -> str:
        numbers = []
        for event_id in dict.fromkeys(i for i in ids if i):
            numbers.append(self.numbers.setdefault(event_id, max(self.numbers.values(), default=0) + 1))
        return _links(numbers)


def _links(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    inner = ", ".join(f'<a href="#src-{n}">{n}</a>' for n in numbers)
    return f' <span class="cite">[{inner}]</span>'


def _summary(brief: Brief, refs: _References) -> str:
    paragraphs = []
    for paragraph in brief.narrative.split("\n\n"):
        # The paragraph's citation markers become links; its text is escaped first.
        html = _CITATION.sub(lambda m: _links([int(n) for n in m.group(1).split(", ")]).strip(), text(paragraph))
        paragraphs.append(f"<p>{html}</p>")
    return '<section id="summary">\n<h2>Summary</h2>\n' + "\n".join(paragraphs) + "\n</section>"


def _map_section(site_map: SiteMap) -> str:
    legend = []
    for i, force in enumerate(site_map.legend):
        if not force.marker:
            continue
        holders = [h for h in force.holders if h != force.force_name]
        counts = ", ".join(f"{n} {w}" for n, w in ((force.held, "held"), (force.leaving, "leaving"), (force.left, "left")) if n)
        legend.append(
            f'<li><span class="mark f{i % len(FORCE_COLOURS)}">{text(force.marker)}</span> {text(force.force_name)}'
            + (f" ({text(', '.join(holders))})" if holders else "")
            + f' <span class="note">{counts}</span></li>'
        )
    drawn = {s.marker for s in site_map.on_map}
    if any(m.isalpha() and m.islower() for m in drawn):
        legend.append('<li><span class="mark leaving plain">x</span> lower case, ring: the force is leaving</li>')
    if LEFT in drawn:
        legend.append('<li><span class="mark left">&nbsp;</span> left; nobody recorded there since</li>')
    if NO_HOLDER in drawn:
        legend.append('<li><span class="mark none">+</span> nobody recorded there</li>')
    groups = map_groups(site_map)
    shared = [g for g in groups if len(g[2]) > 1]
    if any(g[3].isdigit() for g in groups):
        legend.append('<li><span class="mark">1</span> several sites, listed below</li>')
    notes = []
    for _, _, sites, mark in shared:
        notes.append(f"<li><b>{text(mark)}</b>: " + "; ".join(f"{text(s.site.name)} ({text(_mark_word(s))})" for s in sites) + "</li>")
    beyond = [s for s in site_map.beyond if s.marker != NO_HOLDER]
    caption = (
        f"Who holds each site on {describe(site_map.as_of)}, by force: a letter and a colour for each. "
        f"{len(site_map.on_map)} sites placed by their coordinates."
    )
    if beyond:
        caption += " Beyond the map: " + "; ".join(f"{text(s.site.name)} ({text(_mark_word(s))})" for s in beyond) + "."
    return "\n".join([
        '<section id="map">',
        "<h2>Who holds what</h2>",
        "<figure>",
        map_svg(site_map),
        f"<figcaption>{caption}</figcaption>",
        '<ul class="legend">' + "".join(legend) + "</ul>",
        ('<ul class="note">' + "".join(notes) + "</ul>") if notes else "",
        "</figure>",
        "</section>",
    ])  # fmt: skip


def _mark_word(site) -> str:
    status = site.status
    who = status.holder_name or status.previous_name
    words = _STATUS.get(status.status, status.status)
    return f"{who}: {words}" if who else words


_STATUS = {"active": "held", "withdrawing": "leaving", "vacated": "vacated", "handed_over": "handed over",
           "lost": "lost", "unknown": "no record"}  # fmt: skip


def _status(status: StatusView) -> str:
    words = text(_STATUS.get(status.status, status.status))
    flags = []
    if status.disputed:
        flags.append("disputed" + (": " + ", ".join(status.disputed_about) if status.disputed_about else ""))
    if status.uncertain:
        flags.append("uncertain")
    if status.stale and status.last_reported:
        flags.append(f"last reported {describe(status.last_reported)}")
    return words + (f' <span class="flag">({text("; ".join(flags))})</span>' if flags else "")


def _control(brief: Brief, refs: _References) -> str:
    rows = []
    previous = None
    for base in sorted(brief.bases, key=lambda b: ((b.force_name or "~").casefold(), b.site_name.casefold())):
        force = base.force_name or "–"
        rows.append(
            "<tr>"
            f"<td><b>{text(force) if force != previous else ''}</b></td>"
            f"<td>{text(base.site_name)}{'*' if base.status.doubtful else ''}</td>"
            f"<td>{text(_holder(base))}</td>"
            f"<td>{_status(base.status)}</td>"
            f'<td class="when">{describe(base.status.since) if base.status.since else "–"}</td>'
            f"<td>{refs(base.status.status_events[-3:]).strip()}</td>"
            "</tr>"
        )
        previous = force
    if not rows:
        return '<section id="control">\n<h2>Control of tracked bases</h2>\n<p class="note">No tracked base matches.</p>\n</section>'
    return "\n".join([
        '<section id="control">',
        "<h2>Control of tracked bases</h2>",
        '<div class="scroll"><table>',
        "<thead><tr><th>Force</th><th>Base</th><th>Holder</th><th>Status</th><th>Since</th><th>Sources</th></tr></thead>",
        "<tbody>", *rows, "</tbody>",
        "</table></div>",
        f'<p class="note">{text(doubtful_note(brief.as_of))}</p>',
        "</section>",
    ])  # fmt: skip


def _holder(base: BaseState) -> str:
    status = base.status
    return status.holder_name or (f"({status.previous_name} left)" if status.previous_name else "–")


def _moves(brief: Brief, refs: _References) -> str:
    if not brief.moves:
        return (f'<section id="moves">\n<h2>Moves since {describe(brief.since)}</h2>\n'
                '<p class="note">No move is recorded in the window.</p>\n</section>')  # fmt: skip
    rows = []
    for move in brief.moves:
        flag = ' <span class="flag">(disputed)</span>' if move.disputed else ""
        rough = ' <span class="flag">(dated roughly: possibly inside the window)</span>' if move.in_window != "inside" else ""
        rows.append(
            f'<tr><td class="when">{describe(move.date, move.end_date)}</td>'
            f"<td>{text(_move_words(move))}{flag}{rough}{refs([move.event])}</td></tr>"
        )
    return "\n".join([
        '<section id="moves">',
        f"<h2>Moves since {describe(brief.since)}</h2>",
        '<div class="scroll"><table>',
        "<thead><tr><th>When</th><th>What</th></tr></thead>",
        "<tbody>", *rows, "</tbody>",
        "</table></div>",
        "</section>",
    ])  # fmt: skip


def _move_words(move: MoveView) -> str:
    who = (move.actor_names or move.actors or ("?",))[0]
    kind = ("planned " if move.status == "planned" else "") + type_label(move.type) + (f" ({move.stage})" if move.stage else "")
    where = f" at {move.site_name}" if move.site_name else (f" from {move.origin_name}" if move.origin_name else "")
    route = f" toward {move.destination_name}" if move.destination_name and move.destination != move.site else ""
    if move.type in ("handover", "control_change") and len(move.actor_names) > 1 and not route:
        route = f" ({'to' if move.type == 'handover' else 'from'} {move.actor_names[1]})"
    return f"{who}: {kind}{where}{route}"


def _activity(chart: Activity) -> str:
    if not chart.buckets:
        return '<section id="activity">\n<h2>Activity</h2>\n<p class="note">No events in the period.</p>\n</section>'
    key = " ".join(
        f'<span>{swatch(i, chart)}{text(s.name)} {s.total}</span>&nbsp; ' for i, s in enumerate(chart.series)
    )
    note = ""
    if chart.coarse:
        note = (f'<p class="note">{chart.coarse} more event{"s" if chart.coarse != 1 else ""} dated only to the '
                f'{text(chart.coarse_precision or "year")} {"are" if chart.coarse != 1 else "is"} not in the columns.</p>')  # fmt: skip
    return "\n".join([
        '<section id="activity">',
        f"<h2>Activity: events per {text(chart.per)}, {text(chart.buckets[0].label)} – {text(chart.buckets[-1].label)}</h2>",
        "<figure>",
        activity_svg(chart),
        f"<figcaption>By event type. {key}</figcaption>",
        "</figure>",
        note,
        "</section>",
    ])  # fmt: skip


def _disputes(brief: Brief, data: Catalogue, refs: _References) -> str:
    if not brief.disputes:
        return ""
    events = _events(data, [d.event for d in brief.disputes])
    items = []
    for item in reversed(brief.disputes):  # the latest first
        event = events.get(item.event)
        title = short_title(event.summary) if event else item.event
        accounts = []
        for k, account in enumerate(item.accounts):
            who = ", ".join(account.outlets) or "unnamed source"
            label = "Recorded account" if k == 0 else "Other account"
            accounts.append(f'<li><span class="claim-by">{label} — {text(who)}:</span> {text(account.claim)}</li>')
        items.append(
            '<div class="dispute">'
            f"<h3>{describe(event.date, event.end_date, event.approximate) if event else describe(item.date)} — "
            f"{text(title)}{refs([item.event])}</h3>"
            f"<ul>{''.join(accounts)}</ul>"
            "</div>"
        )
    return "\n".join([
        '<section id="disputes">',
        "<h2>Where the sources disagree</h2>",
        '<p class="note">Each side\'s claim as its sources give it; syriabrief keeps both and resolves neither.</p>',
        *items,
        "</section>",
    ])  # fmt: skip


def _events(data: Catalogue, ids: Iterable[str]) -> dict[str, Event]:
    wanted = frozenset(ids)
    return {e.id: e for e in data.select(EventFilter(ids=wanted))} if wanted else {}


def _sources(refs: _References, data: Catalogue) -> str:
    events = _events(data, refs.numbers)
    items = []
    for event_id, number in sorted(refs.numbers.items(), key=lambda kv: kv[1]):
        event = events.get(event_id)
        if event is None:
            items.append(f'<li id="src-{number}" value="{number}">{text(event_id)}</li>')
            continue
        when = describe(event.date, event.end_date, event.approximate)
        sources = "; ".join(_source(s) for s in event.sources) or "no source recorded"
        others = [_source(s) for d in event.disputes for s in d.sources]
        extra = f"<br>Other accounts: {'; '.join(others)}" if others else ""
        items.append(
            f'<li id="src-{number}" value="{number}"><b>{when}</b> — {text(short_title(event.summary))} '
            f'<span class="note">({text(event.id)})</span><br>{sources}{extra}</li>'
        )
    return '<section id="sources">\n<h2>Sources</h2>\n<ol class="sources">\n' + "\n".join(items) + "\n</ol>\n</section>"


def _source(source: Source) -> str:
    words = text(source.outlet)
    if source.document:
        words += f", “{text(source.document)}”"
    if source.published:
        words += f", {describe(source.published)}"
    url = (source.url or "").strip()
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{text(url)}" rel="noopener noreferrer">{words}</a> <span class="url">{text(url)}</span>'
    return words + (f' <span class="url">{text(url)}</span>' if url else "")

