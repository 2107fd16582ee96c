"""What a store path may be, and the guards of issue 12 on the store file layer.

A store is a regular file (or a symbolic link to one, written through to its
target); anything else given as a store (a directory, a named pipe, an endless
device, a file past the size cap) is refused with one line, never read forever.
Names of actors and sites are checked under the write lock. Version-0 stores
read everywhere alike. A damaged store's error names its backup and the command
that restores it. Real processes where the defect needs them (link and target
writers, a FIFO, /dev/zero, concurrent adds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, event, write_store
from syriabrief.cli import app
from syriabrief.errors import StoreError
from syriabrief.storage import storefile
from syriabrief.storage.store import read_store

WORKER = Path(__file__).with_name("fault_worker.py")
posix_only = pytest.mark.skipif(os.name != "posix", reason="symbolic links, named pipes and flock are POSIX here")
ADD_ACTOR = ["add", "actor", "--name", "Dup Name"]
# The same report each time: --force, as these tests are about the file, not about duplicates.
ADD_EVENT = ["add", "--date", "2026-03-01", "--type", "withdrawal", "--actor", "US", "--summary", "A report.",
             "--source-outlet", "Reuters", "--force"]  # fmt: skip


@pytest.fixture(autouse=True)
def base(tmp_path, monkeypatch):
    """The layer beneath every store here (as the bundled dataset would be): actors and sites."""
    path = write_store(tmp_path / "base.json", [])
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(path))
    return path


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def run_process(*args: str, timeout: float = 60, env: dict | None = None, preexec_fn=None):
    """The real CLI in its own process (with a timeout: a hang fails the test, never blocks it)."""
    return subprocess.run([sys.executable, "-m", "syriabrief", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, env={**os.environ, **(env or {})},
                          preexec_fn=preexec_fn)  # fmt: skip


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


# --- defect 4: a symlinked store ----------------------------------------------------


@posix_only
def test_a_write_through_a_symbolic_link_updates_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = write_store(tmp_path / "real" / "store.json", [])
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for n in (1, 2):
        added = run(*ADD_EVENT, "--id", f"report-{n}", "--db", str(link))
        assert added.exit_code == 0, added.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert [e.id for e in read_store(target).events] == ["report-1", "report-2"]
    # The backup and the lock are the target's; nothing is made beside the link.
    assert [e.id for e in read_store(tmp_path / "real" / "store.json.bak").events] == ["report-1"]
    assert not (tmp_path / "real" / "store.json.bak").is_symlink()
    assert (tmp_path / "real" / "store.json.lock").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "link.json", "real"]


@posix_only
def test_writers_through_a_link_and_through_its_target_exclude_each_other(tmp_path, base):
    target, link, go = tmp_path / "store.json", tmp_path / "link.json", tmp_path / "go"
    write_store(target, [], actors=[], sites=[])
    link.symlink_to(target.name)
    adds = 5
    # Both ask for the same id each time: only one lock for both keeps the ids apart.
    procs = [subprocess.Popen([sys.executable, str(WORKER), "adds", str(path), str(base), str(go), str(adds), "same"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path in (link, target)]  # fmt: skip
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    acknowledged = [line for out, _ in outputs for line in out.split()]
    assert link.is_symlink()
    stored = [e.id for e in read_store(target).events]
    assert len(set(acknowledged)) == 2 * adds
    assert sorted(stored) == sorted(acknowledged)


@posix_only
def test_a_loop_of_links_and_a_link_into_no_directory_are_refused(tmp_path):
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    for command in (ADD_ACTOR, ADD_EVENT, ["timeline"], ["store"]):
        done = run(*command, "--db", str(tmp_path / "a.json"))
        assert done.exit_code == 1 and "Traceback" not in done.stderr, (command, done.stderr)
    refused = run(*ADD_ACTOR, "--db", str(tmp_path / "a.json"))
    assert one_error_line(refused.stderr).endswith("a.json is a loop of symbolic links, not a store file")
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere" / "store.json")
    done = run(*ADD_ACTOR, "--db", str(dangling))
    assert "in a directory that does not exist" in one_error_line(done.stderr)
    assert not (tmp_path / "nowhere").exists()  # a link is followed, never used to make directories


# --- defects 5, 6, 7: what is not a store file ---------------------------------------


@pytest.mark.parametrize("command", [ADD_EVENT, ADD_ACTOR, ["timeline"], ["store"], ["validate"]])
def test_a_directory_given_as_the_store_is_refused_in_one_line(tmp_path, command):
    directory = tmp_path / "a-directory"
    directory.mkdir()
    done = run(*command, "--db", str(directory))
    assert done.exit_code == 1
    assert "is a directory" in done.stderr or "cannot be read" in done.stderr
    assert "Traceback" not in done.stderr and done.exception is None or isinstance(done.exception, SystemExit)


@posix_only
@pytest.mark.parametrize("command", [["store"], ["timeline"], ["validate"], ADD_ACTOR, ADD_EVENT])
def test_a_named_pipe_given_as_the_store_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "store.json"
    os.mkfifo(fifo)
    done = run_process(*command, "--db", str(fifo), timeout=30)
    assert done.returncode == 1
    assert "is a named pipe, not a store file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@posix_only
def test_a_named_pipe_is_refused_on_the_indexed_path_too(tmp_path):
    fifo = tmp_path / "store.json"
    os.mkfifo(fifo)
    # Stores past INDEX_MIN_BYTES are read through the index: index everything, without a big file.
    script = ("import sys; import syriabrief.storage.index as index; index.INDEX_MIN_BYTES = 0; "
              "from syriabrief.cli import main; sys.argv = ['syriabrief', 'timeline', '--db', sys.argv[1]]; main()")
    done = subprocess.run([sys.executable, "-c", script, str(fifo)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30)  # fmt: skip
    assert done.returncode == 1
    assert one_error_line(done.stderr) == f"Error: {fifo} is a named pipe, not a store file (a store is a regular file)"


@posix_only
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", [["timeline"], ["store"], ["validate"], ADD_ACTOR])
def test_an_endless_file_given_as_the_store_is_refused_without_reading_it(tmp_path, command):
    import resource

    def little_memory():  # so that an unbounded read fails fast instead of eating the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = run_process(*command, "--db", "/dev/zero", timeout=60, preexec_fn=little_memory)
    assert done.returncode == 1
    assert "/dev/zero is a character device, not a store file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_a_store_past_the_size_cap_is_refused_before_it_is_read(tmp_path, monkeypatch):
    store = write_store(tmp_path / "store.json", SAMPLE_EVENTS)
    monkeypatch.setattr(storefile, "MAX_STORE_BYTES", store.stat().st_size - 1)
    with pytest.raises(StoreError, match=r"is larger than .* the most syriabrief reads as one store"):
        read_store(store)
    done = run("timeline", "--db", str(store))
    assert done.exit_code == 1 and "is larger than" in one_error_line(done.stderr)


def test_a_store_past_the_cap_in_the_line_layout_is_read_a_line_at_a_time(tmp_path, monkeypatch):
    """The cap is on reading a store whole: a million events (about 800 MB) are indexed and added to as they stream."""
    from syriabrief.storage import index

    store = write_store(tmp_path / "store.json", SAMPLE_EVENTS)
    store.write_text(storefile.dump_store(json.loads(store.read_text(encoding="utf-8"))), encoding="utf-8")
    bundled = tmp_path / "bundled.json"  # in the line layout too (the real one is read without per-record checks)
    bundled.write_text(storefile.dump_store({"schema_version": 1, "actors": [], "sites": [], "events": []}), encoding="utf-8")
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(bundled))
    monkeypatch.setattr(storefile, "MAX_STORE_BYTES", store.stat().st_size // 2)
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0)
    listed = run("timeline", "--json", "--db", str(store))
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(SAMPLE_EVENTS)
    added = run("add", "--db", str(store), "--date", "2026-03-01", "--type", "statement", "--actor", "US",
                "--summary", "A statement added to a store past the cap.", "--source-outlet", "AFP")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert "A statement added to a store past the cap." in run("timeline", "--json", "--db", str(store)).stdout
    with pytest.raises(StoreError, match="is larger than"):  # read whole, it is still refused
        read_store(store)


def test_the_cap_on_a_store_is_the_cap_on_an_import():
    from syriabrief.formats import MAX_IMPORT_BYTES

    assert storefile.MAX_STORE_BYTES == MAX_IMPORT_BYTES  # a store can always be imported, and back


# --- defect 10: names taken, under the lock -----------------------------------------


def _holding(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open (it has reached the write lock)."""
    try:
        return any(os.path.realpath(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@posix_only
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to see a process wait at the lock")
def test_concurrent_adds_of_one_name_let_exactly_one_in(tmp_path, base):
    import fcntl

    store = write_store(tmp_path / "store.json", [], actors=[], sites=[])
    lock = tmp_path / "store.json.lock"
    writers = 3
    with open(lock, "a") as held:
        # Every writer gets as far as the lock while this test holds it: whatever it
        # checked before the lock, it checked before any of the others wrote.
        fcntl.flock(held, fcntl.LOCK_EX)
        procs = [subprocess.Popen([sys.executable, "-m", "syriabrief", *ADD_ACTOR, "--db", str(store)],
                                  env={**os.environ, "SYRIABRIEF_BUNDLED": str(base)}, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(writers)]  # fmt: skip
        deadline = time.monotonic() + 60
        while not all(_holding(p.pid, lock) or p.poll() is not None for p in procs):
            assert time.monotonic() < deadline, "the writers never reached the lock"
            time.sleep(0.01)
        fcntl.flock(held, fcntl.LOCK_UN)
    outputs = [p.communicate(timeout=60) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0] + [1] * (writers - 1), outputs
    assert [a.name for a in read_store(store).actors] == ["Dup Name"]
    refused = [err for _, err in outputs if err]
    assert {one_error_line(e) for e in refused} == {
        f"Error: {store} was not changed: actor 2 (dup-name-2): name: 'Dup Name' already names the actor "
        "'Dup Name' (id dup-name); events can name it as it is, or choose another name for a new actor"
    }


def test_an_import_cannot_bring_a_name_already_taken(tmp_path):
    store = write_store(tmp_path / "store.json", [])
    before = store.read_bytes()
    incoming = tmp_path / "incoming.json"
    newcomer = {**ACTORS[0], "id": "usa", "name": "USA", "aliases": ["U.S."]}
    incoming.write_text(json.dumps({"schema_version": 1, "actors": [newcomer], "sites": [], "events": []}))
    done = run("import", str(incoming), "--db", str(store))
    assert done.exit_code == 1
    assert "'U.S.' already names the actor 'United States' (id us)" in done.stderr
    assert store.read_bytes() == before


def test_validate_reports_two_actors_of_one_name(tmp_path):
    twin = {**ACTORS[0], "id": "us-2", "aliases": []}
    store = write_store(tmp_path / "store.json", [], actors=[*ACTORS, twin])
    done = run("validate", "--db", str(store), "--json")
    assert done.exit_code == 1
    problems = json.loads(done.stdout)
    assert {(p["where"], p["field"]) for p in problems} == {("actor 1", "name"), ("actor 1", "aliases"), ("actor 5", "name")}
    assert "'United States' already names the actor 'United States' (id us-2)" in problems[0]["message"]


# --- defects 12, 13: version-0 stores -----------------------------------------------


def v0_store(path: Path, event_ids: list[str]) -> Path:
    """A store as TinyDB's own JSON storage wrote it (layout version 0)."""
    actors = {str(n): a for n, a in enumerate(ACTORS, 1)}
    events = {doc_id: event(f"event-{n}", "2026-01-0" + str(n % 9 + 1)) for n, doc_id in enumerate(event_ids, 1)}
    path.write_text(json.dumps({"_default": {}, "actors": actors, "sites": {}, "events": events}), encoding="utf-8")
    return path


@pytest.mark.parametrize("doc_id", ["²", "٣", "1" * 5000])
def test_a_version_0_store_with_odd_document_ids_never_crashes_a_reader(tmp_path, doc_id):
    store = v0_store(tmp_path / "store.json", ["1", doc_id])
    for command in (["timeline"], ["store"], ["validate"]):
        done = run(*command, "--db", str(store))
        assert done.exception is None or isinstance(done.exception, SystemExit), (command, done.exception)
        assert "Traceback" not in done.stderr
    if doc_id.isascii():  # a TinyDB id however long: read, in document order
        assert [e.id for e in read_store(store).events] == ["event-1", "event-2"]
    else:
        with pytest.raises(StoreError):
            read_store(store)


def test_validate_accepts_a_version_0_store_every_other_command_reads(tmp_path):
    store = v0_store(tmp_path / "store.json", ["2", "10"])
    assert run("timeline", "--db", str(store)).exit_code == 0
    done = run("validate", "--db", str(store))
    assert done.exit_code == 0, done.stderr
    assert "no problems" in done.stderr


# --- defect 14: the append path reads ids as JSON does ---------------------------------


def test_an_add_never_appends_an_id_that_a_repeated_id_key_holds(tmp_path):
    store = tmp_path / "store.json"
    for n in (1, 2):
        assert run(*ADD_EVENT, "--id", f"report-{n}", "--db", str(store)).exit_code == 0
    # JSON keeps the last of repeated keys: this event's id is "hidden", not "report-1".
    text = store.read_text(encoding="utf-8").replace('"tags": []}', '"tags": [], "id": "hidden"}', 1)
    store.write_text(text, encoding="utf-8")
    assert {e.id for e in read_store(store).events} == {"hidden", "report-2"}
    refused = run(*ADD_EVENT, "--id", "hidden", "--db", str(store))
    assert refused.exit_code == 1 and "'hidden' is already the id of an event" in refused.stderr
    assert run(*ADD_EVENT, "--id", "report-1", "--db", str(store)).exit_code == 0
    assert sorted(e.id for e in read_store(store).events) == ["hidden", "report-1", "report-2"]


# --- minor: a damaged store names its backup and the command that restores it ------------


def test_a_torn_store_names_its_backup_and_the_command_that_restores_it(tmp_path):
    store = tmp_path / "store.json"
    for n in (1, 2):
        assert run(*ADD_EVENT, "--id", f"report-{n}", "--db", str(store)).exit_code == 0
    store.write_bytes(store.read_bytes()[:-40])  # torn
    done = run("timeline", "--db", str(store))
    line = one_error_line(done.stderr)
    assert f"Its previous version is kept in {store}.bak" in line
    assert f"'syriabrief store --restore-backup --db {store}' puts it back" in line
    restored = run("store", "--restore-backup", "--db", str(store))
    assert restored.exit_code == 0, restored.stderr
    assert [e.id for e in read_store(store).events] == ["report-1"]
    # The torn file is the backup now, and is refused as one: nothing changes.
    before = store.read_bytes()
    again = run("store", "--restore-backup", "--db", str(store))
    assert again.exit_code == 1 and "its backup cannot be restored" in one_error_line(again.stderr)
    assert store.read_bytes() == before


def test_restoring_without_a_backup_changes_nothing(tmp_path):
    store = write_store(tmp_path / "store.json", [])
    before = store.read_bytes()
    done = run("store", "--restore-backup", "--db", str(store))
    assert done.exit_code == 1 and "there is no backup" in one_error_line(done.stderr)
    assert store.read_bytes() == before
