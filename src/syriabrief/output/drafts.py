"""How ``syriabrief read`` shows its drafts to people: one row per draft, with the sentences it came from.

Article text is untrusted: it reaches Rich only as ``Text`` after ``visible``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from syriabrief.domain.dataset import Catalogue
from syriabrief.domain.dates import describe
from syriabrief.domain.drafting import Proposal
from syriabrief.domain.reading import Unresolved
from syriabrief.domain.safetext import visible

__all__ = ["draft_table", "print_draft", "print_unresolved"]

# Evidence longer than this is cut in the table (--json has it whole).
EVIDENCE_CHARACTERS = 320
_MATCH_WORDS = {
    "new": "new event",
    "corroborates": "corroborates",
    "conflicts": "conflicting account of",
    "recorded": "already recorded as",
}


def draft_table(proposals: Sequence[Proposal], data: Catalogue) -> Table:
    """Draft, date, who and where, evidence (sentences, outlets, notes), and what it is to the store."""
    table = Table(show_lines=True, expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("Draft", ratio=2, min_width=14)
    table.add_column("Actors · place", ratio=3, min_width=14)
    table.add_column("Evidence", ratio=6, min_width=24)
    table.add_column("In the store", ratio=3, min_width=14, overflow="fold")
    for number, proposal in enumerate(proposals, 1):
        table.add_row(
            Text(str(number)), _draft_cell(proposal), _where_cell(proposal, data), _evidence_cell(proposal), _match_cell(proposal)
        )
    return table


def print_draft(console: Console, number: int, proposal: Proposal, data: Catalogue) -> None:
    """One draft as a short block, for ``read --import`` asking about it."""
    console.print(Text(f"Draft {number}", style="bold"))
    console.print(draft_table([proposal], data))


def print_unresolved(console: Console, names: Sequence[Unresolved]) -> None:
    if not names:
        return
    text = Text("Names not in the gazetteer (not added; add them with 'syriabrief add actor/site' if they matter): ")
    text.append(
        "; ".join(f"{visible(u.name)} (as {u.kind}, sentence {u.sentence})" for u in names)
    )
    console.print(text)


def _draft_cell(p: Proposal) -> Text:
    d = p.draft
    cell = Text(d.type.replace("_", " "), style="bold")
    if d.stage:
        cell.append(f" ({d.stage})")
    cell.append("\n" + describe(d.when.date, d.when.end_date, d.when.approximate))
    if d.when.phrase:
        cell.append(f"\n“{visible(d.when.phrase)}”", style="dim")
    if d.status != "reported":
        cell.append("\n" + d.status, style="yellow")
    cell.append(f"\nconfidence {d.confidence_word} ({d.confidence:.2f})", style="dim")
    return cell


def _where_cell(p: Proposal, data: Catalogue) -> Text:
    d = p.draft
    who = ", ".join(data.actor_name(a) for a in d.actors) or "–"
    cell = Text(visible(who))
    if d.site:
        cell.append("\n@ " + visible(data.site_name(d.site)))
    if d.origin and d.origin != d.site:
        cell.append("\nfrom " + visible(data.site_name(d.origin)))
    if d.destination:
        cell.append("\n→ " + visible(data.site_name(d.destination)))
    if d.quantities:
        figures = ", ".join(
            f"{k.replace('_', ' ')} {v['low']:,}–{v['high']:,}" if isinstance(v, dict) else f"{k.replace('_', ' ')} {v:,}"
            for k, v in d.quantities.items()
        )
        cell.append("\n" + visible(figures), style="dim")
    return cell


def _evidence_cell(p: Proposal) -> Text:
    d = p.draft
    cell = Text()
    for number, sentence in zip(d.sentences, d.evidence):
        if cell:
            cell.append("\n")
        shown = sentence if len(sentence) <= EVIDENCE_CHARACTERS else sentence[: EVIDENCE_CHARACTERS - 1] + "…"
        cell.append(f"[{number}] ", style="dim")
        cell.append(visible(shown))
    cell.append("\nsource: " + visible(", ".join(d.outlets) or "the article"), style="dim")
    for note in d.notes:
        cell.append("\nnote: " + visible(note), style="dim")
    if d.unresolved:
        cell.append("\nunknown: " + visible(", ".join(f"{u.name} ({u.kind})" for u in d.unresolved)), style="yellow")
    return cell


def _match_cell(p: Proposal) -> Text:
    cell = Text(_MATCH_WORDS[p.kind], style="green" if p.kind == "new" else "cyan")
    if p.event is not None:
        cell.append("\n" + visible(p.event.id))
    if p.kind == "corroborates":
        cell.append("\n(adds a source)", style="dim")
    elif p.kind == "conflicts":
        cell.append("\n(adds a dispute)", style="dim")
    elif p.kind == "new" and p.record:
        cell.append("\nid " + visible(p.record["id"]), style="dim")
    return cell
