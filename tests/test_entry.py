"""The console-script entry point answers --version as the Typer app does, without loading it."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from syriabrief.cli import app


def test_version_fast_path_prints_what_the_app_prints():
    fast = subprocess.run([sys.executable, "-m", "syriabrief", "--version"], capture_output=True, text=True)
    slow = CliRunner().invoke(app, ["--version"])
    assert fast.returncode == 0 and fast.stdout == slow.stdout and fast.stderr == ""


def test_version_does_not_import_typer_or_rich():
    code = "import sys, runpy; sys.argv = ['syriabrief', '--version']; from syriabrief.entry import main; main(); " \
           "print(sorted(m for m in ('typer', 'rich', 'tinydb', 'dateutil') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.splitlines()[-1] == "[]"


def modules_after_a_run(store, *args: str, shown: str, first: str = "") -> str:
    """Run ``syriabrief timeline --json --db store *args`` in a fresh interpreter (after the code ``first``);
    what ``shown`` lists of sys.modules after."""
    code = (
        f"{first}\n"
        f"import sys; from syriabrief.cli import main; sys.argv = ['syriabrief', 'timeline', '--json', '--db', {str(store)!r}, *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if {shown}), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return result.stderr.strip().splitlines()[-1]


def test_timeline_json_does_not_import_rich_or_dateutil(sample_store):
    assert modules_after_a_run(sample_store, "--since", "2026-01", shown="m in ('rich', 'dateutil')") == "[]"


def test_a_timeline_imports_nothing_of_how_positions_are_replayed(sample_store):
    """A question about events alone, read into memory or from an index, leaves the positions replay,
    the map's geometry and calendar unloaded (and, from an index, the record checker too)."""
    unused = ["syriabrief.domain.positions", "syriabrief.storage.settled", "syriabrief.domain.geometry", "calendar"]
    shown = f"m in {unused + ['syriabrief.domain.validate']!r}"
    assert modules_after_a_run(sample_store, "--actor", "SDF", shown=shown) == "['syriabrief.domain.validate']"
    # An index trusted at once: a store changed within index.RACY_WINDOW_NS of the build is first
    # checked by its content, through the code that takes changes in (which settles positions).
    indexed = "from syriabrief.storage import index; index.INDEX_MIN_BYTES = 0; index.RACY_WINDOW_NS = 0"
    modules_after_a_run(sample_store, shown=shown, first=indexed)  # builds the index, which replays positions
    assert modules_after_a_run(sample_store, "--actor", "SDF", shown=shown, first=indexed) == "[]"


def test_a_command_run_builds_only_that_command():
    from syriabrief.cli import _app_for

    assert [c.callback.__name__ for c in _app_for(["timeline", "--json"]).registered_commands] == ["timeline"]
    only_add = _app_for(["add", "--date", "2026"])
    assert only_add.registered_commands == [] and [g.name for g in only_add.registered_groups] == ["add"]
    # Help for everything, and a mistyped name (its error lists the commands), get the whole app.
    assert _app_for(["--help"]) is app and _app_for(["timelin"]) is app and _app_for([]) is app


def test_a_store_named_before_the_command_is_that_commands_store(tmp_path, sample_store):
    from syriabrief.cli import _app_for

    # The value of --db is no command: the app built is the one the word after it names.
    assert [c.callback.__name__ for c in _app_for(["--db", "brief", "timeline"]).registered_commands] == ["timeline"]
    runner, other = CliRunner(), str(tmp_path / "missing.json")

    def ids(*args, env=None):
        result = runner.invoke(_app_for(list(args)), list(args), env=env)
        return result.exit_code, result.stdout if result.exit_code else len(json.loads(result.stdout))

    after = ids("timeline", "--json", "--db", str(sample_store))
    assert ids("--db", str(sample_store), "timeline", "--json") == after
    # Before the command it stands over SYRIABRIEF_DB; after the command, over both.
    assert ids("--db", str(sample_store), "timeline", "--json", env={"SYRIABRIEF_DB": other}) == after
    assert ids("--db", other, "timeline", "--json", "--db", str(sample_store)) == after
    assert ids("--db", str(sample_store), "timeline", "--json", "--db", other)[0] == 1


def test_one_command_app_answers_as_the_whole_app():
    from syriabrief.cli import _app_for

    for args in (["timeline", "--help"], ["add", "--help"], ["add", "site", "--help"], ["timeline", "--bogus"],
                 ["store", "--json"]):  # fmt: skip
        whole, one = (CliRunner().invoke(a, args, prog_name="syriabrief") for a in (app, _app_for(args)))
        assert (one.exit_code, one.stdout, one.stderr) == (whole.exit_code, whole.stdout, whole.stderr), args


def test_every_command_is_loaded_from_the_module_that_registers_it():
    from syriabrief.cli import COMMANDS

    registered = {c.name or c.callback.__name__.replace("_", "-"): c.callback.__module__ for c in app.registered_commands}
    registered |= {g.name: g.typer_instance.registered_commands[0].callback.__module__ for g in app.registered_groups}
    assert {name: module.rsplit(".", 1)[1] for name, module in registered.items()} == COMMANDS
    # Help lists them in the table's order, whatever order a process loaded them in.
    assert [c.name or c.callback.__name__ for c in app.registered_commands] == [
        name for name in COMMANDS if name not in {g.name for g in app.registered_groups}
    ]


def test_a_run_imports_only_its_own_command_module(sample_store):
    loaded = modules_after_a_run(sample_store, shown="m.startswith('syriabrief.cli.')")
    assert loaded == "['syriabrief.cli.common', 'syriabrief.cli.timeline']"


def test_every_command_module_is_in_the_table_that_loads_it():
    from pathlib import Path

    import syriabrief.cli
    from syriabrief.cli import COMMANDS

    modules = {f.stem for f in Path(syriabrief.cli.__file__).parent.glob("*.py")} - {"__init__", "common"}
    assert modules == set(COMMANDS.values())  # a module missing from COMMANDS would never be loaded


def test_a_run_leaves_its_objects_out_of_the_collectors_last_pass(sample_store):
    # The interpreter's exit collects every object still alive; cli.main freezes them (14 ms a query).
    code = (
        "import gc, sys; from syriabrief.cli import main; "
        f"sys.argv = ['syriabrief', 'timeline', '--json', '--db', {str(sample_store)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(gc.get_freeze_count() > 0, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "True"
