"""Time the read commands of two checkouts side by side, interleaved, on one generated store.

    git worktree add /tmp/before <commit>
    python benchmarks/versus.py /tmp/before/src src --size 100k --rounds 7

On a noisy virtual machine the medians of two separate runs of run.py can differ
by a third for the same code; here each round runs every command once with each
checkout (alternating which goes first), so both meet the same machine. Each
checkout has its own index cache (their index formats may differ). The first
round of each is a warm-up (byte code, index build) and is not counted.

With --instructions, each command runs once more per checkout under valgrind's
callgrind, which counts the instructions it executes: the same to a few tenths of
a percent from run to run, however busy the machine (apt-get install valgrind).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import ACTOR_NAME, BASE_NAME, JSON_READS, QUERY, READS, store_for  # noqa: E402

COUNTS = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def environment(source: Path, cache: Path, store: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(source), XDG_CACHE_HOME=str(cache), SYRIABRIEF_DB=str(store), NO_COLOR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed(source: Path, cache: Path, store: Path, args: list[str]) -> tuple[float, float]:
    """Seconds and peak MiB of one whole process of ``syriabrief args`` from ``source``."""
    env = environment(source, cache, store)
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a child that says much cannot block
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "syriabrief", *args], env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here (wait4 gives the peak memory)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{source}: syriabrief {' '.join(args)} failed: {errors.read().decode()[-300:]}")
    return seconds, usage.ru_maxrss / 1024


def instructions(source: Path, cache: Path, store: Path, args: list[str]) -> int:
    """The instructions one whole process of ``syriabrief args`` from ``source`` executes (callgrind's I refs)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m", "syriabrief", *args]
    done = subprocess.run(command, env=environment(source, cache, store), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    counted = re.search(rb"I\s+refs:\s+([0-9,]+)", done.stderr)
    if done.returncode != 0 or counted is None:
        raise SystemExit(f"{source}: syriabrief {' '.join(args)} under callgrind failed: {done.stderr.decode()[-300:]}")
    return int(counted[1].replace(b",", b""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="the src/ directory of the earlier checkout")
    parser.add_argument("after", type=Path, help="the src/ directory of the later checkout")
    parser.add_argument("--size", default="100k", choices=sorted(COUNTS))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="comma-separated commands to time, e.g. 'query,actor SDF'")
    parser.add_argument("--instructions", action="store_true", help="count each command's instructions (valgrind) instead of timing it")
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind: apt-get install valgrind")
    commands = {"query": QUERY, **{" ".join(read): read for read in READS + JSON_READS}}
    if args.only:
        unknown = [name for name in args.only.split(",") if name not in commands]
        if unknown:
            parser.error(f"--only: no command {', '.join(map(repr, unknown))}; the commands are {', '.join(commands)}")
        commands = {name: commands[name] for name in args.only.split(",")}
    store = store_for(args.size, COUNTS[args.size])
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    with tempfile.TemporaryDirectory(dir=store.parent) as work:
        caches = {side: Path(work, side) for side in sides}
        times: dict[tuple[str, str], list[float]] = {(s, c): [] for s in sides for c in commands}
        peaks: dict[tuple[str, str], float] = {}
        for side, source in sides.items():
            for command in commands.values():
                timed(source, caches[side], store, command)
        if args.instructions:
            counts = {(side, name): instructions(source, caches[side], store, command)
                      for side, source in sides.items() for name, command in commands.items()}  # fmt: skip
            print(f"{args.size} events ({BASE_NAME}, {ACTOR_NAME}), instructions of one run (millions):")
            print("| command | before | after | change |")
            print("|---|---|---|---|")
            for name in commands:
                before, after = counts[("before", name)], counts[("after", name)]
                print(f"| {name} | {before / 1e6:,.0f} | {after / 1e6:,.0f} | {100 * (after - before) / before:+.1f} % |")
            return
        for round_ in range(args.rounds):
            for name, command in commands.items():
                for side in sorted(sides, reverse=round_ % 2 == 1):
                    seconds, peak = timed(sides[side], caches[side], store, command)
                    times[(side, name)].append(seconds)
                    peaks[(side, name)] = max(peaks.get((side, name), 0.0), peak)
    print(f"{args.size} events ({BASE_NAME}, {ACTOR_NAME}), {args.rounds} interleaved rounds, medians:")
    print("| command | before | after | after, best | peak MiB before / after |")
    print("|---|---|---|---|---|")
    for name in commands:
        before, after = times[("before", name)], times[("after", name)]
        print(f"| {name} | {statistics.median(before) * 1000:,.0f} ms | {statistics.median(after) * 1000:,.0f} ms "
              f"| {min(after) * 1000:,.0f} ms | {peaks[('before', name)]:.0f} / {peaks[('after', name)]:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
