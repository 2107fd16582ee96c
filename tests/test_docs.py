"""The docs keep up with the code: every --json key documented, every command and option described.

Like sqlite-utils' test_docs.py: a new key, command or option fails here until
docs/json.md or docs/commands.md says what it is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from syriabrief.cli import app
from syriabrief.storage import paths

DOCS = Path(__file__).resolve().parents[1] / "docs"


def documented_keys() -> dict[str, list[str]]:
    """Each ``#### Object`` of docs/json.md and the keys on its ``Keys:`` line."""
    text = (DOCS / "json.md").read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r"^#### (.+?)\n(.*?)(?=^#|\Z)", text, flags=re.M | re.S):
        keys = re.search(r"^Keys: (.+?)(?:\n\n|\Z)", match.group(2), flags=re.M | re.S)
        assert keys, f"docs/json.md: {match.group(1)} has no Keys: line"
        found[match.group(1)] = re.findall(r"`([a-z_0-9]+)`", keys.group(1))
    return found


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The --json output of every command on the bundled dataset, by command line."""
    runner = CliRunner()
    home = tmp_path_factory.mktemp("home")
    env = {"SYRIABRIEF_BUNDLED": str(paths.bundled_path()), "XDG_DATA_HOME": str(home), "XDG_CACHE_HOME": str(home)}
    commands = {
        "timeline": ["timeline", "--json"],
        "show": ["show", "2026-02-21-us-begins-qasrak-withdrawal", "--json"],
        "actors": ["actor", "--json", "--as-of", "2026-02-24"],
        "actor": ["actor", "Russia", "--json", "--as-of", "2026-02-01"],
        "bases": ["base", "--json", "--as-of", "2026-02-24"],
        "base": ["base", "Qasrak", "--json", "--as-of", "2026-02-24"],
        "compare actors": ["compare", "US", "Russia", "--json", "--as-of", "2026-02-24"],
        "compare sites": ["compare", "Qasrak", "Tanf", "--json", "--as-of", "2026-02-24"],
        "changes": ["compare", "--at", "2026-01-01", "--at", "2026-03-01", "--json"],
        "brief": ["brief", "--json", "--as-of", "2026-02-24"],
        "store": ["store", "--json"],
        "map": ["map", "--json", "--as-of", "2026-02-24"],
        "map at": ["map", "--at", "2026-01-01", "--at", "2026-02-24", "--json"],
        "chart": ["timeline", "--chart", "--json"],
    }
    results = {}
    for name, args in commands.items():
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.stderr)
        results[name] = json.loads(result.stdout)
    return results


def objects(outputs) -> dict[str, list[dict]]:
    """Every documented object, found in the outputs (several examples each where there are)."""
    o = outputs
    subjects = o["compare actors"]["subjects"]
    site_subjects = o["compare sites"]["subjects"]
    periods = [p for row in o["actors"] for p in row["holds"] + row["left"]] + o["base"]["history"]
    changes = o["changes"]["differences"]
    features = o["map"]["features"] + o["map at"]["features"]
    befores = [f["properties"]["before"] for f in o["map at"]["features"] if f["properties"]["before"]]
    return {
        "Event": o["timeline"] + [o["show"]],
        "Period": periods,
        "Status": [c["before"] for c in changes] + [c["after"] for c in changes] + befores,
        "Span": [{k: s[k] for k in ("event_count", "first_event", "last_event")} for s in subjects],
        "Age": [{k: o[n][k] for k in ("latest_report", "latest_event", "age_days", "stale")} for n in ("brief", "actor")],
        "Event reference": [o["actor"]["first_event"], o["actor"]["last_event"]],
        "Citation": o["actor"]["citations"] + o["brief"]["citations"],
        "Figure": o["actor"]["strength"],
        "Disputed event": o["base"]["accounts"] + o["brief"]["disputes"],
        "Account": [a for item in o["base"]["accounts"] for a in item["accounts"]],
        "Move": [m for s in subjects for m in s["moves"]] + o["brief"]["moves"],
        "Actor row": o["actors"],
        "Actor profile": [o["actor"]],
        "Site row": o["bases"],
        "Site profile": [o["base"]],
        "Comparison": [o["compare actors"], o["compare sites"]],
        "Aspect": o["compare actors"]["similarities"] + o["compare actors"]["differences"],
        "Compared actor": subjects,
        "Compared site": site_subjects,
        "Changes": [o["changes"]],
        "Site change": changes,
        "Actor change": o["changes"]["actors"],
        "Brief": [o["brief"]],
        "Brief base": o["brief"]["bases"],
        "Store": [o["store"]["bundled"], o["store"]["user"]],
        "Index": [o["store"]["index"]],
        "Cache": [o["store"]["cache"]],
        "Map": [o["map"], o["map at"]],
        "Legend entry": o["map"]["legend"] + o["map at"]["legend"],
        "Map feature": features,
        "Map site": [f["properties"] for f in features],
        "Activity": [o["chart"]],
        "Series": o["chart"]["series"],
        "Bucket": o["chart"]["buckets"],
    }


def test_every_object_in_the_json_docs_is_emitted_with_exactly_its_keys(outputs):
    documented = documented_keys()
    found = objects(outputs)
    assert set(documented) == set(found), "docs/json.md objects and this test's list differ"
    for name, examples in found.items():
        assert examples, f"no example of {name} in the outputs: pick another command line"
        for example in examples:
            assert list(example) == documented[name] or set(example) == set(documented[name]), (
                f"{name}: emitted {sorted(set(example) ^ set(documented[name]))} differently from docs/json.md"
            )


def commands_and_options() -> dict[str, list[str]]:
    """Every command path ("timeline", "add actor") and its long options, from the Typer app."""
    found: dict[str, list[str]] = {}

    def walk(prefix: tuple[str, ...], command) -> None:
        subcommands = getattr(command, "commands", None)
        if prefix:
            options = [o for p in getattr(command, "params", []) for o in getattr(p, "opts", []) if o.startswith("--")]
            found[" ".join(prefix)] = [o for o in options if o not in ("--help",)]
        for name, sub in (subcommands or {}).items():
            if not getattr(sub, "hidden", False):
                walk((*prefix, name), sub)

    walk((), typer.main.get_command(app))
    return found


def test_every_command_and_option_is_in_the_command_reference():
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    missing = []
    for command, options in commands_and_options().items():
        section = re.search(rf"^#+ `syriabrief {re.escape(command)}\b.*?(?=^#+ `syriabrief |\Z)", text, flags=re.M | re.S)
        if section is None:
            missing.append(f"no section for syriabrief {command}")
            continue
        missing += [f"syriabrief {command} {option}" for option in options if option not in section.group(0)]
    assert missing == []


def test_every_module_has_its_line_in_the_architecture_doc():
    """docs/architecture.md gives each module one line: a new module fails here until it has one."""
    package = Path(__file__).resolve().parents[1] / "src" / "syriabrief"
    table = (DOCS / "architecture.md").read_text(encoding="utf-8").split("## One line per module", 1)[1]
    table = table.split("\n## ", 1)[0]
    named = set()
    for row in re.findall(r"^\| (.+?) \|", table, flags=re.M):
        cells = re.findall(r"`([^`]+\.py)`", row)
        # "`formats/jsonfmt.py`, `csvfmt.py`": the later names are in the first one's folder.
        folder = cells[0].rpartition("/")[0] if cells else ""
        named |= {cell if "/" in cell or not folder else f"{folder}/{cell}" for cell in cells}
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert modules - named == set(), "modules without a line in docs/architecture.md"
    assert named - modules == set(), "lines in docs/architecture.md for modules that do not exist"
