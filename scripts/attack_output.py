"""Attack syriabrief's output with real processes: raw terminal controls in exports, narrow encodings.

    python scripts/attack_output.py [--src PATH]

Prints the figures of docs/reliability.md's attack table for issue 12's
defects 3 and 9. ``--src`` runs another checkout's ``src`` directory (for
example an older commit unpacked with ``git archive``), to measure before a fix.

- Defect 3: a store whose every text holds terminal controls (OSC 52, OSC 0,
  OSC 8, CSI, C1, RLO, NUL, BS, CR, DEL, bidi isolates, zero-width) is exported
  in every format, to stdout and to a file; an output fails when it carries one
  of those characters raw (a CSV row's CRLF excepted).
- Defect 9: report commands run on the bundled data under ASCII, latin-1 and a
  C locale without UTF-8 coercion; a run fails when it exits non-zero or prints
  a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ("\x1b]52;c;cm0gLXJmIH4K\x07 \x1b]0;title\x07 \x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\ "
           "\x1b[31mred\x1b[0m \x9b31m \u202eexe.txt nul\x00 bs\x08 cr\rx del\x7f \u2066iso\u2069 zero\u200bwidth")  # fmt: skip
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
FORMATS = ("json", "jsonl", "csv", "geojson", "markdown")
ENCODINGS = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    "C locale": {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
}
REPORTS = (["timeline"], ["actor"], ["actor", "Russia"], ["base"], ["base", "Hmeimim"], ["brief"],
           ["compare", "US", "Russia"], ["store"])  # fmt: skip


def hostile_store() -> dict:
    source = {"outlet": "Outlet " + HOSTILE, "document": HOSTILE, "url": "http://x/" + HOSTILE, "published": None}
    return {
        "schema_version": 1,
        "actors": [{"id": "a", "name": "Actor " + HOSTILE, "aliases": [], "kind": "state", "country": None,
                    "parent": None, "affiliations": []}],
        "sites": [{"id": "s", "name": "Site " + HOSTILE, "aliases": [], "kind": "base", "country": "Syria",
                   "admin1": None, "lat": 36.0, "lon": 40.0, "location_precision": "exact", "parent": None}],
        "events": [{"id": "e", "date": "2026-01-15", "end_date": None, "date_precision": "day", "approximate": False,
                    "type": "deployment", "stage": None, "actors": ["a"], "site": "s", "origin": None,
                    "destination": None, "quantities": {}, "status": "reported", "summary": "Summary " + HOSTILE,
                    "sources": [source], "disputes": [], "tags": ["tag" + HOSTILE]}],
    }  # fmt: skip


def run(src: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(src), **env}
    return subprocess.run([sys.executable, "-m", "syriabrief", *args], capture_output=True, env=environment)


def raw_count(data: bytes) -> int:
    return len(RAW.findall(data.decode("utf-8", "replace").replace("\r\n", "\n")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    src = parser.parse_args().src.resolve()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        isolated = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache")}
        store = home / "hostile.json"
        store.write_text(json.dumps(hostile_store(), ensure_ascii=False), encoding="utf-8")
        env = {**isolated, "SYRIABRIEF_BUNDLED": "none"}
        failed, characters, outputs = [], 0, 0
        for fmt in FORMATS:
            for target in ("stdout", "file"):
                out = home / f"out.{fmt}"
                args = ["export", "--format", fmt, "--db", str(store)] + (["-o", str(out)] if target == "file" else [])
                result = run(src, args, env)
                data = out.read_bytes() if target == "file" and out.exists() else result.stdout
                outputs += 1
                count = raw_count(data) + raw_count(result.stderr)
                if count or result.returncode:
                    failed.append(f"{fmt} to {target} ({count} raw)")
                    characters += count
        print(f"defect 3: {len(failed)} of {outputs} exports carried raw controls, {characters} characters in all")
        for line in failed:
            print("  " + line)
        failed, runs = [], 0
        for name, settings in ENCODINGS.items():
            for command in REPORTS:
                result = run(src, command, {**isolated, **settings})
                runs += 1
                if result.returncode or b"Traceback" in result.stderr:
                    failed.append(f"{name}: syriabrief {' '.join(command)} (exit {result.returncode})")
        print(f"defect 9: {len(failed)} of {runs} report runs failed in a narrow encoding")
        for line in failed:
            print("  " + line)


if __name__ == "__main__":
    main()
