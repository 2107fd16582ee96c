"""Re-run the `$ syriabrief ...` examples in Markdown files and put their real output below them.

Usage: python scripts/refresh_examples.py README.md docs/commands.md

Each ```console block whose first line starts with `$ syriabrief` is re-run
(through the shell, so pipes to jq work) at 100 columns without colour, with
the bundled dataset only. A block that ended with a line `…` keeps as many
lines as it had, so long outputs stay short in the docs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n(\$ syriabrief.*?)\n```", re.S)


def run(command: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(command, shell=True, capture_output=True, text=True, env=env, check=False)
    # Show the per-user store and cache where a reader's would be, not in this run's temporary home.
    text = done.stdout.replace(env["XDG_DATA_HOME"], "~/.local/share").replace(env["XDG_CACHE_HOME"], "~/.cache")
    # An index is named by a checksum of the store paths, which this run's temporary home changes.
    text = re.sub(r"(~/\.cache/syriabrief/)[0-9a-f]{16}(\.sqlite3)", r"\1<checksum>\2", text)
    # ... and the bundled dataset where an installed syriabrief keeps it, not in this checkout.
    text = text.replace(str(ROOT / "data" / "events.json"), ".../site-packages/syriabrief/data/events.json")
    return [line.rstrip() for line in text.rstrip("\n").split("\n")]


def refresh(text: str, env: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        segments: list[list[str]] = []
        for line in match.group(1).split("\n"):
            if line.startswith("$ ") and not (segments and segments[-1][-1].endswith("\\")):
                segments.append([line])
            else:
                segments[-1].append(line)
        return "```console\n" + "\n".join(line for seg in segments for line in rerun(seg, env)) + "\n```"

    return BLOCK.sub(replace, text)


def rerun(segment: list[str], env: dict[str, str]) -> list[str]:
    """One `$ command` (continued over lines ending in a backslash) and its fresh output."""
    end = 0
    while segment[end].endswith("\\"):
        end += 1
    command_lines = segment[: end + 1]
    command = " ".join(line.rstrip("\\").strip() for line in command_lines).removeprefix("$ ")
    output = run(command, env)
    shown = len(segment) - len(command_lines)
    if segment[-1] == "…" and len(output) > shown - 1:
        output = output[: shown - 1] + ["…"]
    return command_lines + output


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        # Each file starts from an empty store of its own, as a new reader would.
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, COLUMNS="100", NO_COLOR="1", XDG_DATA_HOME=f"{home}/data", XDG_CACHE_HOME=f"{home}/cache")
            env.pop("SYRIABRIEF_DB", None)
            env.pop("SYRIABRIEF_BUNDLED", None)
            path.write_text(refresh(path.read_text(encoding="utf-8"), env), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
