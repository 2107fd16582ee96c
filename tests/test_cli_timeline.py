import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, write_store
from syriabrief import __version__
from syriabrief.cli import app

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, list(args), env=env)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"syriabrief {__version__}"


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["timeline", "-h"]])
def test_help_leads_with_a_summary_and_an_example(args):
    result = run(*args)
    assert result.exit_code == 0
    assert "Example: syriabrief timeline" in result.stdout


def test_json_is_an_array_of_full_event_objects_in_date_order(sample_store):
    result = run("timeline", "--json", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    assert [e["id"] for e in events] == [e["id"] for e in sorted(SAMPLE_EVENTS, key=lambda e: e["date"])]
    assert events[-1] == SAMPLE_EVENTS[-1]
    assert result.stderr == ""


def test_the_store_can_come_from_the_environment(sample_store):
    result = run("timeline", "--json", env={"SYRIABRIEF_DB": str(sample_store)})
    assert len(json.loads(result.stdout)) == len(SAMPLE_EVENTS)


def test_filters_combine(sample_store):
    result = run("timeline", "--json", "--db", str(sample_store), "--since", "Jan 2026", "--actor", "u.s.",
                 "--type", "withdrawal", "--site", "Kasrak")  # fmt: skip
    assert [e["id"] for e in json.loads(result.stdout)] == ["2026-02-21-qasrak-evacuation"]


def test_an_actor_stands_for_the_forces_under_it_as_a_site_for_what_lies_in_it(tmp_path):
    units = [
        {"id": "centcom", "name": "US Central Command", "aliases": ["CENTCOM"], "kind": "state_armed_force",
         "country": "United States", "parent": "us", "affiliations": []},
        {"id": "task-force", "name": "Task Force Tanf", "aliases": [], "kind": "state_armed_force",
         "country": "United States", "parent": "centcom", "affiliations": []},
    ]  # fmt: skip
    at_tanf = ("2016-us-at-tanf", "2026-02-11-us-leaves-tanf")
    moved = [dict(e, actors=["task-force"]) if e["id"] in at_tanf else e for e in SAMPLE_EVENTS]
    db = str(write_store(tmp_path / "s.json", moved, actors=[*ACTORS, *units]))
    ids = [e["id"] for e in json.loads(run("timeline", "--json", "--actor", "US", "--db", db).stdout)]
    assert ids == ["2016-us-at-tanf", "2026-02-11-us-leaves-tanf", "2026-02-21-qasrak-evacuation"]
    assert [e["id"] for e in json.loads(run("timeline", "--json", "--actor", "CENTCOM", "--db", db).stdout)] == list(at_tanf)
    # A brief for a force names the bases it or its units hold or last held.
    brief = json.loads(run("brief", "--actor", "US", "--as-of", "2026-03-01", "--json", "--db", db).stdout)
    assert [b["site"] for b in brief["bases"]] == ["al-tanf", "qasrak"]
    unit = json.loads(run("brief", "--actor", "CENTCOM", "--as-of", "2026-03-01", "--json", "--db", db).stdout)
    assert [b["site"] for b in unit["bases"]] == ["al-tanf"]


def test_a_narrow_screen_gets_two_columns_whose_words_stay_whole(sample_store):
    result = run("timeline", "--db", str(sample_store), env={"COLUMNS": "60"})
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and max(len(line) for line in lines) <= 60
    assert any("Date · type" in line and "Actors · place · summary" in line for line in lines)
    # Whole words: "Qamishli" and "withdrawal" are not folded across lines as in five thin columns.
    text = " ".join(line.strip("│ ") for line in lines)
    assert "Qamishli airport" in text and "withdrawal" in text


def test_an_empty_result_is_an_empty_array_and_success(sample_store):
    result = run("timeline", "--json", "--db", str(sample_store), "--since", "2030")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_an_unknown_actor_suggests_and_prints_nothing_on_stdout(sample_store):
    result = run("timeline", "--json", "--db", str(sample_store), "--actor", "SFD")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "Error: no actor named 'SFD'. Did you mean 'SDF' (Syrian Democratic Forces)?"


def test_an_unreadable_date_is_a_usage_error_naming_the_forms(sample_store):
    result = run("timeline", "--db", str(sample_store), "--since", "last tuesday-ish")
    assert result.exit_code == 2
    assert "2026-01-15" in result.stderr and "Jan 2026" in result.stderr
    assert result.stdout == ""


def test_a_missing_store_is_a_one_line_error(tmp_path):
    result = run("timeline", "--db", str(tmp_path / "none.json"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: no store at")
    assert not (tmp_path / "none.json").exists()


def test_the_table_has_a_narrative_from_the_events_shown(sample_store):
    result = run("timeline", "--db", str(sample_store), "--since", "2026-02")
    assert result.exit_code == 0
    assert result.stdout.startswith("2 events from 11 Feb 2026 to ~22 Feb 2026.")
    assert "The one actor named is United States." in result.stdout
    assert "~21–22 Feb 2026" in result.stdout and "disputed" in result.stdout


def test_the_narrative_follows_the_data(tmp_path):
    changed = [dict(e, actors=["russia"]) if e["actors"] == ["us"] else e for e in SAMPLE_EVENTS]
    store = write_store(tmp_path / "s.json", changed)
    result = run("timeline", "--db", str(store), "--since", "2026-02")
    assert "The one actor named is Russia." in result.stdout and "United States" not in result.stdout


@pytest.mark.parametrize(
    "since, until, opening",
    [
        # One day: "on"; the names of one event are listed, not ranked by a count of one.
        ("2026-02-11", "2026-02-11", "1 event on 11 Feb 2026. The one actor named is United States. The one site named is Al-Tanf garrison."),
        # Several events naming some more than others: ranked, with counts.
        ("2016", "2026-02", "5 events from ~2016 to ~22 Feb 2026. The actors named most often are United States (3),"),
    ],
)
def test_the_summary_reads_well_for_one_event_and_for_many(sample_store, since, until, opening):
    result = run("timeline", "--db", str(sample_store), "--since", since, "--until", until)
    assert " ".join(result.stdout.split()).startswith(opening)


def test_a_long_table_is_cut_and_says_how_to_see_more(tmp_path):
    from conftest import event

    many = [event(f"e{n:03d}", f"2026-01-{1 + n % 28:02d}") for n in range(120)]
    store = write_store(tmp_path / "s.json", many)
    result = run("timeline", "--db", str(store))
    assert "Showing the latest 50 events of 120" in result.stderr
    assert result.stdout.startswith("120 events from 1 Jan 2026 to 28 Jan 2026 (the latest 50 shown).")


@pytest.mark.parametrize("args, message", [
    (["--since", "2026-03", "--until", "2026-01"], "--since 2026-03 is after --until 2026-01"),
    (["--since", ""], "cannot read the date ''"),
    (["--until", "03/04/2026"], "could be 2026-04-03 (day first) or 2026-03-04 (month first)"),
])  # fmt: skip
def test_dates_that_cannot_mean_what_was_asked_are_usage_errors(sample_store, args, message):
    result = run("timeline", "--json", "--db", str(sample_store), *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


@pytest.mark.parametrize("command", [["brief", "--as-of", "2026-02-24"], ["timeline"], ["timeline", "--json"]])
def test_a_reader_that_stops_early_is_not_an_error(command):
    """``syriabrief brief | head -c 10``: exit 0 and no traceback (Rich's default would exit 1)."""
    from syriabrief.storage.paths import bundled_path

    env = dict(os.environ, SYRIABRIEF_BUNDLED=str(bundled_path()))
    reader = subprocess.Popen(
        [sys.executable, "-m", "syriabrief", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    reader.stdout.read(10)
    reader.stdout.close()
    assert reader.wait(timeout=60) == 0
    assert b"Traceback" not in reader.stderr.read()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("command", [["--version"], ["--help"], ["brief", "--as-of", "2026-02-24"], ["timeline", "--json"],
                                     ["export", "--format", "csv"]])  # fmt: skip
def test_an_answer_the_disk_refuses_is_one_line_not_a_traceback(command):
    """``syriabrief timeline --json > /dev/full``: Error and the reason on stderr, exit 1."""
    from syriabrief.storage.paths import bundled_path

    env = dict(os.environ, SYRIABRIEF_BUNDLED=str(bundled_path()))
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "syriabrief", *command], stdout=full, stderr=subprocess.PIPE, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.decode().splitlines() == ["Error: No space left on device."]


def test_a_list_of_disputed_events_does_not_tell_how_to_list_them(monkeypatch):
    from syriabrief.storage import paths

    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    mixed, disputed = run("timeline"), run("timeline", "--disputed")
    assert mixed.exit_code == disputed.exit_code == 0
    mixed_text, disputed_text = (" ".join(r.stdout.split()) for r in (mixed, disputed))  # as read, unwrapped
    assert "timeline --disputed lists them" in mixed_text  # some of many: how to see only those
    assert "timeline --disputed" not in disputed_text and "Sources disagree on every one of them" in disputed_text


def test_disputed_lists_every_event_with_another_account(monkeypatch):
    """--disputed keeps events whose status is disputed or that carry a dispute (test_index covers the index)."""
    import json as jsonlib

    from syriabrief.storage import paths

    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    raw = jsonlib.loads(paths.bundled_path().read_text(encoding="utf-8"))
    expected = sorted(e["id"] for e in raw["events"] if e["status"] == "disputed" or e["disputes"])
    plain = run("timeline", "--disputed", "--json")
    assert plain.exit_code == 0, plain.stderr
    assert sorted(e["id"] for e in jsonlib.loads(plain.stdout)) == expected
    assert len(expected) > 2  # more than the events whose status alone says disputed


def test_show_prints_one_event_whole_and_suggests_close_ids(monkeypatch):
    from syriabrief.storage import paths

    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    result = run("show", "2026-02-21-us-begins-qasrak-withdrawal")
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Other accounts" in out and "Sources" in out and "Reuters" in out
    as_json = run("show", "2026-02-21-us-begins-qasrak-withdrawal", "--json")
    import json as jsonlib

    assert jsonlib.loads(as_json.stdout)["id"] == "2026-02-21-us-begins-qasrak-withdrawal"
    missing = run("show", "2026-02-21-us-begins-qasrak")
    assert missing.exit_code == 1 and "Did you mean '2026-02-21-us-begins-qasrak-withdrawal'" in missing.stderr
    shouted = run("show", "2026-02-21-US-Begins-Qasrak-Withdrawal", "--json")  # ids are lower case: case is no difference
    assert shouted.exit_code == 0 and jsonlib.loads(shouted.stdout)["id"] == "2026-02-21-us-begins-qasrak-withdrawal"


def test_the_age_of_the_newest_event_keeps_its_approximate_span():
    import datetime

    from conftest import SAMPLE_EVENTS, dataset
    from syriabrief.reports.narrative import timeline_summary

    # The newest event, the Qasrak evacuation, is dated around 21–22 Feb 2026: not "from 22 Feb".
    data = dataset(SAMPLE_EVENTS)
    text = timeline_summary(data.select(), data, as_of=datetime.date(2026, 11, 1))
    assert "The newest is from ~21–22 Feb 2026, 252 days before 1 Nov 2026." in text
