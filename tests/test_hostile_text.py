"""Untrusted text is displayed, never obeyed.

A store full of hostile strings (terminal escape sequences, C1 controls,
bidirectional overrides, NUL, Rich markup, very long text) is read by every
command the CLI has — discovered from the Typer app when the tests are
collected, so commands added later are covered without editing this file.
Human output must carry none of those characters raw; ``--json`` output must
parse and hold the strings exactly.
"""

from __future__ import annotations

import json
import re

import pytest
import typer
from typer.testing import CliRunner

from conftest import event, store_json
from syriabrief.cli import app
from syriabrief.formats import EXPORT_FORMATS
from syriabrief.output.terminal import visible, write_json

# --- the hostile strings --------------------------------------------------------

CSI_RED = "\x1b[31mRED\x1b[0m"
CLEAR_SCREEN = "\x1b[2J\x1b[H"
OSC_TITLE = "\x1b]0;window title pwned\x07"
OSC8_LINK = "\x1b]8;;http://evil.example/\x1b\\click me\x1b]8;;\x1b\\"
OSC52_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"
C1_CSI = "\x9b31mC1 red\x9b0m"
C1_OSC = "\x9d0;C1 title\x9c"
RLO = "\u202eexe.txt"
BIDI_ISOLATES = "\u2066isolated\u2069 \u200fmark\u200e \u061c"
ZERO_WIDTH = "zero\u200bwidth\ufeff"
NUL_BEL_BS_CR = "nul\x00bel\x07bs\x08cr\roverwritten del\x7f"
MARKUP = "[bold]bold[/bold] [/b] [link=http://x]link[/link] [red]unclosed :smile:"
FORMATS = "%s %n {0} {name!r}"
LONG = "long " * 900 + "x" * 400  # close to the 5,000-character limit, with a long unbroken word

HOSTILE = [CSI_RED, CLEAR_SCREEN, OSC_TITLE, OSC8_LINK, OSC52_CLIPBOARD, C1_CSI, C1_OSC, RLO,
           BIDI_ISOLATES, ZERO_WIDTH, NUL_BEL_BS_CR, MARKUP, FORMATS]  # fmt: skip
ALL_HOSTILE = " ".join(HOSTILE)

# Names the commands are given: hostile, but each resolves to exactly one record.
ACTOR_NAME = f"{CSI_RED} Brigade {MARKUP}"
ACTOR_ALIAS = f"{OSC52_CLIPBOARD}alias"
ACTOR2_NAME = f"{C1_CSI} Second {RLO}"
SITE_NAME = f"{OSC8_LINK} Base"
SITE_ALIAS = f"{OSC_TITLE}{BIDI_ISOLATES}"
SITE2_NAME = f"{C1_OSC} Airfield [/b]"

# Characters that must never reach a terminal raw: ESC, C0 (but tab, newline),
# DEL, C1, and the characters that reorder or hide text.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def hostile_source(tag: str) -> dict:
    return {"outlet": f"{tag} {OSC8_LINK} [link=http://x]Outlet", "document": f"{tag} {C1_OSC} {MARKUP}",
            "url": f"http://example.org/{CSI_RED}?{OSC52_CLIPBOARD}", "published": "2026-10-01"}  # fmt: skip


def hostile_store() -> dict:
    actors = [
        {"id": "hostile-actor", "name": ACTOR_NAME, "aliases": [ACTOR_ALIAS, RLO + " A1"],
         "kind": "non_state_armed_group", "country": OSC_TITLE + " land", "parent": None, "affiliations": []},
        {"id": "hostile-actor-2", "name": ACTOR2_NAME, "aliases": [ZERO_WIDTH + " A2", LONG[:300]],
         "kind": "state", "country": NUL_BEL_BS_CR, "parent": None, "affiliations": ["hostile-actor"]},
    ]  # fmt: skip
    sites = [
        {"id": "hostile-base", "name": SITE_NAME, "aliases": [SITE_ALIAS, MARKUP], "kind": "air_base",
         "country": CLEAR_SCREEN + " Syria", "admin1": C1_CSI, "lat": 36.5, "lon": 40.5,
         "location_precision": "exact"},
        {"id": "hostile-airfield", "name": SITE2_NAME, "aliases": [RLO + " S2"], "kind": "airport",
         "country": "Syria", "admin1": OSC52_CLIPBOARD, "lat": None, "lon": None,
         "location_precision": "approximate"},
    ]  # fmt: skip
    events = [
        event("h-deploy", "2025-06", "deployment", actors=["hostile-actor"], site="hostile-base",
              summary=f"Deployment: {ALL_HOSTILE}", sources=[hostile_source("s1")],
              quantities={CSI_RED + " troops": 200, MARKUP: {"low": 10, "high": 20}},
              tags=[OSC_TITLE, MARKUP, RLO]),
        event("h-statement", "2026-01-15", "statement", actors=["hostile-actor-2"],
              summary=LONG, sources=[hostile_source("s2")], status="reported"),
        event("h-handover", "2026-10-20", "handover", actors=["hostile-actor", "hostile-actor-2"],
              site="hostile-base", summary=f"Handover {OSC8_LINK} {MARKUP}", sources=[hostile_source("s3")],
              status="disputed", stage="completed",
              disputes=[{"claim": f"Claim {C1_CSI} {OSC52_CLIPBOARD} {MARKUP}",
                         "sources": [hostile_source("d1")]}]),
        event("h-withdrawal", "2026-11-01", "withdrawal", end_date="2026-11-05", actors=["hostile-actor-2"],
              site="hostile-base", destination="hostile-airfield", stage="began", approximate=True,
              summary=f"Withdrawal {RLO} {NUL_BEL_BS_CR}", sources=[hostile_source("s4")],
              quantities={OSC52_CLIPBOARD: 3}),
        event("h-control", "2026-11-10", "control_change", actors=["hostile-actor", "hostile-actor-2"],
              site="hostile-airfield", summary=f"Control {CLEAR_SCREEN}{C1_OSC}", status="claimed",
              sources=[hostile_source("s5")], disputes=[{"claim": BIDI_ISOLATES + ZERO_WIDTH, "sources": []}]),
    ]  # fmt: skip
    return store_json(events, actors, sites)


# --- set-up ---------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def hostile(tmp_path, monkeypatch) -> dict:
    """The hostile store as the bundled dataset, in a directory whose name is hostile too.

    Writing commands go to the default user store, which conftest puts under tmp_path.
    """
    folder = tmp_path / "dir \x1b[31m\u202e [bold]"
    folder.mkdir()
    store = folder / "hostile.json"
    store.write_text(json.dumps(hostile_store(), ensure_ascii=False), encoding="utf-8")
    broken = store_json([event("h-broken", "2026-13", "statement", summary=ALL_HOSTILE,
                               sources=[{"outlet": MARKUP, OSC52_CLIPBOARD: RLO}], **{CSI_RED: C1_CSI})],
                        actors=[{"id": CSI_RED, "name": OSC8_LINK}], sites=[])  # fmt: skip
    bad = folder / "broken.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(store))
    return {"store": store, "broken": bad, "folder": folder, "out": folder / "out.txt"}


def invoke(args: list[str]):
    # color=True: Click would otherwise strip some ANSI sequences from typer.echo
    # and hide exactly what these tests look for.
    return runner.invoke(app, args, color=True, catch_exceptions=True)


def assert_nothing_raw(result) -> None:
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        found = RAW_CONTROL.search(text)
        assert found is None, f"raw {found.group()!r} on {stream}: ...{text[max(0, found.start() - 60):found.end() + 20]!r}"


# --- discovering the commands ----------------------------------------------------


def leaf_commands() -> dict:
    """Every runnable command path ("timeline", "add actor") in the Typer app.

    Typer's Click is private (``typer._click``), so commands and parameters are
    looked at only through the attributes every Click version has.
    """
    found: dict = {}

    def walk(prefix: tuple[str, ...], command) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:  # a group
            if prefix and getattr(command, "invoke_without_command", False):
                found[" ".join(prefix)] = command
            for name, sub in subcommands.items():
                if not getattr(sub, "hidden", False):
                    walk((*prefix, name), sub)
        elif prefix:
            found[" ".join(prefix)] = command

    walk((), typer.main.get_command(app))
    return found


COMMANDS = leaf_commands()

# Argument lists for the commands we know. A tuple is an option with its value
# (or a flag alone); options a command does not have are dropped, so a renamed
# option shows up as a usage error rather than as a crash in this file.
# "{store}", "{broken}" and "{out}" are replaced by paths in the test's folder.
KNOWN_ARGS: dict[str, list[list]] = {
    "timeline": [[], [("--actor", ACTOR_NAME)], [("--site", SITE_ALIAS)], [("--search", "[/b]")],
                 [("--status", "disputed")], [("--actor", ACTOR_ALIAS), ("--since", "2026")]],
    "actor": [[], [ACTOR_NAME], [ACTOR_ALIAS], [ACTOR2_NAME]],
    "base": [[], [SITE_NAME], [SITE_ALIAS], [SITE2_NAME]],
    "compare": [[ACTOR_NAME, ACTOR2_NAME], [SITE_NAME, SITE2_NAME]],
    "brief": [[], [("--as-of", "2026-11-03")]],
    "store": [[]],
    "show": [["h-handover"], ["h-deploy"], ["h-control"]],
    "validate": [["{store}"]],
    # Every format to stdout (a terminal may be showing it), and to a file.
    "export": [*([("--format", f)] for f in EXPORT_FORMATS), [("--format", "geojson"), ("--sites",)],
               [("--format", "csv"), ("--sites",)], [("--format", "geojson"), ("--nested",)],
               [("--format", "csv"), ("-o", "{out}")], [("--format", "geojson"), ("-o", "{out}")]],
    "import": [["{store}", ("--dry-run",)], ["{store}"]],
    "read": [["{store}", ("--published", "2026-11-01"), ("--outlet", OSC8_LINK), ("--url", CSI_RED)]],
    "add event": [[("--date", "2026-11-15"), ("--type", "statement"), ("--actor", ACTOR_NAME), ("--site", SITE_NAME),
             ("--destination", SITE2_NAME), ("--summary", ALL_HOSTILE), ("--source-outlet", OSC8_LINK),
             ("--source-url", "https://example.org/" + CSI_RED), ("--source-document", C1_OSC), ("--quantity", CSI_RED + "=5"),
             ("--tag", MARKUP)]],
    "add actor": [[("--name", ACTOR_NAME + " new"), ("--alias", OSC52_CLIPBOARD + " new"), ("--kind", "state"),
                   ("--country", RLO), ("--parent", ACTOR_NAME), ("--affiliation", ACTOR2_NAME)]],
    "add site": [[("--name", SITE_NAME + " new"), ("--alias", C1_CSI + " new"), ("--kind", "air_base"),
                  ("--country", CLEAR_SCREEN), ("--admin1", OSC_TITLE), ("--lat", "36.1"), ("--lon", "40.2")]],
}  # fmt: skip

# Commands that report on the store's records: their --json carries its text.
READ_COMMANDS = {"timeline", "actor", "base", "compare", "brief", "show"}

# Deliberate errors that quote hostile input: (command, args, exit code).
ERROR_CASES = [
    ("timeline", [("--actor", OSC52_CLIPBOARD + "nobody [/b]")], 1),
    ("show", [OSC52_CLIPBOARD + "no-such-event [/b]"], 1),
    ("timeline", [("--site", C1_CSI + RLO)], 1),
    ("timeline", [("--since", OSC_TITLE)], 2),
    ("timeline", [("--until", CSI_RED + MARKUP)], 2),
    ("timeline", [("--db", "{broken}")], 1),
    ("actor", [OSC8_LINK + "nobody"], 1),
    ("base", [CLEAR_SCREEN + "nowhere [/b]"], 1),
    ("validate", ["{broken}"], 1),
    ("import", ["{broken}"], 1),
]


def option_names(command) -> dict:
    return {name: p for p in command.params if p.param_type_name == "option" for name in (*p.opts, *p.secondary_opts)}


def build_args(command, template: list, paths: dict) -> list[str]:
    options = option_names(command)
    args: list[str] = []
    for item in template:
        if isinstance(item, tuple):
            if item[0] not in options:
                continue
            args += [item[0], *(paths_in(v, paths) for v in item[1:])]
        else:
            args.append(paths_in(item, paths))
    return args


def paths_in(value: str, paths: dict) -> str:
    for key, path in paths.items():
        value = value.replace("{" + key + "}", str(path))
    return value


def generic_args(command) -> list:
    """For a command this file does not know: a value for each required parameter."""
    args: list = []
    for param in command.params:
        name = (param.name or "").lower()
        if param.param_type_name == "argument" and param.required:
            if any(word in name for word in ("file", "path", "store")):
                args.append("{store}")
            elif "site" in name or "base" in name:
                args += [SITE_NAME, SITE2_NAME] if param.nargs == -1 else [SITE_NAME]
            else:
                args += [ACTOR_NAME, ACTOR2_NAME] if param.nargs == -1 else [ACTOR_NAME]
        elif param.param_type_name == "option" and param.required and not param.is_flag:
            flag = max(param.opts, key=len)
            if getattr(param.type, "choices", None):
                value = str(list(param.type.choices)[0])
            elif any(word in param.type.name for word in ("int", "float")):
                value = "1"
            elif any(word in name for word in ("date", "since", "until", "as_of", "at")):
                value = "2026-11-01"
            elif any(word in name for word in ("output", "file", "path")):
                value = "{out}"
            elif "site" in name or "base" in name:
                value = SITE_NAME
            elif "actor" in name:
                value = ACTOR_NAME
            else:
                value = ALL_HOSTILE
            args.append((flag, value))
    return args


def human_cases() -> list:
    cases = []
    for path, command in COMMANDS.items():
        templates = KNOWN_ARGS.get(path) or [generic_args(command)]
        for number, template in enumerate(templates):
            cases.append(pytest.param(path, template, id=f"{path}-{number}"))
    return cases


def json_cases() -> list:
    cases = []
    for path, command in COMMANDS.items():
        if "--json" not in option_names(command):
            continue
        for number, template in enumerate(KNOWN_ARGS.get(path) or [generic_args(command)]):
            cases.append(pytest.param(path, template, id=f"{path}-{number}"))
    return cases


# --- every command, human form -----------------------------------------------------


def test_the_app_has_commands_to_test():
    assert "timeline" in COMMANDS


@pytest.mark.parametrize("path, template", human_cases())
def test_every_command_shows_hostile_text_without_obeying_it(hostile, path, template):
    command = COMMANDS[path]
    args = path.split() + build_args(command, template, hostile)
    result = invoke(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{path} raised {result.exception!r}: {result.stderr[-2000:]}"
    )
    assert result.exit_code == 0, f"{args!r} exited {result.exit_code}: {result.stderr[-2000:]}"
    assert_nothing_raw(result)


@pytest.mark.parametrize(
    "path, template, code",
    [pytest.param(p, t, c, id=f"{p}-{n}") for n, (p, t, c) in enumerate(ERROR_CASES) if p in COMMANDS],
)
def test_errors_quoting_hostile_input_show_it_without_obeying_it(hostile, path, template, code):
    args = path.split() + build_args(COMMANDS[path], template, hostile)
    result = invoke(args)
    assert result.exit_code == code, f"{args!r} exited {result.exit_code}: {result.stderr[-2000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "an error says what went wrong"
    assert_nothing_raw(result)


@pytest.mark.parametrize("path, template", json_cases())
def test_json_output_parses_and_keeps_the_hostile_text_exactly(hostile, path, template):
    command = COMMANDS[path]
    args = path.split() + build_args(command, template, hostile) + ["--json"]
    result = invoke(args)
    assert result.exit_code == 0, f"{args!r} exited {result.exit_code}: {result.stderr[-2000:]}"
    # Escaped in the JSON text, so a terminal showing it is not driven by it...
    assert RAW_CONTROL.search(result.stdout) is None
    assert_nothing_raw(result)
    data = json.loads(result.stdout)
    texts = set(strings_in(data))
    # ...and exact once parsed: nothing was made "visible" on the way.
    assert not any(visible(s) != s and visible(s) in texts for s in all_hostile_strings())
    assert not any(re.search(r"\\x1b|\\x9b|\\u202e", s) for s in texts), "visible() escapes leaked into JSON"
    if path in READ_COMMANDS:  # these report on the store: its text must come through raw
        assert any(h in t for h in HOSTILE for t in texts), "no hostile text in the JSON at all"


def test_the_timeline_json_is_the_store_exactly(hostile):
    result = invoke(["timeline", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == hostile_store()["events"]


def test_the_timeline_table_shows_the_text_as_itself(hostile):
    # Wide enough that no cell wraps, so each string can be found whole.
    result = runner.invoke(app, ["timeline", "--since", "2026-10"], color=True, env={"COLUMNS": "6000"})
    assert result.exit_code == 0, result.stderr
    for text in (OSC8_LINK, MARKUP, RLO, NUL_BEL_BS_CR, C1_OSC, CLEAR_SCREEN, SITE_NAME, ACTOR2_NAME):
        assert visible(text) in result.stdout, f"{text!r} is not shown as itself"
    assert "[/b]" in result.stdout and "[link=http://x]link[/link]" in result.stdout
    assert_nothing_raw(result)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_files_hold_no_raw_control_either(hostile, fmt):
    # `cat events.csv` shows a file on a terminal just as stdout would.
    result = invoke(["export", "--format", fmt, "-o", str(hostile["out"])])
    assert result.exit_code == 0, result.stderr
    text = hostile["out"].read_text(encoding="utf-8")
    found = RAW_CONTROL.search(text.replace("\r\n", "\n"))
    assert found is None, f"raw {found.group()!r} in the {fmt} file: ...{text[max(0, found.start() - 60):found.end() + 20]!r}"
    assert "\\x1b" in text or "\\u001b" in text, "the escape is shown, not dropped"


def test_json_exports_escape_controls_losslessly(hostile):
    # As `timeline --json`: escaped for the terminal, exact for a parser.
    store = json.loads(invoke(["export", "--format", "json"]).stdout)
    assert store["events"] == sorted(hostile_store()["events"], key=lambda e: e["date"])
    lines = invoke(["export", "--format", "jsonl"]).stdout.splitlines()
    assert [json.loads(line) for line in lines] == store["events"]
    features = json.loads(invoke(["export", "--format", "geojson"]).stdout)["features"]
    assert {f["properties"]["summary"] for f in features} <= {e["summary"] for e in store["events"]}


def test_a_store_with_a_lone_surrogate_is_refused_clearly(tmp_path):
    path = tmp_path / "s.json"
    # json.dumps writes the lone surrogate as the escape \ud800, which JSON allows.
    path.write_text(json.dumps(store_json([event("a", "2026", summary="broken \ud800 text")])), encoding="ascii")
    result = invoke(["timeline", "--db", str(path)])
    assert result.exit_code == 1 and "not valid Unicode" in result.stderr
    assert_nothing_raw(result)


# --- the helpers themselves ---------------------------------------------------------


def all_hostile_strings() -> list[str]:
    return list(strings_in(hostile_store()))


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings_in(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


@pytest.mark.parametrize("text", HOSTILE + [ACTOR_NAME, SITE_NAME, "\ud800 lone", "\u2028\u2029"], ids=lambda t: visible(t)[:30])
def test_visible_leaves_no_raw_control_and_keeps_tab_newline_and_scripts(text):
    shown = visible(text + "\tتدمر\nend")
    assert RAW_CONTROL.search(shown) is None
    assert "\u2028" not in shown and "\ud800" not in shown
    assert shown.endswith("\tتدمر\nend")


def test_visible_shows_each_control_as_its_escape():
    assert visible("a\x1b[31mb\x9bc\u202ed\x00") == "a\\x1b[31mb\\x9bc\\u202ed\\x00"


def test_write_json_escapes_what_a_terminal_would_obey_and_reads_back_exactly(tmp_path):
    value = {"text": ALL_HOSTILE, "lone": "\udc80", MARKUP: [RLO, "تدمر"]}
    path = tmp_path / "out.json"
    with open(path, "w", encoding="utf-8") as stream:
        write_json(value, stream)
    raw = path.read_text(encoding="utf-8")
    assert RAW_CONTROL.search(raw) is None and "\\u202e" in raw and "تدمر" in raw
    assert json.loads(raw) == value
