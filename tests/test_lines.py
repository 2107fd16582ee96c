"""The one-record-per-line layout: reading parts of a store and appending events to it."""

import json

import pytest
from conftest import ACTORS, SAMPLE_EVENTS, SITES, event, write_store
from hypothesis import given
from hypothesis import strategies as st
from strategies import event_json, unique_by_id

from syriabrief.storage.storefile import dump_store, parse_layout, read_catalogue_lines
from syriabrief.domain.model import Event
from syriabrief.storage.store import Changes, InvalidChangesError, apply_changes, load_catalogue, read_store


def layout(events, actors=ACTORS, sites=SITES) -> dict:
    return {"schema_version": 1, "actors": actors, "sites": sites, "events": events}


@given(st.lists(event_json(), max_size=6).map(unique_by_id), st.lists(event_json(), max_size=3).map(unique_by_id))
def test_appending_gives_the_bytes_a_full_rewrite_would(old, new):
    new = [e for e in new if e["id"] not in {o["id"] for o in old}]
    parsed = parse_layout(dump_store(layout(old)).encode("utf-8"))
    assert parsed is not None and parsed.event_ids == [e["id"] for e in old]
    assert parsed.actors == ACTORS and parsed.sites == SITES
    assert parsed.with_events(new) == dump_store(layout(old + new)).encode("utf-8")


@pytest.mark.parametrize("actors, sites", [([], []), (ACTORS, []), ([], SITES)])
def test_empty_tables_parse_too(actors, sites):
    text = dump_store(layout([], actors, sites)).encode("utf-8")
    parsed = parse_layout(text)
    assert (parsed.actors, parsed.sites, parsed.event_ids) == (actors, sites, [])
    assert parsed.with_events([SAMPLE_EVENTS[0]]) == dump_store(layout([SAMPLE_EVENTS[0]], actors, sites)).encode()


@pytest.mark.parametrize(
    "text",
    [
        json.dumps(layout(SAMPLE_EVENTS), indent=2),  # hand-formatted
        json.dumps(layout(SAMPLE_EVENTS)),  # one line
        dump_store(layout(SAMPLE_EVENTS)).replace('{"id": "2016', '{"date": "2016", "id": "2016', 1),
        dump_store(layout(SAMPLE_EVENTS)).rstrip("\n"),
        dump_store(layout(SAMPLE_EVENTS)).replace("},\n{", "}\n{", 1),
    ],
)
def test_other_layouts_are_not_taken_for_it(text):
    assert parse_layout(text.encode("utf-8")) is None


def test_the_catalogue_is_read_without_the_events(tmp_path):
    path = write_store(tmp_path / "s.json", [])
    path.write_text(dump_store(layout(SAMPLE_EVENTS)).replace('{"id": "2016-us', '{"id": BROKEN', 1))
    version, actors, sites = read_catalogue_lines(path)
    assert (version, actors, sites) == (1, ACTORS, SITES)
    assert set(load_catalogue([path]).actors) == {a["id"] for a in ACTORS}


def test_an_append_checks_what_it_adds_and_changes_nothing_when_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(SAMPLE_EVENTS)), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InvalidChangesError, match="no actor with id 'nobody'"):
        apply_changes(path, Changes(events=[Event.from_json(event("x", "2026", actors=["nobody"]))]), beneath=[])
    with pytest.raises(InvalidChangesError, match="has no month 13"):
        apply_changes(path, Changes(events=[Event.from_json(event("x", "2026-13"))]), beneath=[])
    with pytest.raises(InvalidChangesError, match="is used by an earlier event"):
        apply_changes(path, Changes(events=[Event.from_json(event("x", "2026"))] * 2), beneath=[])
    assert path.read_bytes() == before


def test_an_append_is_the_same_store_a_rewrite_gives(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(SAMPLE_EVENTS[:2])), encoding="utf-8")
    report = apply_changes(path, Changes(events=[Event.from_json(e) for e in SAMPLE_EVENTS[2:]]), beneath=[])
    assert report.added["events"] == [e["id"] for e in SAMPLE_EVENTS[2:]]
    assert path.read_text(encoding="utf-8") == dump_store(layout(SAMPLE_EVENTS))
    assert [e.to_json() for e in read_store(path).events] == SAMPLE_EVENTS
    assert (tmp_path / "s.json.bak").read_text() == dump_store(layout(SAMPLE_EVENTS[:2]))


def test_a_changed_event_still_rewrites_the_whole_store(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(SAMPLE_EVENTS)), encoding="utf-8")
    changed = dict(SAMPLE_EVENTS[0], summary="Changed.")
    report = apply_changes(path, Changes(events=[Event.from_json(changed)]), beneath=[])
    assert report.updated["events"] == [changed["id"]]
    assert read_store(path).events[0].summary == "Changed."
