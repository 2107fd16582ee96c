"""The one-record-per-line layout: reading parts of a store and appending events to it."""

import io
import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conftest import ACTORS, SAMPLE_EVENTS, SITES, event, write_store
from strategies import event_json, unique_by_id
from syriabrief.domain.model import Event
from syriabrief.storage import storefile
from syriabrief.storage.store import Changes, InvalidChangesError, apply_changes, load_catalogue, read_store
from syriabrief.storage.storefile import (
    LineReader,
    NotLineLayout,
    dump_store,
    is_unchanged,
    parse_layout,
    read_appended,
    read_catalogue_lines,
    record_line,
    scan_store,
)


def layout(events, actors=ACTORS, sites=SITES) -> dict:
    return {"schema_version": 1, "actors": actors, "sites": sites, "events": events}


@given(st.lists(event_json(), max_size=6).map(unique_by_id), st.lists(event_json(), max_size=3).map(unique_by_id))
def test_appending_gives_the_bytes_a_full_rewrite_would(old, new):
    new = [e for e in new if e["id"] not in {o["id"] for o in old}]
    parsed = parse_layout(dump_store(layout(old)).encode("utf-8"))
    if any(record_line(e).count('"id"') > 1 for e in old):
        assert parsed is None  # a line that spells "id" twice is not read by its first id
        return
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


# --- append points: the index takes in what an append added, and nothing else ------


def point_of(data: bytes):
    reader = LineReader(io.BytesIO(data), digest=True)
    rows = list(reader.records())
    return reader.point, rows


@given(st.lists(event_json(), max_size=5).map(unique_by_id), st.lists(event_json(), min_size=1, max_size=3).map(unique_by_id))
def test_what_an_append_added_is_read_back_from_the_point_taken_before(old, new):
    new = [e for e in new if e["id"] not in {o["id"] for o in old}]
    before = dump_store(layout(old)).encode("utf-8")
    point, rows = point_of(before)
    assert [json.loads(body) for table, _, body in rows if table == "events"] == old
    assert [before[offset : offset + len(body)] for _, offset, body in rows] == [body for _, _, body in rows]
    assert is_unchanged(io.BytesIO(before), point)
    parsed = parse_layout(before)
    # A line that spells "id" twice (a tag "id") is left to the full decoder: never misread, only slower.
    assume(parsed is not None)
    after = parsed.with_events(new)
    if not new:
        assert after == before
        return
    lines, moved = read_appended(io.BytesIO(after), point, 10**6)
    assert [json.loads(body) for _, body in lines] == new
    assert [after[offset : offset + len(body)] for offset, body in lines] == [body for _, body in lines]
    # The new point is the one a full read of the new file takes.
    assert moved == point_of(after)[0] and not is_unchanged(io.BytesIO(after), point)


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace('"summary": "', '"summary": "!', 1),  # an event changed, then one added
        lambda text: text.replace(json.dumps(ACTORS[0]["name"]), json.dumps(ACTORS[0]["name"] + "!"), 1),  # an actor
        lambda text: text.replace("},\n{", "},\n{", 1) + " ",  # bytes after the end
        lambda text: text[: -len("\n]\n}\n")] + ",\n{broken\n]\n}\n",  # not one record per line
        lambda text: text[: -len("\n]\n}\n")] + ",\n" + record_line(SAMPLE_EVENTS[0]) + "\n]\n}\n",
    ],
)
def test_anything_but_lines_added_at_the_point_is_not_taken_for_an_append(change):
    before = dump_store(layout(SAMPLE_EVENTS[:3])).encode("utf-8")
    point, _ = point_of(before)
    added = parse_layout(before).with_events([SAMPLE_EVENTS[3]]).decode("utf-8")
    changed = change(added).encode("utf-8")
    result = read_appended(io.BytesIO(changed), point, 10**6)
    if changed.startswith(before[: point.insert_at]) and changed.endswith(b"}\n]\n}\n") and b"{broken" not in changed:
        # Lines really added at the point (the last case): taken in; whether the ids are new is the index's business.
        assert [body for _, body in result[0]][-1] == record_line(SAMPLE_EVENTS[0]).encode()
    else:
        assert result is None


def test_an_added_id_is_found_without_reading_every_event_and_any_doubt_reads_them(tmp_path):
    events = [dict(e) for e in SAMPLE_EVENTS]
    events[1]["summary"] = 'Reports called it "quoted-one", in quotes.'
    events[1]["tags"] = ["new-one"]  # a string equal to an id about to be added
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(events)), encoding="utf-8")
    with open(path, "rb") as handle:
        scan = scan_store(handle)
        assert scan._ids is None
        assert scan.held(["brand-new"]) == set() and scan._ids is None  # looked for, not read
        assert scan.held(["quoted-one"]) == set() and scan._ids is None  # escaped quotes end no string
        assert scan.held(["new-one"]) == set() and scan._ids is not None  # quoted in a summary: read them all
        assert scan.held([events[2]["id"], "brand-new"]) == {events[2]["id"]}
    # An id spelled with an escape is an id all the same: the add replaces that event, never doubles it.
    event_id = "0" + events[0]["id"]
    escaped = dump_store(layout(events)).replace(f'{{"id": "{events[0]["id"]}"', f'{{"id": "\\u0030{events[0]["id"]}"')
    path.write_text(escaped, encoding="utf-8")
    with open(path, "rb") as handle, pytest.raises(NotLineLayout):
        scan_store(handle).held([event_id])
    report = apply_changes(path, Changes(events=[Event.from_json(event(event_id, "2026"))]), beneath=[])
    assert report.updated["events"] == [event_id] and not report.added["events"]
    assert [e.id for e in read_store(path).events].count(event_id) == 1


def test_a_line_with_a_second_id_makes_the_add_read_the_store_whole(tmp_path):
    events = [dict(e) for e in SAMPLE_EVENTS]
    events[0]["tags"] = ["id"]
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(events)), encoding="utf-8")
    report = apply_changes(path, Changes(events=[Event.from_json(event("brand-new", "2026"))]), beneath=[])
    assert report.added["events"] == ["brand-new"]
    assert [e.id for e in read_store(path).events] == [e["id"] for e in events] + ["brand-new"]


def test_an_add_reads_the_store_in_blocks_and_copies_it_without_holding_it(tmp_path, monkeypatch):
    monkeypatch.setattr(storefile, "_CHUNK", 64)  # blocks of 512 bytes
    path = tmp_path / "s.json"
    path.write_text(dump_store(layout(SAMPLE_EVENTS[:3])), encoding="utf-8")
    reads = []

    class Counting(io.BufferedReader):
        def read(self, size=-1):
            data = super().read(size)
            reads.append(len(data))
            return data

    with Counting(io.FileIO(path)) as handle, open(tmp_path / "out.json", "wb") as out:
        scan = scan_store(handle)
        assert scan.held([SAMPLE_EVENTS[3]["id"]]) == set()
        storefile.write_appended(scan, out, events=SAMPLE_EVENTS[3:])
    assert reads and max(reads) <= 8 * 64 and sum(reads) < 2 * path.stat().st_size
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == dump_store(layout(SAMPLE_EVENTS))


# --- the events of one date, found as text (what `add` compares a new event with) -----------


def test_the_events_of_a_date_are_found_as_text_and_later_layers_win(tmp_path):
    from syriabrief.storage.store import events_dated

    bottom = tmp_path / "bottom.json"
    bottom.write_text(dump_store(layout([event("kept", "2026-03-01"), event("moved", "2026-03-01"),
                                         event("other-day", "2026-03-02")])), encoding="utf-8")  # fmt: skip
    top = tmp_path / "top.json"
    # The top layer replaces "moved" with another date, and adds an event of the date.
    top.write_text(dump_store(layout([event("moved", "2026-04-01"), event("mine", "2026-03-01"),
                                      event("month", "2026-03")])), encoding="utf-8")  # fmt: skip
    assert sorted(e.id for e in events_dated([bottom, top], "2026-03-01")) == ["kept", "mine"]
    assert [e.id for e in events_dated([bottom, top], "2026-03")] == ["month"]
    assert events_dated([bottom, top, tmp_path / "missing.json"], "2025-01-01") == []


def test_the_events_of_a_date_are_read_whole_when_the_text_leaves_a_doubt(tmp_path):
    from syriabrief.storage.store import events_dated

    escaped = tmp_path / "escaped.json"  # a \u escape could spell the date another way
    text = dump_store(layout([event("a", "2026-03-01", summary="caf\u00e9"), event("b", "2026-03-02")]))
    escaped.write_text(text.replace("caf\u00e9", "caf\\u00e9").replace('"date": "2026-03-02"', '"date": "2026-03-0\\u0032"'),
                       encoding="utf-8")  # fmt: skip
    assert sorted(e.id for e in events_dated([escaped], "2026-03-02")) == ["b"]
    pretty = write_store(tmp_path / "pretty.json", [event("c", "2026-03-01")])  # not the line layout
    assert [e.id for e in events_dated([pretty], "2026-03-01")] == ["c"]
    assert storefile.lines_dated(scan_store(io.BytesIO(escaped.read_bytes())), "2026-03-02") is None
