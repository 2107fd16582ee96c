"""validate and export read a store line by line: the same problems and the same bytes as reading it whole."""

from __future__ import annotations

import json

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
