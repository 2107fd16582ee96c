"""Human output under an output encoding narrower than UTF-8: never a traceback.

Run as real processes, since the encoding of stdout is fixed when Python
starts (``PYTHONIOENCODING``, or the locale when it is not coerced to UTF-8).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ACTORS, SITES, event, write_store

NAMES = {"actor": "Ḥayʼat Taḥrīr al-Shām – HTS", "site": "Ḥmeimim “air” base · Jableh"}


@pytest.fixture
def store(tmp_path):
    actors = [*ACTORS, {"id": "hts", "name": NAMES["actor"], "aliases": ["HTS"], "kind": "non_state_armed_group",
                        "country": "Syria", "parent": None, "affiliations": []}]
    sites = [*SITES, {**SITES[3], "id": "hmeimim-2", "name": NAMES["site"], "aliases": ["Jableh base"]}]
    events = [event("e1", "2026-01-15", "deployment", actors=["hts"], site="hmeimim-2",
                    summary="Fighters of Ḥayʼat Taḥrīr al-Shām moved in — 200 of them, “reportedly”.")]
    return write_store(tmp_path / "store.json", events, actors=actors, sites=sites)  # fmt: skip


def syriabrief(store, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "syriabrief", *args, "--db", str(store)], capture_output=True, env=environment
    )


NARROW = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "latin-1": {"PYTHONIOENCODING": "latin-1"},
    # POSIX locale with UTF-8 coercion and UTF-8 mode off: Python falls back to ASCII.
    "C locale": {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
}


@pytest.mark.parametrize("encoding", NARROW)
@pytest.mark.parametrize("command", [["actor", "HTS"], ["timeline"], ["base", "Jableh base"]])
def test_reports_print_in_a_narrow_encoding(store, encoding, command):
    result = syriabrief(store, *command, **NARROW[encoding])
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    codec = "latin-1" if encoding == "latin-1" else "ascii"
    shown = result.stdout.decode(codec)  # nothing outside the encoding was written
    assert "Hay'at Tahrir al-Sham - HTS" in shown  # nearest letters, one for one


def test_an_error_in_a_narrow_encoding_is_one_line(store):
    result = syriabrief(store, "actor", "Ḥayʼat nobody", PYTHONIOENCODING="ascii")
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert result.stderr.count(b"\n") == 1 and result.stderr.startswith(b"Error: no actor named")


def test_json_stays_exact_utf8_in_a_narrow_encoding(store):
    result = syriabrief(store, "timeline", "--json", PYTHONIOENCODING="ascii")
    assert json.loads(result.stdout.decode("utf-8"))[0]["summary"].startswith("Fighters of Ḥayʼat")
