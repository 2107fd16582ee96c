"""Run every performance target in one go and print a table of medians and ratios.

    python benchmarks/run.py                      # 1k, 10k, 100k and 1M events (about 15 minutes)
    python benchmarks/run.py --sizes 1k,100k      # some sizes only
    python benchmarks/run.py --smoke              # 1k events, two runs each: proves the runner works

Each command runs as a fresh process, the way a user runs it, and is timed from
outside (wall clock); the table shows the median of several runs. Peak memory is
the child's maximum resident set size. Synthetic stores come from generate.py
(fixed seed) and are kept in benchmarks/stores/ (git-ignored) for the next run;
the index cache is a fresh directory beside them, so the first query after a
change (which builds the index) is measured honestly. ``jq`` doing the same
filter on the same file is the comparison; without jq that column says so.

The cold path is measured as a user meets it: ``syriabrief add`` of one event,
then the same query twice at once, with no pause (the first takes the new event
into the index, the second falls in the racy window just after a change), a few
rounds on the same store. Its rows sit beside the warm query and the index build
(what every query after a change cost before the index was updated in place).

Commands that do not exist on this branch (``base``, ``actor``, ``import``) are
reported as skipped, not failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402

STORES = HERE / "stores"
QUERY = ["timeline", "--since", "2026-01", "--actor", "SDF", "--json"]
# The same question for jq: events naming sdf or an actor under it (--actor stands for the
# forces under it), whose last day is in 2026 or later (a date or end date compared as text:
# "2025-12-31" < "2026" <= "2026-01-05").
JQ_FILTER = (
    "def under($ids): ([.actors[] | select(.parent as $p | $ids | index([$p])) | .id] + $ids | unique) as $more"
    " | if ($more | length) == ($ids | length) then $ids else under($more) end;"
    ' under(["sdf"]) as $ids'
    ' | [.events[] | select(((.end_date // .date) >= "2026") and any(.actors[]; IN($ids[])))] | length'
)
# A site and an actor the generated stores name often.
BASE_NAME, ACTOR_NAME = "S7", "SDF"
# Index rebuilds happen at most once per RACY window after a store change
# (index.RACY_WINDOW_NS); waiting it out keeps the build measurement to one build.
SETTLE_SECONDS = 2.1

# The targets of the architecture issue (medians of whole processes on the project's machine).
TARGETS_MS = {
    "--version": 60,
    "timeline --json (bundled)": 120,
    "query 100k": 80,
    "query 1M": 300,
    "read 100k": 300,  # every read command: base, actor (named or not), compare, brief
    "actor 1M": 1_000,
    "import 100k": 6_000,
    "add 100k": 500,
    "add 1M": 2_000,
    "cold query 100k": 1_000,
    "cold query 1M": 3_000,
}
# The timeline query must also be this many times faster than jq on the same file.
JQ_FACTOR = 20
# The least a Typer command line costs on this machine: Python, Typer and its imports, one
# command parsing the query's options and printing "[]". The query's target leaves what is above it.
TYPER_FLOOR = """
import sys, typer
app = typer.Typer(add_completion=False)
@app.command()
def timeline(since: str = "", actor: list[str] = typer.Option([]), json: bool = False):
    sys.stdout.write("[]\\n")
@app.command()
def other():
    pass
app()
"""
# Whole-store commands (validate, export) may take this many times a plain json.load of the store.
WHOLE_STORE_FACTOR = 2
# Peak memory: any read at 1M, add at 1M; import, validate and export at 100k.
READ_MEMORY_MIB = 300
WHOLE_STORE_MEMORY_MIB = 500
# The read commands timed at every size beside the query (the issue names each of them).
READS = [
    ["base", "S7"], ["actor", "SDF"], ["compare", "SDF", "US"], ["actor"], ["base"], ["brief"],
    ["compare", "--at", "2025-01-01", "--at", "2026-11-01"], ["map"], ["timeline", "--chart"],
]  # fmt: skip
# Whole lists as --json (every actor's positions, SDF's and the US's every site and move): timed
# beside the reads, without their line, for they grow with the store as an export does.
JSON_READS = [["actor", "--json"], ["compare", "SDF", "US", "--json"]]
# Rounds of the cold sequence (add, query, query) per size.
COLD_ROUNDS = 5
BEST: dict[str, float] = {}


@dataclass
class Row:
    what: str
    size: str = ""
    median_ms: float | None = None
    target_ms: float | None = None
    compare: str = ""
    peak_mib: float | None = None
    note: str = ""
    best_ms: float | None = None
    memory_mib: float | None = None  # the peak memory target, when there is one
    faster_than: float | None = None  # how many times faster than the comparison it must be
    ratio: float | None = None  # how many times faster it was

    def status(self) -> str:
        if self.median_ms is None:
            return "skip"
        if self.target_ms is None and self.memory_mib is None and self.faster_than is None:
            return ""
        ok = self.target_ms is None or self.median_ms <= self.target_ms
        if self.memory_mib is not None and self.peak_mib is not None:
            ok = ok and self.peak_mib <= self.memory_mib
        if self.faster_than is not None and self.ratio is not None:
            ok = ok and self.ratio >= self.faster_than
        return "ok" if ok else "MISS"


@dataclass
class Run:
    seconds: float
    peak_mib: float
    code: int
    stdout: bytes
    stderr: bytes


def run_once(command: list[str], env: dict[str, str], capture: bool = False) -> Run:
    """Run a command as a child, timing its wall clock and reading its peak memory (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, stdout=out if capture else subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        # ru_maxrss is in KiB on Linux, bytes on macOS.
        peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
        return Run(seconds, peak, child.returncode, out.read() if capture else b"", err.read())


def median_of(command: list[str], env: dict[str, str], runs: int, warmup: int = 1) -> tuple[float, float, Run]:
    """Median wall time (ms) and highest peak memory (MiB) over ``runs`` runs after ``warmup``.

    The fastest run is kept in BEST (by command) for the table: on a busy machine
    it shows what the command costs when it gets a CPU to itself.
    """
    for _ in range(warmup):
        run_once(command, env)
    results = [run_once(command, env) for _ in range(runs)]
    last = results[-1]
    if last.code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({last.code}): {last.stderr.decode(errors='replace')[-400:]}")
    BEST[" ".join(command)] = min(r.seconds for r in results) * 1000
    return statistics.median(r.seconds for r in results) * 1000, max(r.peak_mib for r in results), last


def syriabrief_command() -> list[str]:
    script = Path(sys.executable).with_name("syriabrief")
    return [str(script)] if script.exists() else [sys.executable, "-m", "syriabrief"]


def has_command(cli: list[str], name: str, env: dict[str, str]) -> bool:
    return run_once([*cli, name, "--help"], env).code == 0


def store_for(size: str, count: int) -> Path:
    path = STORES / f"{size}.json"
    stamp = path.with_suffix(".seed")
    wanted = f"seed {generate.SEED}, {count} events, generator {generate.GENERATOR_VERSION}"
    if not path.exists() or not stamp.exists() or stamp.read_text() != wanted:
        print(f"  generating {path.name} ({count:,} events)...", file=sys.stderr)
        generate.write_store(path, count)
        stamp.write_text(wanted)
    return path


def settle(path: Path) -> None:
    age = time.time() - path.stat().st_mtime
    if age < SETTLE_SECONDS:
        time.sleep(SETTLE_SECONDS - age)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run syriabrief's performance targets.")
    parser.add_argument("--sizes", default="1k,10k,100k,1M", help="store sizes: 1k,10k,100k,1M or numbers")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (median)")
    parser.add_argument("--jq-runs", type=int, default=3, help="timed runs of jq (slow on big stores)")
    parser.add_argument("--cold-rounds", type=int, default=COLD_ROUNDS, help="rounds of add, query, query")
    parser.add_argument("--warmup", type=int, default=None,
                        help="untimed runs before each timed command (default: 2 for the small commands, 1 for store commands)")
    parser.add_argument("--smoke", action="store_true", help="1k events, 1 run, no warm-up: a quick check that all of this works")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.runs, args.jq_runs, args.cold_rounds, args.warmup = "1k", 1, 1, 1, 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]

    STORES.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=STORES))
    env = dict(os.environ)
    # Measure what a user's installed syriabrief does: byte-code cached, no
    # store settings from this shell, a cache of our own, no colour.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("SYRIABRIEF_DB", "SYRIABRIEF_BUNDLED", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(XDG_CACHE_HOME=str(work / "cache"), XDG_DATA_HOME=str(work / "data"), NO_COLOR="1")
    cli = syriabrief_command()
    load_before = load_average()
    jq = shutil.which("jq")
    rows: list[Row] = []
    notes: list[str] = []
    if not jq:
        notes.append("jq is not installed: the comparison column is empty (apt-get install jq).")

    try:
        ms, _, _ = median_of([*cli, "--version"], env, args.runs, warmup=2 if args.warmup is None else args.warmup)
        rows.append(Row("--version", "", ms, TARGETS_MS["--version"], best_ms=BEST[" ".join([*cli, "--version"])]))
        floor = [sys.executable, "-c", TYPER_FLOOR, *QUERY]
        ms, _, _ = median_of(floor, env, args.runs, warmup=2 if args.warmup is None else args.warmup)
        rows.append(Row("a one-command Typer app (the floor)", "", ms, None, "", None,
                        "import typer, parse the query's options, print []", BEST[" ".join(floor)]))  # fmt: skip
        ms, _, _ = median_of([*cli, "timeline", "--json"], env, args.runs, warmup=2 if args.warmup is None else args.warmup)
        rows.append(Row("timeline --json (bundled)", "53", ms, TARGETS_MS["timeline --json (bundled)"],
                        best_ms=BEST[" ".join([*cli, "timeline", "--json"])]))  # fmt: skip

        has = {name: has_command(cli, name, env) for name in ("base", "actor", "compare", "brief", "map", "import", "add")}
        for name in ("base", "actor", "import"):
            if not has[name]:
                notes.append(f"'syriabrief {name}' does not exist on this branch: skipped.")
        for size in sizes:
            count = generate.parse_size(size)
            path = store_for(size, count)
            print(f"  {size}: {path.stat().st_size / 2**20:.0f} MiB store", file=sys.stderr)
            rows += bench_size(size, count, path, cli, env, args, jq, has, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_report(rows, notes, cli, load_before)
    return 0


def bench_size(size, count, generated, cli, env, args, jq, has, work) -> list[Row]:
    rows = []
    # Everything runs on a copy, which the adds below change; the generated store is kept for next time.
    path = work / f"{size}.json"
    shutil.copyfile(generated, path)
    env = dict(env, SYRIABRIEF_DB=str(path))
    target = TARGETS_MS.get(f"query {size}")
    settle(path)

    # The first query after a change builds the index (for stores past the threshold).
    first = run_once([*cli, *QUERY], env)
    indexed = any((work / "cache").rglob("*.sqlite3"))
    path_note = "index" if indexed else "plain (below the index threshold)"
    rows.append(Row("first query (builds index)" if indexed else "first query", size, first.seconds * 1000,
                    None, "", first.peak_mib, path_note))  # fmt: skip

    # The warm query, as a minute later: past the two seconds after a build in which each query
    # checks the whole index file again (index.RACY_WINDOW_NS; 50 ms at 100k), and after the one
    # query that then vouches for it. The queries right after a change are the cold rows below.
    time.sleep(SETTLE_SECONDS)
    ms, peak, _ = median_of([*cli, *QUERY], env, args.runs, warmup=1)
    warm_ms = ms
    matches = len(json.loads(run_once([*cli, *QUERY], env, capture=True).stdout))
    query = Row("query", size, ms, target, "", peak, f"{matches:,} events; {path_note}", BEST[" ".join([*cli, *QUERY])],
                memory_mib=READ_MEMORY_MIB if size == "1M" else None)  # fmt: skip
    if jq:
        jq_ms, _, _ = median_of([jq, JQ_FILTER, str(path)], env, args.jq_runs, warmup=0)
        found = int(run_once([jq, JQ_FILTER, str(path)], env, capture=True).stdout.strip() or 0)
        query.compare, query.ratio = f"jq {jq_ms:,.0f} ms ({jq_ms / ms:.1f}x)", jq_ms / ms
        query.faster_than = JQ_FACTOR if target is not None else None
        query.note += f"; jq found {found:,} (the store alone, without the bundled layer)"
    rows.append(query)

    # Each read as typed (a profile with its tables, a bounded list); --json of the two
    # profiles, which lists every one of the subject's events, and the JSON_READS beside them.
    reads = [r for r in READS if has.get(r[0], True)] + [[*r, "--json"] for r in READS[:2] if has[r[0]]] + JSON_READS
    for arguments in reads:
        label = " ".join(arguments)
        command = [*cli, *arguments]
        json_form = "--json" in arguments
        target = None if json_form else TARGETS_MS.get(f"read {size}")
        if arguments == ["actor", ACTOR_NAME] and size == "1M":
            target = TARGETS_MS["actor 1M"]
        try:
            ms, peak, _ = median_of(command, env, args.runs, warmup=1 if args.warmup is None else args.warmup)
            rows.append(Row(label, size, ms, target, "", peak, best_ms=BEST[" ".join(command)],
                            memory_mib=READ_MEMORY_MIB if size == "1M" and not json_form else None))  # fmt: skip
        except RuntimeError as error:
            rows.append(Row(label, size, None, None, "", None, str(error)[:120]))

    rows += whole_store(size, path, cli, env, args, work)

    if has["import"]:
        csv = work / f"acled-{size}.csv"
        generate.write_acled_csv(csv, count)
        imported = work / f"imported-{size}.json"
        result = run_once([*cli, "import", str(csv), "--db", str(imported)], env)
        rows.append(Row("import ACLED CSV", size, result.seconds * 1000 if result.code == 0 else None,
                        TARGETS_MS.get(f"import {size}"), "", result.peak_mib,
                        "" if result.code == 0 else "failed: " + result.stderr.decode(errors="replace")[:100],
                        memory_mib=WHOLE_STORE_MEMORY_MIB if size == "100k" else None))  # fmt: skip
        csv.unlink(missing_ok=True)
        imported.unlink(missing_ok=True)

    rows += cold_after_add(size, path, cli, env, args, has, indexed, first.seconds * 1000, warm_ms)
    path.unlink()
    return rows


def whole_store(size, path, cli, env, args, work) -> list[Row]:
    """validate and every export, each beside a plain json.load of the same store (the baseline)."""
    runs = max(1, min(args.runs, 3))
    load = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], encoding='utf-8'))", str(path)]
    base_ms, base_peak, _ = median_of(load, env, runs, warmup=0)
    rows = [Row("json.load of the store (baseline)", size, base_ms, None, "", base_peak, "python -c 'json.load(...)'")]
    target = base_ms * WHOLE_STORE_FACTOR if size == "100k" else None
    memory = WHOLE_STORE_MEMORY_MIB if size == "100k" else None
    out = work / "export.out"
    commands = [("validate", ["validate"])] + [
        (f"export -f {fmt}", ["export", "-f", fmt, "-o", str(out)]) for fmt in ("json", "jsonl", "csv", "geojson", "markdown")
    ]  # fmt: skip
    for label, arguments in commands:
        command = [*cli, *arguments, "--db", str(path)]
        try:
            ms, peak, _ = median_of(command, env, runs, warmup=0)
            rows.append(Row(label, size, ms, target, f"{ms / base_ms:.1f}x json.load", peak,
                            best_ms=BEST[" ".join(command)], memory_mib=memory))  # fmt: skip
        except RuntimeError as error:
            rows.append(Row(label, size, None, None, "", None, str(error)[:120]))
    out.unlink(missing_ok=True)
    return rows


def cold_after_add(size, path, cli, env, args, has, indexed, build_ms, warm_ms) -> list[Row]:
    """``syriabrief add`` of one event, then the query twice at once: as a user meets the cold path."""
    adds, firsts, seconds = [], [], []
    for round_ in range(args.cold_rounds):
        if has["add"]:
            command = [*cli, "add", "--date", "2026-06-30", "--type", "deployment", "--actor", ACTOR_NAME,
                       "--site", BASE_NAME, "--source-outlet", "Benchmark", "--summary",
                       f"Benchmark deployment number {round_ + 1} of this run, added to measure the cold path."]  # fmt: skip
        else:
            command = [sys.executable, "-c", ADD_SNIPPET, str(path), str(round_)]
        added = run_once(command, env, capture=True)
        if added.code != 0:
            raise RuntimeError("adding an event failed: " + added.stderr.decode(errors="replace")[-400:])
        adds.append(added)
        for into in (firsts, seconds):
            query = run_once([*cli, *QUERY], env)
            if query.code != 0:
                raise RuntimeError("the query after an add failed: " + query.stderr.decode(errors="replace")[-400:])
            into.append(query)
    how = "syriabrief add" if has["add"] else "store.apply_changes"

    def row(what, runs, target, compare, note):
        median = statistics.median(r.seconds for r in runs) * 1000
        best = min(r.seconds for r in runs) * 1000
        return Row(what, size, median, target, compare(median) if compare else "", max(r.peak_mib for r in runs),
                   note, best, memory_mib=READ_MEMORY_MIB if size == "1M" else None)  # fmt: skip

    def against_warm(ms):
        return f"{ms / warm_ms:.1f}x the warm query" + (f"; a build is {build_ms:,.0f} ms" if indexed else "")

    rounds = f"median of {args.cold_rounds} rounds, no pause"
    return [
        row(f"add one event ({how})", adds, TARGETS_MS.get(f"add {size}"), None, f"whole process; {rounds}"),
        row("query right after the add", firsts, TARGETS_MS.get(f"cold query {size}"), against_warm,
            "takes the new event into the index" if indexed else "plain"),
        row("the query after that", seconds, TARGETS_MS.get(f"cold query {size}"), against_warm,
            "within 2 s of the change: the store is checked by its content" if indexed else "plain"),
    ]  # fmt: skip


# A new event added to a store through store.apply_changes (where there is no `syriabrief add`).
ADD_SNIPPET = """
import sys
from pathlib import Path
from syriabrief.domain.model import Event, Source
from syriabrief.storage.store import Changes, apply_changes
event = Event(id="2026-06-30-benchmark-added-event-" + sys.argv[2], date="2026-06-30", type="deployment",
              summary="A benchmark event added to measure a single insert.", sources=(Source("Benchmark"),),
              actors=("sdf",), status="reported")
report = apply_changes(Path(sys.argv[1]), Changes(events=[event]))
assert report.added["events"] == [event.id], report
"""


def print_report(rows: list[Row], notes: list[str], cli: list[str], load_before: str) -> None:
    print(f"syriabrief benchmarks: {machine()}")
    # Other work on the machine slows every number down: say how busy it was.
    print(f"load average (1, 5, 15 min) at the start: {load_before}; at the end: {load_average()}")
    print(f"command: {' '.join(cli)}; query: {' '.join(QUERY)}")
    print()
    header = ("what", "events", "median", "best", "target", "status", "comparison", "peak MiB", "note")
    table = [header]
    for r in rows:
        table.append((
            r.what, r.size, "-" if r.median_ms is None else f"{r.median_ms:,.0f} ms",
            "" if r.best_ms is None else f"{r.best_ms:,.0f} ms",
            "" if r.target_ms is None else f"<= {r.target_ms:,.0f} ms", r.status(), r.compare,
            "" if r.peak_mib is None else f"{r.peak_mib:,.0f}", r.note,
        ))  # fmt: skip
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    for n, line in enumerate(table):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for note in notes:
        print(f"\nNote: {note}")


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPUs ({model}){memory}, Python {platform.python_version()}, {platform.system()}"


if __name__ == "__main__":
    sys.exit(main())
