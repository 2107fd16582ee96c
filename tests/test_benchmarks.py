"""The benchmark runner still works (a smoke run on 1k events); benchmarks are not timed tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_the_benchmark_runner_runs_every_target_on_a_small_store():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYRIABRIEF_")}
    result = subprocess.run([sys.executable, str(RUNNER), "--smoke"], capture_output=True, text=True, env=env,
                            timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    table = result.stdout
    for row in ("--version", "(the floor)", "timeline --json (bundled)", "| query ", "| compare SDF US ", "| actor  ", "| brief ",
                "| validate ", "| export -f geojson ", "add one event", "query right after the add", "the query after that"):
        assert row in table, table
    assert "| 1k " in table
    assert "| skip " not in table, table  # every command ran and succeeded


def test_two_checkouts_are_timed_side_by_side():
    source = Path(__file__).resolve().parents[1] / "src"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYRIABRIEF_")}
    result = subprocess.run([sys.executable, str(RUNNER.with_name("versus.py")), str(source), str(source), "--size", "1k",
                             "--rounds", "1", "--only", "query,base S7"], capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| query ") or line.startswith("| base S7 ")]
    assert len(rows) == 2 and all(row.count(" ms ") == 3 for row in rows), result.stdout
