"""The HTML brief: one self-contained file, nothing fetched, nothing from the data read as markup.

The page is parsed with the standard library's HTML parser, as a browser
would tokenise it; a test in a real browser (headless Chromium) renders it to
PNG and to an A4 PDF when Chromium is installed, and is skipped when it is not.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, SITES, SOURCE, event, write_store
from syriabrief.cli import app
from syriabrief.storage import paths

runner = CliRunner()

# Elements and attributes that load something, run something, or reach outside the page.
LOADING_TAGS = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "track",
                "frame", "frameset", "base", "form", "input", "image", "use", "foreignobject", "picture", "portal"}  # fmt: skip
LOADING_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "xlink:href", "ping"}

HOSTILE = "<script>alert('summary')</script> & <img src=x onerror=alert(1)> \x1b[31m"


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the style sheets' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def hostile_store(tmp_path: Path) -> Path:
    actors = [{**ACTORS[0], "name": "</title><script>alert('actor')</script>"}] + ACTORS[1:]
    sites = [{**SITES[0], "name": 'Qasrak "base" <b>bold</b>'}] + SITES[1:]
    bad = {**SOURCE, "outlet": "<i>Outlet</i>", "url": "javascript:alert('url')", "document": "doc\" onmouseover=\"x"}
    good = {**SOURCE, "url": "https://example.org/report?a=1&b=<2>"}
    events = [e for e in SAMPLE_EVENTS if e["id"] != "2026-02-21-qasrak-evacuation"] + [
        event("2026-02-21-qasrak-evacuation", "2026-02-21", "withdrawal", stage="began", actors=["us"], site="qasrak",
              status="disputed", summary=HOSTILE, sources=[bad, good],
              disputes=[{"claim": "</li></ul><script>alert('claim')</script>", "sources": [bad]}]),
    ]  # fmt: skip
    return write_store(tmp_path / "hostile.json", events, actors, sites)


def brief_page(store: Path, *args: str) -> str:
    result = runner.invoke(app, ["brief", "--as-of", "2026-02-24", "--html", *args, "--db", str(store)])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_page_loads_nothing_and_runs_nothing(tmp_path):
    page = parse(brief_page(hostile_store(tmp_path)))
    for tag, attrs in page.tags:
        assert tag not in LOADING_TAGS, tag
        for name, value in attrs.items():
            assert name not in LOADING_ATTRIBUTES, (tag, name)
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert tag == "a" and (value.startswith("#") or re.match(r"https?://", value)), value
            if name in ("style", "fill", "stroke") and value and "url(" in value:
                assert re.fullmatch(r"url\(#[\w-]+\)", value), value  # a pattern defined in the page
    css = "".join(page.styles)
    assert "@import" not in css and "url(" not in css
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_text_from_the_data_stays_text(tmp_path):
    html = brief_page(hostile_store(tmp_path))
    page = parse(html)
    text = "".join(page.text)
    # The hostile strings read back as the characters they are, and made no element.
    assert "<script>alert('summary')</script>" in text
    assert "</title><script>alert('actor')</script>" in text
    assert "</li></ul><script>alert('claim')</script>" in text
    assert 'Qasrak "base" <b>bold</b>' in text
    assert "\\x1b[31m" in text and "\x1b" not in html
    assert not any(t == "i" for t, _ in page.tags)  # the outlet's <i> stayed text
    # A javascript: address is shown, never linked; an https one is linked with its & escaped.
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert not any(h.lower().startswith("javascript") for h in hrefs)
    assert "https://example.org/report?a=1&b=<2>" in hrefs
    assert "javascript:alert('url')" in text
    assert 'doc" onmouseover="x' in text


def test_every_citation_links_to_a_numbered_source(sample_store):
    page = parse(brief_page(sample_store))
    targets = {a["href"][1:] for t, a in page.tags if t == "a" and a["href"].startswith("#")}
    ids = {a["id"] for t, a in page.tags if "id" in a}
    assert targets and targets <= ids
    numbers = sorted(int(a["id"].removeprefix("src-")) for t, a in page.tags if t == "li" and a.get("id", "").startswith("src-"))
    assert numbers == list(range(1, len(numbers) + 1))
    text = "".join(page.text)
    for heading in ("Summary", "Who holds what", "Control of tracked bases", "Activity", "Where the sources disagree", "Sources"):
        assert heading in text
    assert "An Iraqi official put the start on 22 February." in text  # the other side's claim


def test_the_map_marks_every_site_on_it(sample_store):
    html = brief_page(sample_store)
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000'):]
    svg = svg[: svg.index("</svg>")]
    # Qasrak: the US is leaving it (lower case u); Al-Tanf and Qamishli airport were left.
    assert ">u</text>" in svg and "Qasrak base: United States, withdrawing" in svg
    assert "Al-Tanf garrison: United States, vacated" in svg
    assert "Erbil" not in svg  # beyond the frame


def test_brief_html_writes_a_file_and_says_so(sample_store, tmp_path):
    target = tmp_path / "brief.html"
    result = runner.invoke(app, ["brief", "--as-of", "2026-02-24", "--html", "-o", str(target), "--db", str(sample_store)])
    assert result.exit_code == 0 and result.stdout == ""
    assert f"Wrote the brief as of 24 Feb 2026 to {target}." in result.stderr
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_brief_html_marks_doubtful_bases_and_keeps_approximate_dates(sample_store, tmp_path):
    # The paragraph counts bases "marked *": the table marks them. The evacuation of Qasrak began
    # around 21–22 Feb (approximate), which its dispute's heading keeps.
    target = tmp_path / "brief.html"
    runner.invoke(app, ["brief", "--as-of", "2026-02-24", "--html", "-o", str(target), "--db", str(sample_store)])
    page = target.read_text(encoding="utf-8")
    assert "<td>Qasrak base*</td>" in page and "* disputed, or last reported more than 60 days before 24 Feb 2026" in page
    assert "<h3>~21–22 Feb 2026 — " in page


@pytest.mark.parametrize("args, code, message", [
    (["--html", "--json"], 2, "--json and --html"),
    (["-o", "x.html"], 2, "--output goes with --html"),
    (["--html", "-o", "."], 1, "is a directory"),
])  # fmt: skip
def test_brief_html_refuses_what_cannot_be_done(sample_store, args, code, message):
    result = runner.invoke(app, ["brief", *args, "--db", str(sample_store)])
    assert result.exit_code == code and message in result.stderr


def _chromium() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.skipif(_chromium() is None, reason="headless Chromium is not installed (apt-get install chromium)")
def test_a_real_browser_renders_the_bundled_brief_to_png_and_to_a4(monkeypatch, tmp_path):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    page = tmp_path / "brief.html"
    result = runner.invoke(app, ["brief", "--as-of", "2026-02-24", "--html", "-o", str(page)])
    assert result.exit_code == 0, result.stderr
    browser = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    # (scripts/screenshot_brief.py takes the pictures in docs/, a phone's among them.)
    shot = tmp_path / "brief.png"
    done = subprocess.run([*browser, f"--screenshot={shot}", "--window-size=1100,1600", page.as_uri()],
                          capture_output=True, timeout=90, check=False)  # fmt: skip
    assert done.returncode == 0 and shot.exists(), done.stderr[-500:]
    assert _png_size(shot) == (1100, 1600)
    assert shot.stat().st_size > 20_000  # a drawn page, not a blank one
    pdf = tmp_path / "brief.pdf"
    done = subprocess.run([*browser, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                          capture_output=True, timeout=90, check=False)  # fmt: skip
    assert done.returncode == 0 and pdf.exists(), done.stderr[-500:]
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes and all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in boxes)  # A4 in points
