"""Faults with real processes: concurrent writers, writers killed mid-write, readers during
writes, a full disk and a read-only filesystem. Each test reports its figure (see the
"figures" section of the pytest summary); the large runs are in the slow group:

    pytest -m slow tests/test_faults.py
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import write_store
from syriabrief.domain.model import Event
from syriabrief.domain.validate import check_store_layout
from syriabrief.errors import StoreError
from syriabrief.storage.loading import load_dataset
from syriabrief.storage.store import Changes, apply_changes, read_store

WORKER = Path(__file__).with_name("fault_worker.py")
# Kills land at a random moment up to this long after the writer starts, or
# up to 2.5 writes' worth on a slower (or busier) machine, so that every phase
# of a write gets hit.
KILL_WINDOW = 0.08
# The seed of the kill schedule; SYRIABRIEF_FAULT_SEED replays another one.
SEED = int(os.environ.get("SYRIABRIEF_FAULT_SEED", "2026"))

posix_only = pytest.mark.skipif(os.name != "posix", reason="uses POSIX signals and resource limits")


@pytest.fixture
def base(tmp_path):
    """The layer under the store (as the bundled dataset would be): actors and sites."""
    return write_store(tmp_path / "base.json", [])


def spawn(*args):
    return subprocess.Popen([sys.executable, str(WORKER), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def seed_store(path, base, count):
    events = [Event.from_json({"id": f"seed-{n}", "date": "2026-01-01", "type": "statement", "actors": ["us"],
                               "summary": f"Seed {n}.", "sources": [{"outlet": "Seed"}]}) for n in range(count)]
    apply_changes(path, Changes(events=events), beneath=[base])


def valid_ids(path, base):
    """The event ids of a store that reads, checks and layers cleanly; StoreError otherwise."""
    load_dataset([base, path])
    return {e.id for e in read_store(path).events}


def temp_files(directory):
    return {p.name for p in directory.iterdir() if p.name.endswith(".tmp")}


# --- concurrent writers -----------------------------------------------------------


@posix_only
@pytest.mark.parametrize("writers, adds", [(4, 5), pytest.param(8, 25, marks=pytest.mark.slow)])
def test_concurrent_writers_lose_nothing(tmp_path, base, figure, writers, adds):
    store, go = tmp_path / "store.json", tmp_path / "go"
    # Every writer asks for the same id each time: ids are chosen under the lock,
    # so each add still gets its own.
    procs = [spawn("adds", store, base, go, adds, "2026-03-01-same-report") for _ in range(writers)]
    go.touch()
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, [err for _, err in outputs]
    acknowledged = [line for out, _ in outputs for line in out.split()]
    stored = valid_ids(store, base)
    lost = len(set(acknowledged) - stored)
    figure(f"concurrent writers: {writers} writers x {adds} adds -> {len(stored)} events stored, "
           f"{lost} lost, {len(acknowledged) - len(set(acknowledged))} ids given twice, store valid")  # fmt: skip
    assert lost == 0
    assert len(set(acknowledged)) == len(acknowledged) == len(stored) == writers * adds
    assert temp_files(tmp_path) == set()


@posix_only
@pytest.mark.slow
def test_concurrent_cli_adds_of_the_same_report_lose_nothing(tmp_path, base, figure):
    writers, adds = 4, 5
    store = tmp_path / "store.json"
    env = {**os.environ, "SYRIABRIEF_BUNDLED": str(base)}
    command = [sys.executable, "-m", "syriabrief", "add", "--db", str(store), "--date", "2026-03-01",
               "--type", "withdrawal", "--actor", "US", "--site", "Qasrak", "--summary", "The same report.",
               "--source-outlet", "Reuters", "--force"]  # fmt: skip  (--force: identical on purpose)
    script = f"for i in $(seq {adds}); do {' '.join(map(repr, command))} || exit 1; done"
    procs = [subprocess.Popen(["sh", "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(writers)]  # fmt: skip
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, [err for _, err in outputs]
    stored = valid_ids(store, base)
    figure(f"concurrent CLI: {writers} processes x {adds} 'syriabrief add' of one report -> "
           f"{len(stored)} events stored, {writers * adds - len(stored)} lost")  # fmt: skip
    assert len(stored) == writers * adds


# --- writers killed mid-write -----------------------------------------------------


def fork_batch_writer(store, base, tag, size):
    """A child process (forked, so it starts writing at once) that writes batches of events
    for ever, one import-like write each, and acknowledges each on a pipe once written."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_end)
            for batch in range(10**9):
                events = [Event.from_json({"id": f"{tag}-{batch}-{n}", "date": "2026-03-01", "type": "deployment",
                                           "actors": ["us"], "summary": f"Batch {batch}, {n}.",
                                           "sources": [{"outlet": "Test wire"}]}) for n in range(size)]  # fmt: skip
                apply_changes(store, Changes(events=events), beneath=[base])
                os.write(write_end, f"{batch}\n".encode())
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, read_end



@posix_only
@pytest.mark.parametrize("kills", [20, pytest.param(200, marks=pytest.mark.slow)])
def test_a_writer_killed_at_any_moment_leaves_the_old_or_the_new_store(tmp_path, base, figure, kills):
    rng = random.Random(SEED)
    store = tmp_path / "store.json"
    seed_store(store, base, 90)
    started = time.perf_counter()
    seed_store(store, base, 100)  # one more write of 10 events, timed
    window = max(KILL_WINDOW, 2.5 * (time.perf_counter() - started))
    stored = valid_ids(store, base)
    corrupt = lost = partial = mid_write = landed_unacknowledged = batches_written = 0
    seen_leftovers: set[str] = set()
    failures: list[str] = []  # what went wrong, run by run, for the assertion message
    for run in range(kills):
        pid, acks = fork_batch_writer(store, base, f"k{run}", 10)
        time.sleep(rng.uniform(0, window))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(acks) as lines:
            written = [int(n) for n in lines.read().split()]
        batches_written += len(written)
        leftovers = temp_files(tmp_path)
        if leftovers - seen_leftovers:
            mid_write += 1  # killed between writing the temporary file and renaming it
        seen_leftovers |= leftovers
        try:
            now = valid_ids(store, base)
        except StoreError as error:
            corrupt += 1
            failures.append(f"run {run}: {error}")
            continue
        acknowledged = {f"k{run}-{b}-{n}" for b in written for n in range(10)}
        in_flight = {i for i in now if i.startswith(f"k{run}-{len(written)}-")}
        missing = (stored | acknowledged) - now
        lost += len(missing)
        partial += 0 < len(in_flight) < 10  # a batch is all in or all out
        if missing or 0 < len(in_flight) < 10:
            failures.append(f"run {run}: acknowledged {written}, missing {sorted(missing)[:5]}, in flight {sorted(in_flight)}")
        landed_unacknowledged += len(in_flight) == 10  # killed after the rename, before it said so
        stored = now
    apply_changes(store, Changes(events=[Event.from_json({"id": "after", "date": "2026", "type": "statement",
                                                          "summary": "After.", "sources": [{"outlet": "X"}]})]),
                  beneath=[base])  # fmt: skip
    left_after = temp_files(tmp_path)
    figure(f"killed writers: {kills} SIGKILLs during batch writes (seed {SEED}, within {window * 1000:.0f} ms; "
           f"{mid_write} left a temporary file, {landed_unacknowledged} were killed after the rename, {batches_written} batches written) -> {corrupt} corrupt stores, {lost} acknowledged events "
           f"lost, {partial} half-written batches, {len(left_after)} temporary files left after the next write")  # fmt: skip
    assert corrupt == lost == partial == 0, failures
    assert left_after == set()  # and the write above was not kept waiting by a lock of the dead


# --- a reader during writes ---------------------------------------------------------


@posix_only
@pytest.mark.parametrize("writes", [20, pytest.param(300, marks=pytest.mark.slow)])
def test_a_reader_never_sees_a_torn_store(tmp_path, base, figure, writes):
    store = tmp_path / "store.json"
    seed_store(store, base, 100)
    writer = spawn("batches", store, base, "w", 5)
    assert writer.stdout.readline().strip() == "ready"
    done = threading.Event()

    def count_writes():
        for n, _ in enumerate(writer.stdout, 1):
            if n >= writes:
                done.set()
                return
        done.set()

    threading.Thread(target=count_writes, daemon=True).start()
    reads = torn = shrank = 0
    last = 0
    while not done.is_set():
        try:
            layout = json.loads(store.read_bytes())
            assert check_store_layout(layout) == []
            count = len(read_store(store).events)
        except (ValueError, AssertionError, StoreError):
            torn += 1
            continue
        finally:
            reads += 1
        shrank += count < last
        last = count
    writer.kill()
    writer.wait()
    figure(f"reader during writes: {reads} reads while {writes} batch writes ran -> {torn} torn, "
           f"{shrank} went back in time")  # fmt: skip
    assert torn == shrank == 0
    assert reads > 0


# --- a full disk and a read-only filesystem, for real --------------------------------

ADD = ["--date", "2026-03-01", "--type", "withdrawal", "--actor", "US", "--site", "Qasrak",
       "--summary", "A report.", "--source-outlet", "Reuters"]  # fmt: skip


def add_in_a_process(store, base, preexec_fn=None):
    return subprocess.run([sys.executable, "-m", "syriabrief", "add", *ADD, "--db", str(store)],
                          env={**os.environ, "SYRIABRIEF_BUNDLED": str(base)}, preexec_fn=preexec_fn,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip


@posix_only
def test_a_write_past_the_file_size_limit_fails_cleanly(tmp_path, base, figure):
    import resource

    store = tmp_path / "store.json"
    seed_store(store, base, 200)
    before = store.read_bytes()
    limit = len(before) // 2

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    done = add_in_a_process(store, base, limited)
    figure(f"file size limit (EFBIG) during a write: exit {done.returncode}, store intact: "
           f"{store.read_bytes() == before}")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot write {store}: the file would be larger than allowed; the store was not changed\n"
    assert store.read_bytes() == before
    assert temp_files(tmp_path) == set()


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 64 KiB tmpfs: needs Linux and root (mount); skipped elsewhere."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs Linux and root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_and_a_read_only_filesystem_leave_the_store_intact(tmp_path, base, tiny_filesystem, figure):
    store = tiny_filesystem / "store.json"
    seed_store(store, base, 150)  # about 40 KiB: a second copy does not fit in 64 KiB
    before = store.read_bytes()
    full = add_in_a_process(store, base)
    assert full.returncode == 1, full.stderr
    assert full.stderr == f"Error: cannot write {store}: the disk is full; the store was not changed\n"
    assert store.read_bytes() == before and temp_files(tiny_filesystem) == set()

    subprocess.run(["mount", "-o", "remount,ro", str(tiny_filesystem)], check=True)
    read_only = add_in_a_process(store, base)
    assert read_only.returncode == 1
    assert read_only.stderr.startswith(f"Error: cannot write {store}: the filesystem is read-only")
    assert read_only.stderr.endswith("; the store was not changed\n")
    assert store.read_bytes() == before
    figure(f"real tmpfs: a write that does not fit -> exit {full.returncode}, store intact; "
           f"read-only remount -> exit {read_only.returncode}, store intact")  # fmt: skip
