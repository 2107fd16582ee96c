"""The console-script entry point answers --version as the Typer app does, without loading it."""

from __future__ import annotations

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


def test_timeline_json_does_not_import_rich_or_dateutil(sample_store):
    code = (
        "import sys; from syriabrief.cli import main; sys.argv = ['syriabrief', 'timeline', '--json', '--db', "
        f"{str(sample_store)!r}, '--since', '2026-01']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rich', 'dateutil') if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
