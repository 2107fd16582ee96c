"""Markdown export: a briefing document — title, period, an overview, one section per event, sources.

Event text is untrusted: Markdown and HTML characters in it are escaped and
control characters made visible, so a summary cannot inject links, markup or
terminal escapes into a rendered briefing. Only http(s) addresses become links.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import IO, TYPE_CHECKING

from syriabrief.domain.dataset import EventsSummary, summarize_events
from syriabrief.domain.dates import describe
from syriabrief.domain.model import Event, Source
from syriabrief.domain.safetext import visible

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue

__all__ = ["markdown_chunks", "write_markdown"]

# Markdown's special characters escaped with a backslash, and "&" (HTML entities) spelled out.
_ESCAPES = str.maketrans({**{c: "\\" + c for c in "\\`*_[]<>|~"}, "&": "&amp;"})
# Whether text holds one: most text holds none, and a regex finds that fifteen times
# faster than the translation (a character at a time through a dict) changes nothing.
_MARKUP = re.compile("[" + re.escape("".join(map(chr, _ESCAPES))) + "]")
_LINES_PER_CHUNK = 4096
# Text starting with a number and "." or ")" would become a numbered list item.
_NUMBERED = re.compile(r"^(\d+)([.)])")
_SAFE_URL = re.compile(r"https?://[^\s<>()\[\]`\"']+")


def write_markdown(events: Sequence[Event], data: Catalogue, title: str, overview: str) -> str:
    """The briefing as Markdown text; ``overview`` is a plain-text paragraph (narrative.timeline_summary)."""
    return "".join(markdown_chunks(events, data, title, summarize_events(events), overview))


def markdown_chunks(
    events: Iterable[Event], data: Catalogue, title: str, summary: EventsSummary, overview: str
) -> Iterator[str]:
    """``write_markdown`` a block of whole lines at a time (an event's section), for an export that streams.

    The text ends with exactly one newline: blank lines at the end of a block
    are held back until more text follows them.
    """
    held = ""
    lines: list[str] = []
    for block in itertools.chain(_blocks(events, data, title, summary, overview), [None]):
        if block is not None:
            lines += block
            if len(lines) < _LINES_PER_CHUNK:
                continue  # joined many blocks at a time: an event's block is a dozen short lines
        text = "\n".join(lines) + "\n"
        body = text.rstrip("\n")
        if body:
            yield held + body
            held = text[len(body) :]
        else:
            held += text
        lines = []
    yield "\n"


def _blocks(events: Iterable[Event], data: Catalogue, title: str, summary: EventsSummary, overview: str) -> Iterator[list[str]]:
    """The briefing's lines, a block at a time."""
    sources = _SourceList()
    try:
        yield from _briefing_blocks(events, data, title, summary, overview, sources)
    finally:  # also when an export stops midway and drops this generator: the spool goes with it
        sources.close()


def _briefing_blocks(
    events: Iterable[Event], data: Catalogue, title: str, summary: EventsSummary, overview: str, sources: _SourceList
) -> Iterator[list[str]]:
    """``_blocks``, numbering the sources cited in ``sources``."""

    def cite(items) -> str:
        numbers = dict.fromkeys([sources.number(s) for s in items])
        return " ".join([f"[{n}]" for n in numbers])

    lines = [f"# {_text(title)}", ""]
    first, last = summary.first, summary.last
    if first is not None and last is not None:
        start = describe(first.date, None, first.approximate)
        end = describe(last.end_date or last.date, None, last.approximate)
        period = start if start == end else f"{start} to {end}"
        lines += [f"**Period:** {_text(period)} · **Events:** {summary.event_count}", ""]
    lines += [_text(overview), ""]
    yield lines
    for event in events:
        heading = (
            f"{describe(event.date, event.end_date, event.approximate)} — {event.type.replace('_', ' ')}"
        )
        if event.stage:
            heading += f" ({event.stage})"
        lines = [f"## {_label(heading)}", ""]
        who = ", ".join(data.actor_name(a) for a in event.actors)
        facts = [f"**Status:** {_label(event.status)}"]
        if who:
            facts.append(f"**Actors:** {_label(who)}")
        for label, site_id in (("Site", event.site), ("From", event.origin), ("To", event.destination)):
            if site_id and not (label == "From" and site_id == event.site):
                facts.append(f"**{label}:** {_label(data.site_name(site_id))}")
        lines += [" · ".join(facts), ""]
        lines += [f"{_text(event.summary)} {cite(event.sources)}", ""]
        if event.quantities:
            figures = "; ".join(
                f"{_label(name)}: {_figure(value)}" for name, value in event.quantities.items()
            )
            lines += [f"**Figures:** {figures}", ""]
        for dispute in event.disputes:
            lines += [f"> **Disputed:** {_text(dispute.claim)} {cite(dispute.sources)}".rstrip(), ""]
        lines += [f"<sub>id: `{_code(event.id)}`</sub>", ""]
        yield lines
    if sources.count:
        yield ["## Sources", ""]
        yield from sources.blocks()
        yield [""]


class _SourceList:
    """Each distinct source cited, numbered as first cited, and the closing list's lines.

    The lines wait in a spool (in memory up to a few megabytes, then a temporary file) and each
    source is known by a digest of its fields: holding the sources themselves kept every page of
    events they were read from alive (a Markdown export of 100k events peaked at 338 MB, and of a
    million at 3 GB).
    """

    def __init__(self) -> None:
        self.numbers: dict[bytes, int] = {}
        self.lines: IO[str] | None = None  # made when the first source is cited

    @property
    def count(self) -> int:
        return len(self.numbers)

    def number(self, source: Source) -> int:
        key = hashlib.blake2b(repr(tuple(source)).encode("utf-8"), digest_size=16).digest()
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = len(self.numbers) + 1
            if self.lines is None:
                self.lines = tempfile.SpooledTemporaryFile(_SPOOL_BYTES, "w+", encoding="utf-8", errors="surrogatepass", newline="\n")
            self.lines.write(f"{number}. {_source(source)}\n")
        return number

    def blocks(self) -> Iterator[list[str]]:
        """The lines, numbered, a block at a time."""
        if self.lines is None:
            return
        self.lines.seek(0)
        while block := [line[:-1] for line in itertools.islice(self.lines, _LINES_PER_CHUNK)]:
            yield block

    def close(self) -> None:
        if self.lines is not None:
            self.lines.close()


# How much of the list of sources a spool keeps in memory before it moves to a temporary file.
_SPOOL_BYTES = 8 << 20


def _source(source: Source) -> str:
    text = f"**{_label(source.outlet)}**"
    if source.document:
        text += f", “{_text(source.document)}”"
    if source.published:
        text += f", published {_label(describe(source.published))}"  # as the events' dates read
    if source.url:
        url = source.url.strip()
        text += f" — <{url}>" if _SAFE_URL.fullmatch(url) else f" — {_text(url)}"
    return text


def _figure(value) -> str:
    if isinstance(value, dict):
        return f"{value['low']:,}–{value['high']:,}"
    return f"{value:,}"


@lru_cache(maxsize=1 << 14)
def _label(value: str) -> str:
    """``_text`` of a value that recurs from event to event (a name, a status, an outlet, a date): made once."""
    return _text(value)


def _text(value: str) -> str:
    """Untrusted text as inline Markdown that shows as itself."""
    text = str(value)
    # Printable text (most) holds no whitespace but spaces and nothing to make visible:
    # only runs of spaces and spaces at its ends would change.
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = visible(" ".join(text.split()))  # newlines would end a paragraph or start a heading
    if _MARKUP.search(text):
        text = text.translate(_ESCAPES)
    if text[:1].isdigit():  # only such text can match: the rest skips the regex
        text = _NUMBERED.sub(r"\1\\\2", text)
    return "\\" + text if text[:1] in ("-", "=") else text  # a list item, a rule or a heading underline


def _code(value: str) -> str:
    return str(value).replace("`", "'")
