"""validate and export read a store line by line: the same problems and the same bytes as reading it whole."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, SITES, event
from syriabrief.cli import app
from syriabrief.domain.dataset import Dataset
from syriabrief.domain.model import Actor, Site
from syriabrief.domain.validate import SCHEMA_VERSION
from syriabrief.formats.jsonfmt import check_store_lines, check_store_text
from syriabrief.storage import paths
from syriabrief.storage.storefile import NotLineLayout, dump_store, store_lines

LOWER = Dataset([Actor.from_json(ACTORS[0])], [Site.from_json(SITES[0])], [])


def _layout(events, actors=ACTORS, sites=SITES) -> str:
    return dump_store({"schema_version": 1, "actors": actors, "sites": sites, "events": events})


# Each store is in the line layout and wrong in its own way.
BROKEN = {
    "bad fields": _layout([event("a-1", "2026-13-01"), event("a-2", "2026-01-02", "nonsense", actors=[1])]),
    "unknown references": _layout([event("a-1", "2026-01-01", actors=["nobody"], site="nowhere", origin="us")]),
    "duplicate ids": _layout([event("a-1", "2026-01-01"), event("a-1", "2026-01-02"), event("a-1", "2026-01-03")]),
    "name clash and parent loop": _layout(
        [event("a-1", "2026-01-01")],
        actors=[*ACTORS, {**ACTORS[1], "id": "russia-2"}],
        sites=[*SITES, {**SITES[0], "id": "s-1", "name": "One", "aliases": [], "parent": "s-2"},
               {**SITES[0], "id": "s-2", "name": "Two", "aliases": [], "parent": "s-1"}],
    ),
    "a parent named before its site": _layout(
        [event("a-1", "2026-01-01", site="late", actors=["nobody"])],
        sites=[{**SITES[0], "id": "early", "name": "Early", "aliases": [], "parent": "late"},
               {**SITES[0], "id": "late", "name": "Late", "aliases": []}, *SITES[1:]],
    ),
    "dates no report can have": _layout([event("a-1", "1850"), event("a-2", "2999-01-01")]),
    "not a record": _layout([event("a-1", "2026-01-01"), [1, 2], "text"]),
}  # fmt: skip
# Broken so that a line is not JSON syriabrief reads: the whole file is read, for the messages it gives.
UNREADABLE = {
    "not JSON": _layout([event("a-1", "2026-01-01")]).replace('"type": ', '"type" ', 1),
    "NaN": _layout([event("a-1", "2026-01-01", quantities={"troops": 1})]).replace('"troops": 1', '"troops": NaN'),
    "lone surrogate": _layout([event("a-1", "2026-01-01", summary="x")]).replace('"summary": "x"', '"summary": "\\ud800"'),
    "nested deep": _layout([event("a-1", "2026-01-01", tags=[])]).replace('"tags": []', '"tags": ' + "[" * 31 + "]" * 31),
}  # fmt: skip


@pytest.mark.parametrize("name", [*BROKEN, *UNREADABLE])
def test_validate_finds_the_same_problems_line_by_line_as_in_the_whole_file(tmp_path, name):
    path = tmp_path / "store.json"
    path.write_text({**BROKEN, **UNREADABLE}[name], encoding="utf-8")
    whole = check_store_text(path.read_bytes(), LOWER)
    streamed = check_store_lines(store_lines(path, SCHEMA_VERSION), LOWER)
    assert whole.problems
    if name in UNREADABLE:
        assert streamed is None
        return
    assert streamed is not None
    assert [str(p) for p in streamed.problems] == [str(p) for p in whole.problems]
    assert streamed.counts == whole.counts
    assert streamed.catalogue == whole.catalogue


def test_a_store_in_another_layout_is_read_whole(tmp_path):
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"schema_version": 1, "actors": ACTORS, "sites": SITES, "events": SAMPLE_EVENTS}))
    with pytest.raises(NotLineLayout):
        list(store_lines(path, SCHEMA_VERSION))


def test_validate_reports_a_broken_store_as_before(tmp_path):
    path = tmp_path / "store.json"
    path.write_text(BROKEN["unknown references"], encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--json", "--db", str(path)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"file": str(path), "where": "event 1", "field": field, "message": message}
        for field, message in (
            ("actors", "no actor with id 'nobody' (neither in your data nor in this file)"),
            ("site", "no site with id 'nowhere' (neither in your data nor in this file)"),
            ("origin", "no site with id 'us' (neither in your data nor in this file)"),
        )
    ]


def test_the_bundled_dataset_is_valid_line_by_line():
    checked = check_store_lines(store_lines(paths.bundled_path(), SCHEMA_VERSION), None)
    assert checked is not None and checked.problems == [] and checked.counts["event"] > 100


# --- export -----------------------------------------------------------------------

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks"
EXPORTS = [["-f", "json"], ["-f", "jsonl"], ["-f", "csv"], ["-f", "geojson"], ["-f", "geojson", "--nested"],
           ["-f", "markdown"]]  # fmt: skip
HOSTILE = "red \x1b[31m, bell \x07, C1 \x9b, bidi \u202e, zero width \u200b, DEL \x7f, CR \r and CRLF \r\n"


def _stores(tmp_path: Path) -> list[tuple[Path, Path]]:
    """Pairs of one store in the line layout (streamed) and the same records in another layout (read whole)."""
    sys.path.insert(0, str(GENERATOR))
    try:
        import generate
    finally:
        sys.path.remove(str(GENERATOR))
    generated = generate.write_store(tmp_path / "generated.json", 300)
    hostile = tmp_path / "hostile.json"
    hostile.write_text(_layout([
        event("z-late", "2026-02-01", summary="Late " + HOSTILE, actors=["us"], site="qasrak"),
        event("a-early", "2016", summary="Early " + HOSTILE, tags=["x" + HOSTILE]),
        *SAMPLE_EVENTS,
    ]), encoding="utf-8")  # fmt: skip
    pairs = []
    for streamed in (paths.bundled_path(), generated, hostile):
        whole = tmp_path / f"whole-{streamed.name}"
        whole.write_text(json.dumps(json.loads(streamed.read_bytes()), indent=1, ensure_ascii=False))
        pairs.append((streamed, whole))
    return pairs


def test_a_whole_store_export_streams_the_bytes_reading_it_whole_gives(tmp_path, monkeypatch):
    from syriabrief.storage import index
    from syriabrief.storage.engine import SqlDataset

    opened: list = []
    streamed_by_engine = SqlDataset.stream

    def recording(self, where=None):
        opened.append(where)
        return streamed_by_engine(self, where)

    monkeypatch.setattr(SqlDataset, "stream", recording)
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 550_000)  # with the bundled layer: the generated store through an index file, the others in memory
    runner = CliRunner()
    for streamed, whole in _stores(tmp_path):
        for args in EXPORTS:
            for target in (None, tmp_path / "out"):
                output = ["-o", str(target)] if target else []
                results = [runner.invoke(app, ["export", "--db", str(db), *args, *output]) for db in (streamed, whole)]
                assert [r.exit_code for r in results] == [0, 0], results[1].stderr
                texts = [target.read_bytes() if target else r.stdout_bytes for r in results]
                assert texts[0] == texts[1], (streamed.name, args)
                assert b"\x1b" not in texts[0] and "\u202e".encode() not in texts[0]
    # Every export was read from the engine a page at a time, none selected whole.
    assert len(opened) == 3 * len(EXPORTS) * 2 * 2


def test_an_upper_layer_replaces_events_in_a_streamed_export(tmp_path, monkeypatch):
    lower = tmp_path / "lower.json"
    lower.write_text(_layout(SAMPLE_EVENTS), encoding="utf-8")
    upper = tmp_path / "upper.json"
    changed = {**SAMPLE_EVENTS[0], "date": "2026-03-01", "date_precision": "day", "summary": "Moved to the end."}
    upper.write_text(_layout([changed, event("0-new", "2010")], actors=[], sites=[]), encoding="utf-8")
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(lower))
    result = CliRunner().invoke(app, ["export", "--db", str(upper), "-f", "jsonl"])
    assert result.exit_code == 0, result.stderr
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["0-new", "2026-01-sdf-loses-ground", "2026-01-20-russia-leaves-qamishli",
                   "2026-02-11-us-leaves-tanf", "2026-02-21-qasrak-evacuation", "2016-us-at-tanf"]  # fmt: skip
    assert json.loads(result.stdout.splitlines()[-1])["summary"] == "Moved to the end."


def test_a_damaged_record_stops_a_streamed_export_and_leaves_the_file_as_it_was(tmp_path):
    store = tmp_path / "store.json"
    store.write_text(_layout([*SAMPLE_EVENTS, event("bad", "2026-01-05", type="nonsense")]), encoding="utf-8")
    target = tmp_path / "out.csv"
    target.write_text("before")
    result = CliRunner().invoke(app, ["export", "--db", str(store), "-f", "csv", "-o", str(target)])
    assert result.exit_code == 1
    assert "is not a valid store" in result.stderr and "Traceback" not in result.stderr
    assert target.read_text() == "before"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_markdown_export_writes_its_overview_before_it_has_read_its_events(tmp_path):
    """The overview at its top comes from the engine's summary: the events are read as they are written."""
    from syriabrief.domain.dataset import summarize_events
    from syriabrief.formats.export import Written, event_chunks
    from syriabrief.storage.store import load_plain

    sys.path.insert(0, str(GENERATOR))
    try:
        import generate
    finally:
        sys.path.remove(str(GENERATOR))
    data = load_plain([generate.write_store(tmp_path / "generated.json", 1500)])
    events = data.select()
    read = []

    def reading():
        for one in events:
            read.append(one.id)
            yield one

    summary = summarize_events(events)
    chunks = event_chunks("markdown", reading(), data, Written(), title="All", overview=lambda: (summary, "An overview."))
    first = next(chunks)
    assert "**Events:** 1500" in first and "An overview." in first
    assert len(read) < len(events) / 2  # written as read, not held
    assert "".join([first, *chunks]).count("\n## ") == len(events) + 1  # every event, and the sources
