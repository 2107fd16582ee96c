"""The write path: lock, fresh read, whole-state check, atomic replace, backup, clean-up, migration."""

import errno
import json
import os
import threading

import pytest

from conftest import ACTORS, SITES, event, store_json, write_store
from syriabrief.domain.model import Actor, Event, Site
from syriabrief.errors import StoreError
from syriabrief.storage import paths, store
from syriabrief.storage.paths import backup_path, lock_path
from syriabrief.storage.store import (
    Changes,
    InvalidChangesError,
    apply_changes,
    read_store,
    summarise_store,
    update_store,
)


def events(*records):
    return [Event.from_json(r) for r in records]


def base(tmp_path):
    """A store of actors and sites to write events over, as the bundled dataset would be."""
    return write_store(tmp_path / "base.json", [])


def temp_files(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_the_first_write_creates_the_store_and_its_directory(tmp_path):
    path = tmp_path / "new" / "dir" / "store.json"
    report = apply_changes(path, Changes(events=events(event("a", "2026-03-01", actors=["us"]))),
                           beneath=[base(tmp_path)])
    assert report.added["events"] == ["a"]
    assert [e.id for e in read_store(path).events] == ["a"]
    assert lock_path(path).exists()
    assert not backup_path(path).exists()  # there was no previous generation
    assert temp_files(path.parent) == []


def test_the_file_is_written_one_record_per_line(tmp_path):
    path = tmp_path / "s.json"
    apply_changes(path, Changes([Actor.from_json(a) for a in ACTORS], [Site.from_json(s) for s in SITES]))
    text = path.read_text()
    assert json.loads(text)["schema_version"] == 1
    assert len(text.splitlines()) == len(ACTORS) + len(SITES) + 8


def test_writing_the_same_records_again_changes_nothing_on_disk(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    report = apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert report.unchanged["events"] == ["a"] and not report.added["events"]
    assert path.read_bytes() == before
    assert not backup_path(path).exists()


def test_an_update_is_reported_and_the_previous_generation_kept(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    first = path.read_bytes()
    report = apply_changes(path, Changes(events=events(event("a", "2026", summary="Changed."))))
    assert report.updated["events"] == ["a"]
    assert read_store(path).events[0].summary == "Changed."
    assert backup_path(path).read_bytes() == first
    second = path.read_bytes()
    apply_changes(path, Changes(events=events(event("b", "2026"))))
    assert backup_path(path).read_bytes() == second  # one generation back, not the first


def test_invalid_records_are_refused_with_every_problem_and_the_file_untouched(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    bad = [Event.from_json(event("b", "2026-13")), Event.from_json(event("c", "2026", type="picnic"))]
    with pytest.raises(InvalidChangesError) as caught:
        apply_changes(path, Changes(events=bad))
    assert len(caught.value.problems) == 2
    assert "event 2 (b): date" in str(caught.value) and "event 3 (c): type" in str(caught.value)
    assert "was not changed" in str(caught.value)
    assert path.read_bytes() == before
    assert temp_files(tmp_path) == [] and not backup_path(path).exists()


def test_references_may_point_into_the_layers_beneath(tmp_path):
    path = tmp_path / "user.json"
    apply_changes(path, Changes(events=events(event("a", "2026", actors=["sdf"], site="qasrak"))),
                  beneath=[base(tmp_path)])
    with pytest.raises(InvalidChangesError, match="no actor with id 'nobody'"):
        apply_changes(path, Changes(events=events(event("b", "2026", actors=["nobody"]))),
                      beneath=[base(tmp_path)])
    with pytest.raises(InvalidChangesError, match="no site with id 'qasrak'"):
        apply_changes(tmp_path / "other.json", Changes(events=events(event("c", "2026", site="qasrak"))),
                      beneath=[])


def test_the_layers_beneath_are_what_the_caller_names_and_the_bundled_dataset_by_default(tmp_path, monkeypatch):
    # The library never reads SYRIABRIEF_BUNDLED itself: the CLI resolves it once (storage.paths).
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", "none")
    apply_changes(tmp_path / "user.json", Changes(events=events(event("a", "2026", actors=["us"]))))
    apply_changes(tmp_path / "user2.json", Changes(events=events(event("a", "2026", actors=["us"]))), beneath=[base(tmp_path)])
    with pytest.raises(InvalidChangesError):
        apply_changes(tmp_path / "user3.json", Changes(events=events(event("a", "2026", actors=["us"]))), beneath=[])


def test_a_dry_run_creates_nothing(tmp_path):
    path = tmp_path / "dir" / "s.json"
    report = apply_changes(path, Changes(events=events(event("a", "2026"))), dry_run=True)
    assert report.added["events"] == ["a"]
    assert not (tmp_path / "dir").exists()
    with pytest.raises(InvalidChangesError):
        apply_changes(path, Changes(events=events(event("a", "20"))), dry_run=True)


def test_the_bundled_dataset_is_never_written():
    with pytest.raises(StoreError, match="bundled dataset, which syriabrief never writes"):
        apply_changes(paths.bundled_path(), Changes(events=events(event("a", "2026"))))


def test_the_plan_sees_the_store_as_it_is_when_locked(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    seen = []

    def plan(current):
        seen.append(list(current.events))
        return Changes(events=events(event(f"n{len(current.events)}", "2026")))

    update_store(path, plan)
    update_store(path, plan)
    assert seen == [["a"], ["a", "n1"]]


def test_leftover_temporary_files_are_removed_by_the_next_write(tmp_path):
    path = write_store(tmp_path / "s.json", [])
    (tmp_path / ".s.json.0badc0ffee00.tmp").write_text('{"half": ')
    (tmp_path / ".other.json.1.tmp").write_text("not ours")
    (tmp_path / "notes.tmp").write_text("not ours")
    apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert temp_files(tmp_path) == [".other.json.1.tmp", "notes.tmp"]


def test_a_writer_killed_after_keeping_its_backup_leaves_nothing_behind(tmp_path):
    # The backup is then a second link to the store itself; the next write must
    # still keep the right generation and leave no temporary file.
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    os.link(path, backup_path(path))
    apply_changes(path, Changes(events=events(event("b", "2026"))))
    assert backup_path(path).read_bytes() == before
    assert temp_files(tmp_path) == []


def test_a_write_waits_for_the_lock_and_gives_up_with_a_clear_error(tmp_path, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    path = write_store(tmp_path / "s.json", [])
    holder = os.open(lock_path(path), os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another open file description: conflicts even in-process
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
    with pytest.raises(StoreError, match="being written by another process"):
        apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert read_store(path).events == []
    # Released while a writer waits: the writer goes ahead.
    monkeypatch.setattr(store, "LOCK_TIMEOUT", 30)
    threading.Timer(0.1, lambda: os.close(holder)).start()
    apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert [e.id for e in read_store(path).events] == ["a"]


def test_the_permissions_of_the_store_are_kept(tmp_path):
    path = write_store(tmp_path / "s.json", [])
    os.chmod(path, 0o640)
    apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert os.stat(path).st_mode & 0o777 == 0o640


# --- failures while writing -----------------------------------------------------


def failing(error_number, after_calls=0):
    calls = []
    original_write = os.write

    def fake(fd, data):
        calls.append(len(data))
        if len(calls) > after_calls:
            raise OSError(error_number, os.strerror(error_number))
        return original_write(fd, data[: max(1, len(data) // 2)])  # a short write first

    return fake


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_gives_one_clear_line_and_keeps_the_old_store(tmp_path, monkeypatch, where):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    if where == "write":
        monkeypatch.setattr(store.os, "write", failing(errno.ENOSPC, after_calls=1))
    else:
        def no_space(fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        monkeypatch.setattr(store.os, "fsync", no_space)
    with pytest.raises(StoreError) as caught:
        apply_changes(path, Changes(events=events(event("b", "2026"))))
    monkeypatch.undo()
    message = str(caught.value)
    assert message == f"cannot write {path}: the disk is full; the store was not changed"
    assert path.read_bytes() == before
    assert temp_files(tmp_path) == []


def test_a_read_only_filesystem_gives_one_clear_line(tmp_path, monkeypatch):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    real_open = os.open

    def read_only(name, flags, *args, **kwargs):
        if flags & os.O_CREAT and str(name).endswith(".tmp"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(store.os, "open", read_only)
    with pytest.raises(StoreError, match=r"cannot write .*s\.json: the filesystem is read-only \(.*\.tmp\); "
                                         r"the store was not changed$"):
        apply_changes(path, Changes(events=events(event("b", "2026"))))
    monkeypatch.undo()
    assert path.read_bytes() == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user")
def test_a_read_only_directory_gives_one_clear_line(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    before = path.read_bytes()
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(StoreError, match="permission denied.*the store was not changed"):
            apply_changes(path, Changes(events=events(event("b", "2026"))))
    finally:
        os.chmod(tmp_path, 0o755)
    assert path.read_bytes() == before


# --- layout versions ------------------------------------------------------------


def tinydb_layout(records):
    """A version-0 store: TinyDB's own document tables, no schema_version."""
    return {"_default": {}, **{table: {str(n): r for n, r in enumerate(rows, 1)} for table, rows in records.items()}}


def test_a_version_0_store_is_read_and_migrated_on_the_next_write_with_a_backup(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(tinydb_layout({"actors": ACTORS, "sites": SITES,
                                              "events": [event("a", "2026", actors=["us"])]})))
    old = path.read_bytes()
    assert [e.id for e in read_store(path).events] == ["a"]
    assert path.read_bytes() == old  # reading never rewrites
    assert summarise_store(path).schema_version == 0
    apply_changes(path, Changes(events=events(event("b", "2026"))))
    assert json.loads(path.read_text())["schema_version"] == 1
    assert [e.id for e in read_store(path).events] == ["a", "b"]
    kept = tmp_path / "old.json.v0.bak"
    assert kept.read_bytes() == old
    apply_changes(path, Changes(events=events(event("c", "2026"))))
    assert kept.read_bytes() == old  # the pre-migration copy is never overwritten


def test_a_version_0_store_is_migrated_even_by_a_write_that_changes_nothing(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(tinydb_layout({"events": [event("a", "2026")]})))
    report = apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert report.unchanged["events"] == ["a"]
    assert summarise_store(path).schema_version == 1


@pytest.mark.parametrize("content", [
    {"_default": {"1": {"id": "x"}}},  # TinyDB records of no known kind
    {"events": {"first": event("a", "2026")}},  # not TinyDB document ids
    {"events": {"1": event("a", "2026")}, "notes": {}},
])
def test_other_tinydb_like_files_are_not_stores(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(content))
    with pytest.raises(StoreError):
        read_store(path)
    with pytest.raises(StoreError):
        apply_changes(path, Changes(events=events(event("b", "2026"))))
    assert json.loads(path.read_text()) == content


def test_a_newer_store_is_refused_for_writing_and_untouched(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**store_json([]), "schema_version": 99}))
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer than this syriabrief"):
        apply_changes(path, Changes(events=events(event("a", "2026"))))
    assert path.read_bytes() == before


def test_a_summary_counts_each_kind(tmp_path):
    path = write_store(tmp_path / "s.json", [event("a", "2026")])
    summary = summarise_store(path)
    assert (summary.exists, summary.actors, summary.sites, summary.events) == (True, 4, 5, 1)
    assert summarise_store(tmp_path / "none.json").exists is False


def test_adding_an_actor_or_site_copies_the_events_without_decoding_them(tmp_path, monkeypatch):
    from syriabrief.storage.storefile import dump_store

    path = tmp_path / "store.json"
    path.write_text(dump_store(store_json([event(f"e{n}", "2026-01-15", actors=["us"]) for n in range(50)])),
                    encoding="utf-8")  # fmt: skip
    lines = [line for line in path.read_bytes().splitlines() if b'"date": ' in line]

    def no_decoding(*_):
        raise AssertionError("an event was decoded")

    monkeypatch.setattr(Event, "from_json", no_decoding)
    report = apply_changes(path, Changes(actors=[Actor("jordan", "Jordanian Armed Forces", kind="state_armed_force")],
                                         sites=[Site("tower-22", "Tower 22", kind="base", parent="qasrak")]),
                           beneath=[])  # fmt: skip
    assert report.added == {"actors": ["jordan"], "sites": ["tower-22"], "events": []}
    monkeypatch.undo()
    after = read_store(path)
    assert [a.id for a in after.actors][-1] == "jordan" and [s.id for s in after.sites][-1] == "tower-22"
    assert [line for line in path.read_bytes().splitlines() if b'"date": ' in line] == lines and len(lines) == 50
    # A name another actor has, or a parent no site has, is refused as on the full path.
    with pytest.raises(InvalidChangesError, match="already names"):
        apply_changes(path, Changes(actors=[Actor("jaf", "Jordanian Armed Forces")]), beneath=[])
    with pytest.raises(InvalidChangesError, match="nowhere"):
        apply_changes(path, Changes(sites=[Site("t", "T", parent="nowhere")]), beneath=[])
