"""The SQLite index under faults, with real processes: a build killed with SIGKILL leaves no
worker process and no temporary file behind, and readers during appends do not rebuild over and
over. Each test reports its figure (the "figures" section of the pytest summary); the large runs
are in the slow group:

    pytest -m slow tests/test_index_faults.py
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from syriabrief.storage import paths
from test_index import generated

posix_only = pytest.mark.skipif(os.name != "posix", reason="uses POSIX signals and pipes")

# A syriabrief process whose index build stops at a chosen step (a function named
# module.name under syriabrief.storage: index.store_digests, settled.settle; after noting the
# pids of its worker processes in NOTE), so that it can be killed right there;
# step "-": it runs through.
# Worker processes and small batches from the first byte, so that a small store
# exercises what a store of 32 MB and more does.
BUILDER = """
import importlib, sys, time, multiprocessing
from pathlib import Path
from syriabrief.storage import index
from syriabrief.cli import app

step, store, note = sys.argv[1:4]
index.INDEX_MIN_BYTES = 0
index.PARALLEL_MIN_BYTES = 0
index.BATCH = 20
def stop_here(*args, **kwargs):
    Path(note).write_text(" ".join(str(p.pid) for p in multiprocessing.active_children()) + "\\n")
    time.sleep(3600)

if step != "-":
    module, name = step.rsplit(".", 1)
    setattr(importlib.import_module(f"syriabrief.storage.{module}"), name, stop_here)
app(["timeline", "--db", store, "--limit", "1"])
"""


def start_builder(step: str, store: Path, note: Path) -> subprocess.Popen:
    """A build that stops at ``step``; returns once it is there (the worker pids are in ``note``)."""
    builder = subprocess.Popen(
        [sys.executable, "-c", BUILDER, step, str(store), str(note)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    while not note.exists() or not note.read_text().endswith("\n"):
        assert builder.poll() is None, builder.communicate()
        time.sleep(0.01)
    return builder


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def reaches_eof(pipe, within: float) -> bool:
    """Whether reading ``pipe`` ends (every writer closed it) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([pipe], [], [], left)
        if ready and not os.read(pipe.fileno(), 65536):
            return True
    return False


@posix_only
@pytest.mark.parametrize("kills", [3, pytest.param(20, marks=pytest.mark.slow)])
def test_a_killed_build_leaves_no_worker_holding_the_callers_pipe(tmp_path, figure, kills):
    store = generated(tmp_path / "store.json", 300)
    orphans = hung = 0
    for kill in range(kills):
        note = tmp_path / f"workers-{kill}"
        builder = start_builder("index.store_digests", store, note)
        workers = [int(pid) for pid in note.read_text().split()]
        assert workers, "the build should be running worker processes"
        builder.kill()
        builder.wait()
        # The workers held the builder's stdout and stderr: both must close promptly.
        hung += not (reaches_eof(builder.stdout, 30) and reaches_eof(builder.stderr, 30))
        deadline = time.monotonic() + 30
        while any(map(running, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        orphans += sum(map(running, workers))
        for pid in filter(running, workers):
            os.kill(pid, signal.SIGKILL)  # do not leave them to the next test
    figure(f"killed index builds (worker processes): {kills} SIGKILLs -> {hung} pipes left open, {orphans} workers left running")
    assert hung == 0 and orphans == 0


@posix_only
@pytest.mark.parametrize("step", ["index.store_digests", "settled.settle"])
def test_a_killed_build_leaves_no_temporary_file_after_the_next(tmp_path, figure, step):
    """Killed while staging (``.tmp.staging`` and ``.tmp``), and while settling (``.tmp``)."""
    store = generated(tmp_path / "store.json", 300)
    builder = start_builder(step, store, tmp_path / "workers")
    builder.kill()
    builder.wait()
    cache = paths.cache_dir()
    left = sorted(p.name for p in cache.iterdir() if ".tmp" in p.name)
    assert left, "the kill should have left the build's temporary files"
    again = subprocess.run([sys.executable, "-c", BUILDER, "-", str(store), "-"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    after = sorted(p.name for p in cache.iterdir() if ".tmp" in p.name)
    figure(f"index build killed in {step}: left {len(left)} temporary files; after the next build: {len(after)}")
    assert after == []
