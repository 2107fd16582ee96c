"""A news article's bytes as text: plain text, or a page saved from a browser reduced to its words.

``read_article`` decodes the bytes (UTF-8, or Windows-1252 for old files),
refuses what is not text (a binary file, an oversized one) with a message a
user can act on, strips a saved web page to the text a reader sees, and picks
up what the page says about itself: its title, publication date, outlet and
address (``<meta property="article:published_time">``, ``og:site_name``, the
canonical link). Standard library only (``html.parser``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from syriabrief.errors import SyriabriefError

__all__ = ["MAX_ARTICLE_BYTES", "Article", "read_article"]

# The longest wire stories run to a few thousand words (tens of KB); a page
# saved with its scripts and styles can reach a few MB. Past this a file is not
# one article, and reading it would take long enough to look like a hang.
MAX_ARTICLE_BYTES = 4 * 1024 * 1024
# Text longer than this once the page is stripped is refused for the same reason.
MAX_ARTICLE_CHARACTERS = 400_000
# Share of control characters (other than tab, newline, CR, form feed) above which bytes are not text.
BINARY_SHARE = 0.01
_HTML_START = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<meta|<article|<p[ >]|<div[ >])", re.IGNORECASE)
_BLOCKS = frozenset(
    "p div br h1 h2 h3 h4 h5 h6 li ul ol tr table article section header blockquote figcaption "
    "title time dd dt pre".split()
)
_SKIPPED = frozenset("script style noscript svg nav footer aside form button select template iframe".split())
_DATE_META = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate",
    "publish-date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date",
)  # fmt: skip


@dataclass
class Article:
    """An article's text and what it says about itself."""

    text: str
    title: str | None = None
    published: date | None = None
    published_from: str | None = None  # where the date was found: a date line, or the page's metadata
    outlet: str | None = None
    url: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def read_article(data: bytes) -> Article:
    """The article in ``data``; SyriabriefError when it is not text that can be read."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise SyriabriefError(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; an article is rarely more than 100 KB. "
            "Is it the right file? Split a collection of articles into one file each"
        )
    notes: list[str] = []
    text = _decode(data, notes)
    article = _from_html(text) if _HTML_START.match(data[:2048]) else Article(_clean(text))
    article.notes = notes + article.notes
    if len(article.text) > MAX_ARTICLE_CHARACTERS:
        raise SyriabriefError(
            f"the text is {len(article.text):,} characters long; an article is rarely more than 30,000. "
            "Split a collection of articles into one file each"
        )
    return article


def _decode(data: bytes, notes: list[str]) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SyriabriefError("the file starts like UTF-16 text but is not; save it as UTF-8") from None
    if b"\x00" in data[:65536]:
        raise SyriabriefError("the file looks binary (it holds NUL bytes), not an article's text; save the article as text")
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and controls / len(sample) > BINARY_SHARE:
        raise SyriabriefError("the file looks binary (it is full of control bytes), not an article's text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("the file is not UTF-8; read it as Windows-1252 (Western European)")
        return data.decode("cp1252", errors="replace")


def _clean(text: str) -> str:
    """Line ends made \\n, non-breaking and other odd spaces made plain, runs of blank lines shortened."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = re.sub(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]", " ", text)
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _PageText(HTMLParser):
    """Collects a page's visible text, one block element per line, and its metadata."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.meta: dict[str, str] = {}
        self.times: list[str] = []
        self.title = ""
        self.in_title = False
        self.canonical: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "meta":
            key = (values.get("property") or values.get("name") or values.get("itemprop") or "").lower()
            if key and values.get("content"):
                self.meta.setdefault(key, values["content"].strip())
        elif tag == "link" and values.get("rel", "").lower() == "canonical" and values.get("href"):
            self.canonical = values["href"].strip()
        elif tag == "time" and values.get("datetime"):
            self.times.append(values["datetime"].strip())
        elif tag == "title":
            self.in_title = True
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED:  # a self-closed <svg/> opens nothing to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "title":
            self.in_title = False
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)


def _from_html(html: str) -> Article:
    page = _PageText()
    try:
        page.feed(html)
        page.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup
        pass
    lines = [" ".join(line.split()) for line in "".join(page.parts).split("\n")]
    text = _clean("\n\n".join(line for line in lines if line))
    article = Article(text, title=" ".join(page.title.split()) or None)
    for key in _DATE_META:
        if key in page.meta:
            day = _iso_day(page.meta[key])
            if day:
                article.published, article.published_from = day, f"the page's {key} ({page.meta[key]})"
                break
    if article.published is None:
        for value in page.times:
            day = _iso_day(value)
            if day:
                article.published, article.published_from = day, f"the page's <time datetime=\"{value}\">"
                break
    article.outlet = page.meta.get("og:site_name") or page.meta.get("application-name") or None
    article.url = page.canonical or page.meta.get("og:url") or None
    return article


def _iso_day(value: str) -> date | None:
    match = re.match(r"((?:19|20)[0-9]{2})-([0-9]{2})-([0-9]{2})", value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
