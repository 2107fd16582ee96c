import json

import pytest

from conftest import SAMPLE_EVENTS, event, store_json, write_store
from syriabrief.errors import StoreError
from syriabrief.storage.loading import load_dataset
from syriabrief.storage.paths import bundled_path
from syriabrief.storage.store import read_store


def test_a_store_reads_as_model_objects(sample_store):
    contents = read_store(sample_store)
    assert [e.id for e in contents.events] == [e["id"] for e in SAMPLE_EVENTS]
    assert contents.events[0].to_json() == SAMPLE_EVENTS[0]


def test_later_layers_win_on_equal_ids(tmp_path, sample_store):
    changed = event("2016-us-at-tanf", "2016", "deployment", summary="Replaced.")
    user = write_store(tmp_path / "user.json", [changed, event("new", "2026-03")], actors=[], sites=[])
    data = load_dataset([sample_store, user])
    by_id = {e.id: e for e in data.select()}
    assert by_id["2016-us-at-tanf"].summary == "Replaced."
    assert "new" in by_id and len(data.select()) == len(SAMPLE_EVENTS) + 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "is not valid JSON (line 1, column 2"),
        (b"[]", "is not a syriabrief store"),
        (b'{"events": []}', "no schema_version"),
        (b'{"schema_version": 7, "events": []}', "newer than this syriabrief"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_broken_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message.replace("(", r"\(")):
        read_store(path)
    assert path.read_bytes() == content  # never rewritten


def test_a_missing_store_is_an_error_and_is_not_created(tmp_path):
    path = tmp_path / "nothing.json"
    with pytest.raises(StoreError, match="no store at"):
        read_store(path)
    assert not path.exists()


def test_invalid_records_point_to_validate(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(store_json([event("a", "2026-99")])))
    with pytest.raises(StoreError, match=r"event 1 \(a\): date: .* Run 'syriabrief validate"):
        read_store(path)


def test_dangling_references_are_refused(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026", actors=["nobody"])])
    with pytest.raises(StoreError, match="no actor with id 'nobody'"):
        load_dataset([path])


def test_the_bundled_dataset_is_found():
    assert bundled_path().is_file()


def test_records_that_are_not_objects_are_a_store_error_not_a_crash(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": 1, "events": [1, [[[]]], null], "actors": [], "sites": []}')
    with pytest.raises(StoreError, match=r"event 1: must be a JSON object, not a number \(and 2 more problems\)"):
        read_store(path)


def test_an_integer_too_long_to_read_is_a_store_error(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": 1, "events": [' + "1" * 5000 + "]}")
    with pytest.raises(StoreError, match="is not a valid store"):
        read_store(path)
