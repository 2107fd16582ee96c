"""``actor``, ``base``, ``compare`` and ``brief`` through the CLI, on small stores and on the bundled data."""

import json
import re

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, SITES, event, write_store
from syriabrief.cli import app
from syriabrief.storage import paths

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, list(args), env=env)


def flat(text: str) -> str:
    """Wrapped output as one line, so a test can look for a sentence wherever the lines break."""
    return " ".join(text.split())


def as_json(result):
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def bundled(monkeypatch):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.parametrize("command", ["actor", "base", "compare", "brief"])
def test_help_leads_with_a_summary_and_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Example: syriabrief {command}" in result.stdout


# --- base ---------------------------------------------------------------------------------


def test_base_json_is_one_object_with_the_documented_keys(sample_store):
    report = as_json(run("base", "Kasrak", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))
    for key in ("id", "name", "aliases", "kind", "country", "admin1", "lat", "lon", "as_of", "holder",
                "status", "history", "events", "narrative"):  # fmt: skip
        assert key in report
    assert (report["id"], report["holder"], report["status"], report["as_of"]) == ("qasrak", "us", "withdrawing", "2026-02-24")
    assert report["disputed"] is True
    [account] = report["accounts"]
    assert [a["claim"] for a in account["accounts"]][1] == "An Iraqi official put the start on 22 February."
    assert [e["id"] for e in report["events"]] == ["2026-02-21-qasrak-evacuation"]


def test_base_as_of_a_partial_date_means_its_last_day(sample_store):
    report = as_json(run("base", "Tanf", "--as-of", "2026-02", "--json", "--db", str(sample_store)))
    assert (report["as_of"], report["status"], report["previous"]) == ("2026-02-28", "vacated", "us")


@pytest.mark.parametrize("args", [
    ["base", "Tanf", "--as-of", "2099"], ["brief", "--as-of", "2099-06"], ["compare", "--at", "2026-01", "--at", "2099"],
    ["export", "--format", "csv", "--sites", "--as-of", "2099"],
])  # fmt: skip
def test_a_day_after_today_is_answered_with_a_note_that_nothing_newer_is_known(sample_store, args):
    future = run(*args, "--db", str(sample_store))
    assert future.exit_code == 0, future.stderr
    option = "--at" if "--at" in args else "--as-of"
    assert f"Note: {option} {args[-1]} ends on " in future.stderr and "after today: this is the latest state recorded" in flat(future.stderr)
    past = run(*args[:-1], "2026-02-24", "--db", str(sample_store))
    assert past.exit_code == 0 and "after today" not in past.stderr


def test_base_human_output_has_status_history_and_narrative(sample_store):
    result = run("base", "Qamishli", "airport", "--as-of", "2026-01-23", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    assert "Status: Russia withdrawing since 20 Jan 2026" in result.stdout
    assert "Control history" in result.stdout
    assert "Russia was leaving Qamishli airport on 20–27 Jan 2026 toward Hmeimim air base [1]" in flat(result.stdout)
    # Numbered markers in the paragraph; the cited events listed under it.
    assert "[1] 20–27 Jan 2026 — " in result.stdout


def test_the_other_names_line_leaves_out_the_name_itself(tmp_path):
    sites = [dict(s, aliases=["qasrak BASE", *s["aliases"]]) if s["id"] == "qasrak" else s for s in SITES]
    db = str(write_store(tmp_path / "s.json", SAMPLE_EVENTS, sites=sites))
    assert "Also: Kasrak, Al-Kasrak\n" in run("base", "Qasrak", "--db", db).stdout
    actors = [dict(a, aliases=["United States", "US"]) if a["id"] == "us" else a for a in ACTORS]
    db = str(write_store(tmp_path / "a.json", SAMPLE_EVENTS, actors=actors))
    assert "Also: US\n" in run("actor", "US", "--db", db).stdout


@pytest.mark.parametrize("args, note", [
    (["actor", "Rusia"], "Note: actor 'Rusia' taken as Russia (russia), a loose match (transliteration)."),
    (["base", "Quasrak"], "Note: site 'Quasrak' taken as Qasrak base (qasrak), a loose match (transliteration)."),
    (["compare", "US", "Rusia"], "Note: actor 'Rusia' taken as Russia (russia), a loose match (transliteration)."),
    (["timeline", "--actor", "Rusia"], "Note: actor 'Rusia' taken as Russia (russia), a loose match (transliteration)."),
    (["brief", "--site", "Quasrak"], "Note: site 'Quasrak' taken as Qasrak base (qasrak), a loose match (transliteration)."),
])  # fmt: skip
def test_a_name_taken_by_a_loose_match_is_said_on_stderr_once(sample_store, args, note):
    result = run(*args, "--json", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count(note) == 1, result.stderr
    json.loads(result.stdout)  # stdout stays the answer alone
    # A name as listed is taken without a word.
    exact = run(*[("Russia" if a == "Rusia" else "Qasrak" if a == "Quasrak" else a) for a in args], "--json", "--db", str(sample_store))
    assert "Note:" not in exact.stderr


def test_base_without_a_name_lists_every_site_with_its_status(sample_store):
    rows = as_json(run("base", "--json", "--as-of", "2026-02-24", "--db", str(sample_store)))
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 5
    assert (by_id["al-tanf"]["status"], by_id["qasrak"]["status"], by_id["erbil"]["status"]) == ("vacated", "withdrawing", "unknown")
    table = run("base", "--as-of", "2026-02-24", "--db", str(sample_store))
    assert "Qasrak base" in table.stdout and "withdrawing" in table.stdout


def test_the_lists_on_a_narrow_screen_keep_the_columns_about_positions(sample_store):
    for command, dropped in (("base", ("Kind", "Governorate")), ("actor", ("Kind", "Country"))):
        wide = run(command, "--db", str(sample_store), env={"COLUMNS": "120"}).stdout
        narrow = run(command, "--db", str(sample_store), env={"COLUMNS": "60"}).stdout
        assert all(word in wide for word in dropped) and not any(word in narrow for word in dropped), narrow
        assert max(len(line) for line in narrow.splitlines()) <= 60


def test_an_empty_store_lists_nothing_as_an_empty_array(tmp_path):
    empty = write_store(tmp_path / "empty.json", [], actors=[], sites=[])
    for command in ("actor", "base"):
        result = run(command, "--json", "--db", str(empty))
        assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (["actor", "SFD"], "Did you mean 'SDF' (Syrian Democratic Forces)?"),
        (["base", "Qasrax"], "Did you mean"),
        (["compare", "Rusland", "US"], "Did you mean"),
    ],
)
def test_unknown_names_fail_with_a_suggestion_and_nothing_on_stdout(sample_store, args, message):
    result = run(*args, "--json", "--db", str(sample_store))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.startswith("Error: ")


def test_an_unreadable_as_of_date_is_a_usage_error(sample_store):
    result = run("base", "Qasrak", "--as-of", "someday", "--db", str(sample_store))
    assert result.exit_code == 2 and result.stdout == ""


def test_a_long_event_list_is_cut_and_says_so_on_stderr(tmp_path):
    many = [event(f"2026-01-{1 + n % 28:02d}-note-{n:03d}", f"2026-01-{1 + n % 28:02d}", site="qasrak") for n in range(60)]
    db = write_store(tmp_path / "s.json", many)
    result = run("base", "Qasrak", "--as-of", "2026-02-01", "--db", str(db))
    assert result.exit_code == 0
    assert "Showing the latest 20 events of 60" in result.stderr and "Events (20 of 60 shown)" in result.stdout
    assert len(as_json(run("base", "Qasrak", "--as-of", "2026-02-01", "--json", "--db", str(db)))["events"]) == 60
    longer = run("base", "Qasrak", "--as-of", "2026-02-01", "--limit", "45", "--db", str(db))
    assert "Events (45 of 60 shown)" in longer.stdout and longer.stderr == ""
    limited = as_json(run("base", "Qasrak", "--as-of", "2026-02-01", "--json", "--limit", "5", "--db", str(db)))
    assert len(limited["events"]) == 5 and limited["event_count"] == 60
    assert limited["last_event"]["id"] == limited["events"][-1]["id"] != limited["first_event"]["id"]


# --- actor --------------------------------------------------------------------------------


def test_actor_json_has_holds_left_events_and_narrative(sample_store):
    report = as_json(run("actor", "U.S.", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))
    for key in ("id", "name", "aliases", "kind", "country", "as_of", "holds", "left", "events", "narrative"):
        assert key in report
    assert [(h["site"], h["status"], h["destination"]) for h in report["holds"]] == [("qasrak", "withdrawing", "erbil")]
    assert [(p["site"], p["status"], p["since"], p["until"]) for p in report["left"]] == [("al-tanf", "vacated", "2016", "2026-02-11")]
    assert f"The United States left Al-Tanf garrison on 11 Feb 2026 {marker(report, '2026-02-11-us-leaves-tanf')}." in report["narrative"]


def test_actor_events_follow_since_and_until(sample_store):
    report = as_json(run("actor", "US", "--as-of", "2026-02-24", "--since", "2026-02", "--json", "--db", str(sample_store)))
    assert [e["id"] for e in report["events"]] == ["2026-02-11-us-leaves-tanf", "2026-02-21-qasrak-evacuation"]


def test_actor_human_output_shows_holds_and_left(sample_store):
    result = run("actor", "Russia", "--as-of", "2026-02-01", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Russia")
    assert "Left" in out and "Qamishli airport" in out and "Hmeimim air base" in out
    assert "[1] 20–27 Jan 2026 — " in out


def test_actor_list_json_is_an_array(sample_store):
    rows = as_json(run("actor", "--json", "--as-of", "2026-02-24", "--db", str(sample_store)))
    assert {r["id"] for r in rows} == {"us", "russia", "sdf", "syrian-army"}


def test_the_actor_list_marks_holds_on_old_reports_as_brief_does(tmp_path):
    db = str(write_store(tmp_path / "s.json", [
        *SAMPLE_EVENTS, event("2026-02-01-us-at-erbil", "2026-02-01", "deployment", actors=["us"], site="erbil"),
    ]))  # fmt: skip
    legend = "* disputed, or last reported more than 60 days before"
    fresh = run("actor", "--as-of", "2026-03-01", "--db", db, env={"COLUMNS": "160"})
    assert fresh.exit_code == 0, fresh.stderr
    us = next(line for line in fresh.stdout.splitlines() if "United States" in line)
    # Qasrak's evacuation is disputed; Erbil, a month on, is plainly held.
    assert "Qasrak base*" in us and "Erbil*" not in us and "Erbil" in us and f"{legend} 1 Mar 2026" in fresh.stdout
    assert fresh.stdout.startswith("Actors as of 1 Mar 2026")
    assert run("base", "--as-of", "2026-03-01", "--db", db).stdout.startswith("Sites as of 1 Mar 2026")
    old = run("actor", "--as-of", "2026-11-20", "--db", db, env={"COLUMNS": "160"}).stdout
    assert "Erbil*" in next(line for line in old.splitlines() if "United States" in line)
    nothing_held = run("actor", "--as-of", "2016-06-01", "--db", db, env={"COLUMNS": "160"}).stdout
    assert "*" not in nothing_held and legend not in nothing_held
    # The list says what a row counts, as the profiles count more.
    assert "Each row is the actor's own positions and events; actor NAME adds those of the forces under it." in flat(fresh.stdout)


def test_the_narrative_follows_the_data(tmp_path):
    """Change the day the US left Al-Tanf and the sentence about it changes with it."""
    moved = [dict(e, date="2026-02-09") if e["id"] == "2026-02-11-us-leaves-tanf" else e for e in SAMPLE_EVENTS]
    for events, day in ((SAMPLE_EVENTS, "11 Feb 2026"), (moved, "9 Feb 2026")):
        db = write_store(tmp_path / f"{day}.json", events)
        report = as_json(run("base", "Tanf", "--as-of", "2026-03", "--json", "--db", str(db)))
        assert f"The United States left Al-Tanf garrison on {day} {marker(report, '2026-02-11-us-leaves-tanf')}." in report["narrative"]
    renamed = [dict(e, actors=["russia"]) if e["id"] == "2026-02-11-us-leaves-tanf" else e for e in SAMPLE_EVENTS]
    db = write_store(tmp_path / "renamed.json", renamed)
    report = as_json(run("base", "Tanf", "--as-of", "2026-03", "--json", "--db", str(db)))
    assert "Russia left Al-Tanf garrison on 11 Feb 2026" in report["narrative"]


# --- compare ------------------------------------------------------------------------------


def test_compare_actors_json(sample_store):
    result = run("compare", "US", "Russia", "--as-of", "2026-02-24", "--json", "--db", str(sample_store))
    report = as_json(result)
    assert set(report) >= {"as_of", "subjects", "differences", "narrative"}
    assert [s["id"] for s in report["subjects"]] == ["us", "russia"]
    destinations = {d["aspect"]: d["values"] for d in report["differences"]}["destinations"]
    assert destinations == {"us": ["erbil"], "russia": ["hmeimim"]}
    assert "Their destinations differ: the United States toward Erbil" in report["narrative"]


def test_compare_finds_what_two_actors_share(tmp_path):
    both_to_erbil = [dict(e, destination="erbil") if e["id"] == "2026-01-20-russia-leaves-qamishli" else e for e in SAMPLE_EVENTS]
    db = write_store(tmp_path / "s.json", both_to_erbil)
    report = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-24", "--json", "--db", str(db)))
    shared = {d["aspect"]: d["shared"] for d in report["similarities"]}
    assert shared["destinations"] == ["erbil"]
    numbers = ", ".join(marker(report, e)[1:-1] for e in ("2026-02-21-qasrak-evacuation", "2026-01-20-russia-leaves-qamishli"))
    assert f"Both the United States and Russia moved toward Erbil [{numbers}]." in report["narrative"]


def test_compare_says_which_actors_positions_leave_out_an_event_that_may_come_after(tmp_path):
    # Seen from 10 Feb 2026, a withdrawal dated only "Feb 2026" may not have happened yet: the US
    # positions leave it out, as its profile does, and the comparison says so of the US alone.
    vague = event("2026-02-us-leaves-qasrak", "2026-02", "withdrawal", actors=["us"], site="qasrak")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, vague]))
    report = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-10", "--json", "--db", db))
    assert [s["pending"] for s in report["subjects"]] == [[vague["id"]], []]
    assert (f"The positions of the United States are uncertain: an event dated only Feb 2026 may fall after 10 Feb 2026, "
            f"so it is left out {marker(report, vague['id'])}.") in report["narrative"]  # fmt: skip
    assert "positions of Russia" not in report["narrative"]
    profile = as_json(run("actor", "US", "--as-of", "2026-02-10", "--json", "--db", db))
    assert profile["pending"] == [vague["id"]]
    # From the month's end the event is simply past.
    after = as_json(run("compare", "US", "Russia", "--as-of", "2026-03-01", "--json", "--db", db))
    assert [s["pending"] for s in after["subjects"]] == [[], []] and "uncertain" not in after["narrative"]


def test_a_site_left_over_a_span_says_so_not_its_last_day(sample_store):
    # Russia's withdrawal from Qamishli airport ran from 20 to 27 January: it left within those days.
    report = as_json(run("base", "Qamishli airport", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))
    assert "no force is recorded at Qamishli airport: Russia left on 20–27 Jan 2026" in report["narrative"]


def test_a_town_or_a_country_is_in_and_a_base_is_at(tmp_path):
    events = [event("2026-01-05-us-in-erbil", "2026-01-05", "presence", actors=["us"], site="erbil"),
              event("2026-01-06-us-at-qasrak", "2026-01-06", "presence", actors=["us"], site="qasrak")]  # fmt: skip
    db = str(write_store(tmp_path / "s.json", events))
    assert "The United States was reported in Erbil on 5 Jan 2026" in as_json(run("base", "Erbil", "--as-of", "2026-01-10", "--json", "--db", db))["narrative"]
    assert "The United States was reported at Qasrak base on 6 Jan 2026" in as_json(run("base", "Qasrak", "--as-of", "2026-01-10", "--json", "--db", db))["narrative"]


@pytest.mark.parametrize(("command", "kind"), [("actor", "actor"), ("base", "site")])
def test_an_empty_name_is_refused_not_taken_for_no_name(sample_store, command, kind):
    # `actor ""` (a script's empty variable) names nothing; `actor` alone lists every actor.
    result = run(command, "", "--db", str(sample_store))
    assert result.exit_code == 1 and result.stderr == f"Error: no {kind} named ''. Run 'syriabrief {command}' to list them.\n"
    assert run(command, "--db", str(sample_store)).exit_code == 0


def test_an_actor_that_left_every_site_is_said_to_hold_none(sample_store):
    profile = as_json(run("actor", "Russia", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))
    assert profile["holds"] == [] and profile["left"]
    assert profile["narrative"].startswith("As of 24 Feb 2026, Russia holds no recorded site. Russia left Qamishli airport")
    # One that holds a site says what it holds instead.
    assert "no recorded site" not in as_json(run("actor", "US", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))["narrative"]


def test_a_withdrawal_halted_by_forces_arriving_is_told_in_the_actors_profile(tmp_path):
    back = event("2026-03-11-us-back-at-qasrak", "2026-03-11", "deployment", actors=["us"], site="qasrak")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, back]))
    profile = as_json(run("actor", "US", "--as-of", "2026-03-20", "--json", "--db", db))
    began = marker(profile, "2026-02-21-qasrak-evacuation")[1:-1]
    halted = f"The United States began leaving Qasrak base around 21–22 Feb 2026, until forces arriving on 11 Mar 2026 halted it [{began}, {marker(profile, back['id'])[1:-1]}]."
    assert halted in profile["narrative"]
    # Before the return there is nothing halted to tell: the US is leaving.
    assert "halted" not in as_json(run("actor", "US", "--as-of", "2026-03-01", "--json", "--db", db))["narrative"]
    # An earlier withdrawal halted in its turn is not taken for the start of the latest one.
    earlier = [event("2025-06-01-us-leaves-qasrak", "2025-06-01", "withdrawal", stage="began", actors=["us"], site="qasrak"),
               event("2025-07-01-us-back-at-qasrak", "2025-07-01", "deployment", actors=["us"], site="qasrak")]  # fmt: skip
    db = str(write_store(tmp_path / "twice.json", [*SAMPLE_EVENTS, *earlier, back]))
    profile = as_json(run("actor", "US", "--as-of", "2026-03-20", "--json", "--db", db))
    assert "began leaving Qasrak base around 21–22 Feb 2026, until forces arriving on 11 Mar 2026 halted it" in profile["narrative"]
    assert "1 Jun 2025, until" not in profile["narrative"]


def test_a_site_left_and_held_again_is_told_as_a_return(tmp_path):
    back = event("2026-03-01-us-back-at-tanf", "2026-03-01", "deployment", actors=["us"], site="al-tanf")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, back]))
    compared = as_json(run("compare", "US", "Russia", "--as-of", "2026-03-15", "--json", "--db", db))["narrative"]
    assert "As of 15 Mar 2026, the United States left and returned to Al-Tanf garrison, is leaving Qasrak base and holds Al-Tanf garrison" in compared
    assert "left Al-Tanf garrison" not in compared
    profile = as_json(run("actor", "US", "--as-of", "2026-03-15", "--json", "--db", db))
    departure = "The United States left Al-Tanf garrison on 11 Feb 2026"
    returned = f"The United States returned to Al-Tanf garrison on 1 Mar 2026 {marker(profile, back['id'])}."
    assert f"{departure} {marker(profile, '2026-02-11-us-leaves-tanf')}. {returned}" in profile["narrative"]
    # Before the return, the departure is all there is to tell.
    before = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-20", "--json", "--db", db))["narrative"]
    assert "left Al-Tanf garrison" in before and "returned" not in before
    assert "returned" not in as_json(run("actor", "US", "--as-of", "2026-02-20", "--json", "--db", db))["narrative"]


def test_the_comparison_table_lists_a_site_left_twice_once_with_both_dates(tmp_path):
    stays = [
        event("2026-03-01-us-back-at-tanf", "2026-03-01", "deployment", actors=["us"], site="al-tanf"),
        event("2026-04-01-us-leaves-tanf-again", "2026-04-01", "withdrawal", actors=["us"], site="al-tanf"),
    ]
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, *stays]))
    out = run("compare", "US", "Russia", "--as-of", "2026-05-01", "--db", db, env={"COLUMNS": "160"}).stdout
    table = out[: out.index("└")]  # the paragraph under it tells the stays one by one
    assert table.count("Al-Tanf garrison") == 1, table
    assert "Al-Tanf garrison (11 Feb 2026, 1 Apr 2026)" in table


def test_a_comparison_says_last_reported_of_an_old_hold_and_tells_a_site_being_left_once(tmp_path):
    stays = [
        event("2019-us-at-qasrak", "2019-05-01", "deployment", actors=["us"], site="qasrak"),
        event("2020-us-leaves-qasrak", "2020-05-01", "withdrawal", actors=["us"], site="qasrak"),
        event("2021-us-back-at-qasrak", "2021-05-01", "deployment", actors=["us"], site="qasrak"),
        event("2026-02-01-us-at-erbil", "2026-02-01", "deployment", actors=["us"], site="erbil"),
    ]
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, *stays]))
    fresh = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-24", "--json", "--db", db))["narrative"]
    # Qasrak is being left again: told once, as being left, not as left too.
    assert "As of 24 Feb 2026, the United States left Al-Tanf garrison, is leaving Qasrak base and holds Erbil [" in fresh
    assert "left Qasrak" not in fresh
    # Nine months on, with nothing newer, Erbil is "last reported", never "holds".
    old = as_json(run("compare", "US", "Russia", "--as-of", "2026-11-20", "--json", "--db", db))["narrative"]
    assert "As of 20 Nov 2026, the United States" in old and "was last reported holding Erbil [" in old and "holds Erbil" not in old


def test_a_stale_hold_dated_by_a_report_of_a_force_with_the_holder_cites_that_report(tmp_path):
    army = {"id": "russian-army", "name": "Russian Armed Forces", "aliases": [], "kind": "state_armed_force",
            "country": "Russia", "parent": "russia", "affiliations": []}  # fmt: skip
    reports = [
        event("2025-04-25-army-at-hmeimim", "2025-04-25", "presence", actors=["russian-army", "russia"], site="hmeimim"),
        event("2026-01-28-russia-at-hmeimim", "2026-01-28", "presence", actors=["russia"], site="hmeimim"),
    ]
    db = str(write_store(tmp_path / "s.json", reports, actors=[*ACTORS, army]))
    report = as_json(run("base", "Hmeimim", "--as-of", "2026-11-20", "--json", "--db", db))
    cited = ", ".join(marker(report, e["id"])[1:-1] for e in reports)
    held = "The Russian Armed Forces were last reported holding Hmeimim air base on 28 Jan 2026; no later report of the hold is recorded"
    assert f"{held} [{cited}]." in report["narrative"], report["narrative"]


def test_a_hold_known_from_one_old_report_is_told_once_and_apart_from_the_sites_latest_report(tmp_path):
    # Russia reported at Hmeimim once, then a move of others from there: the hold's report is told in
    # the state sentence only, which says that no later report is of the hold, not that nothing is newer.
    reports = [event("2024-12-14-russia", "2024-12-14", "presence", actors=["russia"], site="hmeimim"),
               event("2024-12-31-others-leave", "2024-12-31", "withdrawal", actors=["us"], origin="hmeimim")]  # fmt: skip
    db = str(write_store(tmp_path / "s.json", reports))
    report = as_json(run("base", "Hmeimim", "--as-of", "2025-06-01", "--json", "--db", db))
    told = flat(report["narrative"])
    assert told.count("14 Dec 2024") == 1, told
    assert f"Russia was last reported holding Hmeimim air base on 14 Dec 2024; no later report of the hold is recorded {marker(report, '2024-12-14-russia')}." in told


def test_a_guests_report_on_the_holders_last_day_is_still_told(tmp_path):
    # The US holds Qasrak; on its last report's day Russia was reported there too, as a guest.
    reports = [event("2024-12-14-a-us", "2024-12-14", "presence", actors=["us"], site="qasrak"),
               event("2024-12-14-z-russia", "2024-12-14", "presence", actors=["russia"], site="qasrak")]  # fmt: skip
    db = str(write_store(tmp_path / "s.json", reports))
    told = flat(as_json(run("base", "Qasrak", "--as-of", "2025-06-01", "--json", "--db", db))["narrative"])
    assert "Russia was reported at Qasrak base on 14 Dec 2024" in told, told
    assert "The United States was reported at" not in told  # its report is the state sentence's
    assert "The United States was last reported holding Qasrak base on 14 Dec 2024" in told


def test_a_hold_cites_the_report_that_began_it_and_the_latest_that_keeps_it_current(tmp_path):
    reports = [
        event("2024-12-14-russia-at-hmeimim", "2024-12-14", "presence", actors=["russia"], site="hmeimim"),
        event("2025-02-01-russia-at-hmeimim", "2025-02-01", "presence", actors=["russia"], site="hmeimim"),
        event("2025-04-25-russia-at-hmeimim", "2025-04-25", "presence", actors=["russia"], site="hmeimim"),
    ]
    db = str(write_store(tmp_path / "s.json", reports))
    report = as_json(run("actor", "Russia", "--as-of", "2025-06-01", "--json", "--db", db))
    cited = ", ".join(marker(report, e["id"])[1:-1] for e in (reports[0], reports[2]))
    assert f"Russia holds Hmeimim air base [{cited}]." in report["narrative"], report["narrative"]


def test_a_site_handed_over_says_who_received_it_beside_where_the_force_went(tmp_path):
    handover = event("2026-02-11-us-hands-tanf", "2026-02-11", "handover", actors=["us", "syrian-army"], site="al-tanf", destination="erbil")
    db = str(write_store(tmp_path / "s.json", [e for e in SAMPLE_EVENTS if e["id"] != "2026-02-11-us-leaves-tanf"] + [handover]))
    left = as_json(run("actor", "US", "--as-of", "2026-03-01", "--json", "--db", db))["left"]
    assert [(p["site"], p["handed_to"], p["handed_to_name"], p["lost_to"]) for p in left] == [("al-tanf", "syrian-army", "Syrian Army", None)]
    table = run("actor", "US", "--as-of", "2026-03-01", "--db", db, env={"COLUMNS": "200"}).stdout
    assert "Erbil (handed to Syrian Army)" in table


def test_a_sites_paragraph_counts_the_disputed_events_and_its_status_line_says_about_what(tmp_path):
    dated = [dict(e, disputes=[dict(d, about="when") for d in e["disputes"]]) for e in SAMPLE_EVENTS]
    db = str(write_store(tmp_path / "s.json", dated))
    report = as_json(run("base", "Qasrak", "--as-of", "2026-03-01", "--json", "--db", db))
    told = f"On 1 of these events the sources disagree; every account is listed below {marker(report, '2026-02-21-qasrak-evacuation')}."
    assert told in report["narrative"], report["narrative"]
    assert "(disputed: when" in run("base", "Qasrak", "--as-of", "2026-03-01", "--db", db).stdout


def test_a_move_only_a_party_claims_is_told_as_a_claim(tmp_path):
    claim = event("2026-02-23-sdf-takes-qasrak", "2026-02-23", "control_change", actors=["sdf"], site="qasrak", status="claimed")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, claim]))
    report = as_json(run("base", "Qasrak", "--as-of", "2026-03-01", "--json", "--db", db))
    told = f"The Syrian Democratic Forces took control of Qasrak base on 23 Feb 2026 (claimed) {marker(report, claim['id'])}."
    assert told in report["narrative"], report["narrative"]


def test_a_comparison_cites_what_each_actor_holds_and_marks_a_disputed_hold(tmp_path):
    held = [
        event("2026-02-01-us-at-erbil", "2026-02-01", "deployment", actors=["us"], site="erbil", status="disputed",
              disputes=[{"claim": "Only a few advisers arrived.", "sources": [], "about": "whether"}]),
        event("2025-05-russia-at-hmeimim", "2025-05", "presence", actors=["russia"], site="hmeimim"),
    ]  # fmt: skip
    db = str(write_store(tmp_path / "s.json", held))
    report = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-10", "--json", "--db", db))
    assert f"the United States holds Erbil {marker(report, held[0]['id'])}." in report["narrative"], report["narrative"]
    # A hold on a report of May 2025 is dated as precisely as that report, not "on 31 May 2025".
    assert f"Russia was last reported holding Hmeimim air base {marker(report, held[1]['id'])}." in report["narrative"]
    profile = as_json(run("actor", "Russia", "--as-of", "2026-02-10", "--json", "--db", db))
    assert "was last reported holding Hmeimim air base, most recently in May 2025;" in profile["narrative"], profile["narrative"]
    table = run("compare", "US", "Russia", "--as-of", "2026-02-10", "--db", db, env={"COLUMNS": "200"}).stdout
    assert "Erbil (held, disputed)" in table


def test_a_site_comparison_tells_an_actor_back_at_a_site_it_left(tmp_path):
    back = event("2026-03-01-us-back-at-tanf", "2026-03-01", "deployment", actors=["us"], site="al-tanf")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, back]))
    text = as_json(run("compare", "Tanf", "Qamishli airport", "--as-of", "2026-03-15", "--json", "--db", db))["narrative"]
    assert "The United States left Al-Tanf garrison" in text and "and has since returned" in text
    before = as_json(run("compare", "Tanf", "Qamishli airport", "--as-of", "2026-02-20", "--json", "--db", db))["narrative"]
    assert "The United States left Al-Tanf garrison" in before and "returned" not in before


def test_a_comparison_whose_lists_are_cut_says_so_on_stderr_only(bundled):
    cut = run("compare", "US", "Russia", "--limit", "1")
    assert cut.exit_code == 0 and cut.stderr == "Lists longer than 1 show their latest 1; use --limit N to see more, or --json for all.\n"
    assert "Lists longer" not in cut.stdout and "(latest 1 of" in cut.stdout
    whole = run("compare", "US", "Russia", "--limit", "200")
    assert whole.exit_code == 0 and whole.stderr == ""


def test_compare_sites_human(sample_store):
    result = run("compare", "Tanf", "Qasrak", "--as-of", "2026-02-24", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    assert "Al-Tanf garrison" in result.stdout and "Qasrak base" in result.stdout
    assert "As of 24 Feb 2026, no force is recorded at Al-Tanf garrison" in flat(result.stdout)


def test_two_sites_held_by_one_force_on_old_reports_are_last_reported_held(tmp_path):
    events = [event("2025-01-01-us-at-qasrak", "2025-01-01", "deployment", actors=["us"], site="qasrak"),
              event("2025-01-02-us-at-tanf", "2025-01-02", "deployment", actors=["us"], site="al-tanf")]  # fmt: skip
    db = str(write_store(tmp_path / "s.json", events))
    fresh = as_json(run("compare", "Qasrak", "Tanf", "--as-of", "2025-01-20", "--json", "--db", db))["narrative"]
    assert "Both are held by the United States." in fresh
    old = as_json(run("compare", "Qasrak", "Tanf", "--as-of", "2025-12-01", "--json", "--db", db))["narrative"]
    assert "Both were last reported held by the United States." in old and "Both are held" not in old


def test_compare_needs_two_names_or_two_dates(sample_store):
    assert run("compare", "US", "--db", str(sample_store)).exit_code == 2
    assert run("compare", "--at", "2026-01", "--db", str(sample_store)).exit_code == 2
    assert run("compare", "US", "Russia", "--at", "2026-01", "--at", "2026-02", "--db", str(sample_store)).exit_code == 2


def test_compare_at_two_dates_lists_what_changed(sample_store):
    report = as_json(run("compare", "--at", "2026-01-01", "--at", "2026-02-24", "--json", "--db", str(sample_store)))
    changed = {c["site"]: (c["before"]["status"], c["after"]["status"]) for c in report["differences"]}
    assert changed == {
        "al-tanf": ("active", "vacated"),
        "qamishli-airport": ("unknown", "vacated"),
        "qasrak": ("unknown", "withdrawing"),
    }
    assert report["subjects"] == [] and report["as_of"] == "2026-02-24"
    human = run("compare", "--at", "2026-01-01", "--at", "2026-02-24", "--db", str(sample_store))
    assert "What changed" in human.stdout and "Al-Tanf garrison" in human.stdout


def test_what_changed_tells_a_site_left_from_a_site_lost(tmp_path):
    # The US left Al-Tanf (withdrew) before the army came; the army took Qasrak from the US.
    army_at_tanf = event("2026-02-12-army-takes-tanf", "2026-02-12", "control_change", actors=["syrian-army"], site="al-tanf")
    us_at_qasrak = event("2025-01-01-us-at-qasrak", "2025-01-01", "deployment", actors=["us"], site="qasrak")
    qasrak_taken = event("2026-02-10-army-takes-qasrak", "2026-02-10", "control_change", actors=["syrian-army", "us"], site="qasrak")
    db = str(write_store(tmp_path / "s.json", [e for e in SAMPLE_EVENTS if e["site"] != "qasrak"]
                         + [army_at_tanf, us_at_qasrak, qasrak_taken]))  # fmt: skip
    report = as_json(run("compare", "--at", "2026-01-01", "--at", "2026-02-20", "--json", "--db", db))
    [us] = [a for a in report["actors"] if a["actor"] == "us"]
    assert (us["left"], us["lost"]) == (["al-tanf"], ["qasrak"])
    [russia] = [a for a in report["actors"] if a["actor"] == "russia"]
    assert (russia["left"], russia["lost"]) == (["qamishli-airport"], [])
    assert "The United States left Al-Tanf garrison and lost Qasrak base" in report["narrative"]
    assert "Russia left Qamishli airport" in report["narrative"]


def test_many_changes_are_told_latest_first_with_counts_and_how_to_see_the_rest(tmp_path):
    # 25 sites, each taken from the SDF by the army on a day of its own (site 24 last): more than a table or paragraph tells.
    sites = [{**SITES[0], "id": f"post-{n:02d}", "name": f"Post {n:02d}", "aliases": []} for n in range(25)]
    events = [event(f"2026-01-{n + 2:02d}-post-{n:02d}", f"2026-01-{n + 2:02d}", "control_change",
                    actors=["syrian-army", "sdf"], site=f"post-{n:02d}") for n in range(25)]  # fmt: skip
    # Post 00's move runs on past the second day: it is told, and as the one that changed last.
    events[0]["end_date"] = "2026-03-01"
    db = str(write_store(tmp_path / "s.json", events, sites=sites))
    args = ("compare", "--at", "2026-01-01", "--at", "2026-02-01", "--db", db)
    report = as_json(run(*args, "--json"))
    assert [c["changed_on"] for c in report["differences"]] == ["2026-03-01"] + [f"2026-01-{n + 2:02d}" for n in range(1, 25)]
    told = flat(report["narrative"])
    assert told.startswith("Between 1 Jan 2026 and 1 Feb 2026, 25 sites changed hands or status; these 20 changed last.")
    assert "Post 00:" in told and "Post 06:" in told and "Post 05:" not in told
    assert "The Syrian Army gained 25 sites (the latest: Post 23, Post 24 and Post 00)" in told
    assert len(report["citations"]) == 20  # one event each, the named ones cited again
    cut = run(*args, env={"COLUMNS": "200"})
    assert "Post 06" in cut.stdout and "Post 05" not in cut.stdout.split("Between")[0]
    assert cut.stderr == "The table shows the 20 sites that changed last of 25; use --limit N to see more, or --json for all.\n"
    everything = run(*args, "--limit", "25", env={"COLUMNS": "200"})
    assert all(f"Post {n:02d}" in everything.stdout.split("Between")[0] for n in range(25)) and everything.stderr == ""
    # The paragraph tells what the table shows: all 25, one by one.
    assert "25 sites changed hands or status. Post 00:" in flat(everything.stdout) and "Post 04:" in flat(everything.stdout)


# --- brief --------------------------------------------------------------------------------


@pytest.mark.parametrize("before", [
    [],  # no record of the site before
    [event("2025-01-01-russia-at-hmeimim", "2025-01-01", "deployment", actors=["russia"], site="hmeimim"),
     event("2025-06-01-russia-leaves-hmeimim", "2025-06-01", "withdrawal", actors=["russia"], site="hmeimim")],
])  # fmt: skip
def test_what_changed_says_who_held_a_site_when_only_the_change_implies_it(tmp_path, before):
    taken = event("2026-02-05-army-takes-hmeimim", "2026-02-05", "control_change", actors=["syrian-army", "sdf"], site="hmeimim")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, *before, taken]))
    table = run("compare", "--at", "2026-01-01", "--at", "2026-03-01", "--db", db, env={"COLUMNS": "200"}).stdout
    assert "Syrian Democratic Forces (implied by the change)" in table
    report = as_json(run("compare", "--at", "2026-01-01", "--at", "2026-03-01", "--json", "--db", db))
    held = "Hmeimim air base: held by the Syrian Democratic Forces (as the change implies) → held by the Syrian Army"
    assert f"{held} {marker(report, taken['id'])}." in report["narrative"], report["narrative"]


def test_brief_json_has_bases_moves_disputes_and_narrative(sample_store):
    report = as_json(run("brief", "--as-of", "2026-02-24", "--days", "10", "--json", "--db", str(sample_store)))
    assert report["since"] == "2026-02-15" and report["days"] == 10
    assert {b["site"] for b in report["bases"]} == {"qasrak", "al-tanf", "qamishli-airport", "hmeimim"}
    assert [m["event"] for m in report["moves"]] == ["2026-02-21-qasrak-evacuation"]
    assert [d["event"] for d in report["disputes"]] == ["2026-02-21-qasrak-evacuation"]
    assert "1 being left by the United States" in report["narrative"]
    [qasrak] = [b for b in report["bases"] if b["site"] == "qasrak"]
    assert (qasrak["force"], qasrak["status"], qasrak["holder"]) == ("us", "withdrawing", "us")


def test_brief_human(sample_store):
    result = run("brief", "--as-of", "2026-02-24", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Brief as of 24 Feb 2026")
    assert "Open disputes" in result.stdout


def test_the_brief_tells_holds_on_old_reports_as_last_reported_not_held(tmp_path):
    # More bases than the brief lists one by one: one row per force, its bases grouped by state.
    sites = [{"id": f"post-{n:02}", "name": f"Post {n:02}", "aliases": [], "kind": "base", "country": "Syria",
              "admin1": "Homs", "lat": 34.0, "lon": 37.0 + n / 10, "location_precision": "exact", "parent": None}
             for n in range(1, 15)]  # fmt: skip
    reported = {n: "2026-03-01" if n <= 8 else "2025-06-01" for n in range(1, 15)}
    events = [event(f"{day}-us-at-post-{n:02}", day, "deployment", actors=["us"], site=f"post-{n:02}") for n, day in reported.items()]
    leaving = event("2025-06-02-us-begins-leaving-post-14", "2025-06-02", "withdrawal", stage="began", actors=["us"], site="post-14")
    db = str(write_store(tmp_path / "s.json", [*events, leaving], sites=sites))
    shown = flat(run("brief", "--as-of", "2026-03-20", "--db", db).stdout)
    assert "United States held (8): Post 01, Post 02," in shown
    assert "last reported held (5): Post 09*, Post 10*," in shown
    assert "last reported leaving (1): Post 14*" in shown
    # Reported again since, every one of them is held.
    again = [dict(e, id=f"2026-03-02-us-still-at-post-{n:02}", date="2026-03-02", type="presence") for n, e in enumerate(events, 1)]
    db = str(write_store(tmp_path / "again.json", [*events, *again], sites=sites))
    shown = flat(run("brief", "--as-of", "2026-03-20", "--db", db).stdout)
    assert "United States held (14): Post 01," in shown and "last reported held" not in shown


def test_a_planned_move_is_told_as_a_plan_never_as_a_move(tmp_path):
    plan = event("2026-02-23-russia-plans-return", "2026-02-23", "deployment", actors=["russia"], site="qamishli-airport",
                 status="planned", summary="Russia said it would send troops back to Qamishli airport.")  # fmt: skip
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, plan]))
    brief = as_json(run("brief", "--as-of", "2026-02-24", "--json", "--db", db))
    [listed] = [m for m in brief["moves"] if m["event"] == plan["id"]]
    assert listed["status"] == "planned"
    # Counted: the two US moves in the window, not the plan; and the plan is told as one.
    assert "2 moves were recorded (2 withdrawals)" in brief["narrative"]
    assert f"Reported as planned, not as done: a deployment by Russia at Qamishli airport {marker(brief, plan['id'])}." in brief["narrative"]
    shown = flat(run("brief", "--as-of", "2026-02-24", "--db", db).stdout)
    assert "Russia: planned deployment @ Qamishli airport" in shown
    page = tmp_path / "brief.html"
    assert run("brief", "--as-of", "2026-02-24", "--html", "-o", str(page), "--db", db).exit_code == 0
    assert "Russia: planned deployment at Qamishli airport" in page.read_text(encoding="utf-8")
    # With nothing else in the window, the plan is not "the latest recorded move".
    quiet = as_json(run("brief", "--as-of", "2026-03-10", "--days", "5", "--json", "--db", db))
    assert quiet["latest_move"] == "2026-02-21-qasrak-evacuation"
    assert "The latest recorded move: the United States" in quiet["narrative"]
    # Nor is it one of Russia's moves, or a destination, in a comparison.
    compared = as_json(run("compare", "Russia", "US", "--as-of", "2026-02-24", "--json", "--db", db))
    assert plan["id"] not in [m["event"] for m in compared["subjects"][0]["moves"]]


def test_a_detainee_transfer_reads_as_a_sentence_in_the_brief(tmp_path):
    moved = event("2026-02-20-detainees-to-erbil", "2026-02-20", "detainee_transfer", stage="began", actors=["us"],
                  site="qasrak", destination="erbil")  # fmt: skip
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, moved]))
    brief = as_json(run("brief", "--as-of", "2026-02-20", "--days", "3", "--json", "--db", db))
    assert f"The latest: the United States began moving detainees from Qasrak base to Erbil on 20 Feb 2026 {marker(brief, moved['id'])}." in brief["narrative"]
    # Still under way at the as-of day: not told as done.
    going = dict(moved, id="2026-02-20-detainees-still-moving", stage="ongoing")
    db = str(write_store(tmp_path / "going.json", [*SAMPLE_EVENTS, going]))
    brief = as_json(run("brief", "--as-of", "2026-02-20", "--days", "3", "--json", "--db", db))
    assert "the United States was reported moving detainees from Qasrak base to Erbil on 20 Feb 2026" in brief["narrative"]


def test_the_latest_move_of_a_quiet_brief_is_one_that_happened_by_its_day(tmp_path):
    # Seen from 10 Mar 2026, a withdrawal dated only "Mar 2026" may not have happened yet.
    vague = event("2026-03-us-leaves-qasrak", "2026-03", "withdrawal", actors=["us"], site="qasrak")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, vague]))
    brief = as_json(run("brief", "--as-of", "2026-03-10", "--days", "7", "--json", "--db", db))
    assert brief["latest_move"] == "2026-02-21-qasrak-evacuation"
    assert "No move is recorded in the 7 days to 10 Mar 2026. The latest recorded move: the United States" in brief["narrative"]
    # From the month's end it is past, and the latest.
    assert as_json(run("brief", "--as-of", "2026-04-10", "--json", "--db", db))["latest_move"] == vague["id"]


def test_an_actors_profile_and_comparison_stand_for_the_forces_under_it(tmp_path):
    centcom = {"id": "centcom", "name": "US Central Command", "aliases": ["CENTCOM"], "kind": "state_armed_force",
               "country": "United States", "parent": "us", "affiliations": []}  # fmt: skip
    erbil = event("2026-02-01-centcom-at-erbil", "2026-02-01", "deployment", actors=["centcom"], site="erbil",
                  quantities={"troops": 300})  # fmt: skip
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, erbil], actors=[*ACTORS, centcom]))
    profile = as_json(run("actor", "US", "--as-of", "2026-02-10", "--json", "--db", db))
    assert profile["through"] == ["us", "centcom"]
    assert "erbil" in [p["site"] for p in profile["holds"]] and erbil["id"] in [e["id"] for e in profile["events"]]
    assert [f["event"] for f in profile["strength"]] == [erbil["id"]]
    compared = as_json(run("compare", "US", "Russia", "--as-of", "2026-02-10", "--json", "--db", db))
    us = next(s for s in compared["subjects"] if s["id"] == "us")
    assert "erbil" in [p["site"] for p in us["holds"]] and us["event_count"] == profile["event_count"]
    # Compared with a force under it, the reader is told one side includes the other.
    nested = as_json(run("compare", "CENTCOM", "US", "--as-of", "2026-02-10", "--json", "--db", db))["narrative"]
    assert nested.startswith("The US Central Command comes under the United States, so the United States' positions and events include its."), nested


def test_a_briefs_moves_are_counted_by_force_as_its_bases_are_grouped(tmp_path):
    centcom = {"id": "centcom", "name": "US Central Command", "aliases": ["CENTCOM"], "kind": "state_armed_force",
               "country": "United States", "parent": "us", "affiliations": []}  # fmt: skip
    moves = [event(f"2026-02-0{n}-centcom-move", f"2026-02-0{n}", "deployment", actors=["centcom"], site="erbil") for n in (1, 2)]
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, *moves], actors=[*ACTORS, centcom]))
    text = as_json(run("brief", "--as-of", "2026-02-24", "--json", "--db", db))["narrative"]
    # Four moves in the window, all by the United States or a force under it.
    assert "recorded (2 deployments and 2 withdrawals), by the United States." in text, text


# --- the bundled dataset ------------------------------------------------------------------


def test_bundled_qasrak_is_being_left_by_the_us(bundled):
    report = as_json(run("base", "Qasrak", "--as-of", "2026-02-24", "--json"))
    assert (report["holder"], report["status"]) == ("us", "withdrawing")
    # Cited: the report that the withdrawal began, and the latest.
    cited = ", ".join(marker(report, e)[1:-1] for e in ("2026-02-21-us-begins-qasrak-withdrawal", "2026-02-23-us-convoy-leaves-qasrak-for-kurdistan-region"))
    assert f"As of 24 Feb 2026, the United States is leaving Qasrak base (since 21 Feb 2026) [{cited}]." in report["narrative"], report["narrative"]
    human = run("base", "Qasrak", "--as-of", "2026-02-24")
    assert "Status: the United States withdrawing since 21 Feb 2026" in human.stdout


def test_bundled_al_tanf_is_held_by_the_syrian_army(bundled):
    report = as_json(run("base", "Al-Tanf", "--as-of", "2026-02-20", "--json"))
    assert (report["holder"], report["status"], report["since"]) == ("syrian-army", "active", "2026-02-12")
    assert "the Syrian army holds Al-Tanf garrison" in report["narrative"]


def test_bundled_qamishli_airport_shows_russia_left(bundled):
    result = run("base", "Qamishli", "airport", "--as-of", "2026-02-01")
    assert result.exit_code == 0, result.stderr
    # The withdrawal is reported over 20–27 Jan: the status line says when it was certainly over.
    assert "Status: vacated — Russia left by 27 Jan 2026" in result.stdout
    report = as_json(run("base", "Qamishli airport", "--as-of", "2026-02-01", "--json"))
    assert report["previous"] == "russia" and report["status"] == "vacated"


def test_a_city_the_recorded_forces_left_is_not_called_vacated(bundled):
    """Iran left Damascus on 5-6 Dec 2024, two days before the rebels took it: the city had no force
    on record, it was not empty."""
    result = run("base", "Damascus", "--as-of", "2024-12-07")
    assert result.exit_code == 0, result.stderr
    assert "Status: no force recorded — Iran left by 6 Dec 2024" in result.stdout
    assert as_json(run("base", "Damascus", "--as-of", "2024-12-07", "--json"))["status"] == "vacated"
    listed = run("base", "--as-of", "2024-12-07").stdout
    damascus = next(line for line in listed.splitlines() if line.startswith("│ Damascus "))
    assert "no force" in damascus and "vacated" not in damascus
    tal_al_samen = run("base", "Tal al-Samen", "--as-of", "2026-02-01").stdout  # a base is vacated
    assert "Status: vacated — the Russian Armed Forces left by 22 Dec 2024" in tal_al_samen


def test_a_province_names_who_holds_the_sites_within_it(bundled):
    """Hasakah province's own reports say only that Russia was leaving; its bases are held by others."""
    report = as_json(run("base", "Hasakah province", "--as-of", "2026-11-29", "--json"))
    inside = {row["id"]: (row["holder"], row["status"]) for row in report["inside"]}
    assert inside["qasrak"] == ("us", "active")
    assert inside["al-shaddadi-base"] == ("syrian-army", "active")
    assert "tal-al-samen-base" not in inside  # not in the province, and left
    assert all(status in ("active", "withdrawing") for _, status in inside.values())
    # Told in the past, each with the day it was last reported (all of them months old), the latest first.
    told = report["narrative"]
    assert f"a force was last reported at {len(inside)} sites, the latest first: Qasrak base, the United States on 11 Mar 2026 [" in told
    assert told.index("Al-Shaddadi base, the Syrian army on 15 Feb 2026") < told.index("al-Hol camp, the Syrian army on 21 Jan 2026")
    # On a past day, no report from after it: a withdrawal reported over Dec 2024 - May 2025 is "leaving since".
    then = as_json(run("base", "Hasakah province", "--as-of", "2025-02-15", "--json"))["narrative"]
    assert "Russian posts in northern Hasakah, Russia leaving since Dec 2024 [" in then and "May 2025" not in then
    # A site with nothing inside it on record lists nothing.
    assert as_json(run("base", "Qasrak", "--as-of", "2026-11-29", "--json"))["inside"] == []


def test_forces_that_joined_the_state_count_as_its_own_from_that_day(bundled):
    """The HTS-led factions joined the defence ministry on 29 Jan 2025 and the SNA on 17 May 2025."""
    def forces(as_of):
        bases = as_json(run("brief", "--as-of", as_of, "--json"))["bases"]
        return {b["site"]: (b["holder"], b["force"]) for b in bases}

    today, before = forces("2026-11-29"), forces("2025-01-15")
    assert today["kweires-air-base"] == ("sna", "syrian-government")
    assert today["zahedi-base-khan-shaykhun"] == ("opposition-forces", "syrian-government")
    assert before["kweires-air-base"] == ("sna", "sna")  # before it joined, the SNA is its own force
    told = flat(as_json(run("brief", "--as-of", "2026-11-29", "--json"))["narrative"])
    assert ("Kweires air base is listed under the Syrian government: the Syrian National Army joined the Syrian "
            "Ministry of Defence on 17 May 2025 (SANA, 17 May 2025; Enab Baladi).") in told  # fmt: skip
    assert "listed under" not in as_json(run("brief", "--as-of", "2025-01-15", "--json"))["narrative"]

    government = as_json(run("actor", "Syrian government", "--json"))
    assert government["joined_by"] == ["opposition-forces", "sna"]
    held = {p["site"]: p["actor"] for p in government["holds"]}
    assert held["kweires-air-base"] == "sna" and held["zahedi-base-khan-shaykhun"] == "opposition-forces"
    assert ("The Syrian government's holds include what the Opposition forces (HTS-led) and the Syrian National Army "
            "still held when folded into its forces") in flat(government["narrative"])  # fmt: skip
    assert as_json(run("actor", "Syrian government", "--as-of", "2025-01-10", "--json"))["joined_by"] == []

    hts = as_json(run("actor", "HTS", "--json"))
    assert hts["joined"]["actor"] == "syrian-defence-ministry" and hts["joined"]["date"] == "2025-01-29"
    assert ("joined the Syrian Ministry of Defence on 29 Jan 2025 (The National, 21 Feb 2025; Levant24); from 29 Jan 2025 "
            "syriabrief counts the sites they held as the Syrian government's") in flat(hts["narrative"])  # fmt: skip
    assert "joined the Syrian Ministry" not in as_json(run("actor", "HTS", "--as-of", "2025-01-10", "--json"))["narrative"]
    damascus = as_json(run("base", "Damascus", "--json"))
    assert (damascus["holder"], damascus["force"]) == ("opposition-forces", "syrian-government")
    assert "counted as the Syrian government's" in flat(run("base", "Damascus").stdout)
    afrin = as_json(run("base", "Afrin", "--json"))  # the SNA began leaving before it joined: its own
    assert (afrin["holder"], afrin["status"], afrin["force"]) == ("sna", "withdrawing", "sna")
    assert "counts Afrin" not in afrin["narrative"] and "counted as" not in run("base", "Afrin").stdout
    zahedi = flat(as_json(run("base", "Zahedi", "--json"))["narrative"])
    assert "The Opposition forces (HTS-led) were last reported holding Shahid Zahedi base" in zahedi  # told as reported
    assert "so syriabrief counts Shahid Zahedi base (near Khan Shaykhun) as the Syrian government's from then on" in zahedi


def test_a_force_that_joined_brings_what_it_still_held_not_what_it_left(tmp_path):
    from conftest import ACTORS, event, write_store

    sources = [{"outlet": "SANA", "document": None, "url": None, "published": "2025-01-29"}]
    actors = [*ACTORS, {"id": "rebels", "name": "Rebels", "aliases": [], "kind": "non_state_armed_group", "country": None,
                        "parent": None, "affiliations": [], "joined": {"actor": "syrian-army", "date": "2025-01-29", "sources": sources}}]  # fmt: skip
    events = [
        event("rebels-take-tanf", "2024-12-08", "control_change", actors=["rebels"], site="al-tanf"),
        event("rebels-at-qasrak", "2024-12-01", "deployment", actors=["rebels"], site="qasrak"),
        event("rebels-leave-qasrak", "2024-12-20", "withdrawal", actors=["rebels"], site="qasrak"),
    ]
    db = str(write_store(tmp_path / "store.json", events, actors=actors))
    army = as_json(run("actor", "Syrian army", "--db", db, "--as-of", "2025-06-01", "--json"))
    assert [(p["site"], p["actor"]) for p in army["holds"]] == [("al-tanf", "rebels")]
    assert army["left"] == [] and army["joined_by"] == ["rebels"]
    assert army["event_count"] == 0  # their events stay theirs
    before = as_json(run("actor", "Syrian army", "--db", db, "--as-of", "2025-01-28", "--json"))
    assert before["holds"] == [] and before["joined_by"] == []
    rebels = as_json(run("actor", "Rebels", "--db", db, "--as-of", "2025-06-01", "--json"))
    assert [p["site"] for p in rebels["left"]] == ["qasrak"]  # the actor's own profile keeps its history
    compared = as_json(run("compare", "Syrian army", "SDF", "--db", db, "--as-of", "2025-06-01", "--json"))
    assert [p["site"] for p in compared["subjects"][0]["holds"]] == ["al-tanf"]
    exported = json.loads(run("export", "--format", "json", "--actor", "Rebels", "--db", db).stdout)
    assert {a["id"] for a in exported["actors"]} == {"rebels", "syrian-army"}  # the export stands alone


def test_joins_count_from_their_last_possible_day_and_follow_each_other(tmp_path):
    """A join dated to a month counts from its last day; one that joined a force that joined another
    counts as the last one's; a withdrawal it had begun before joining stays its own."""
    from conftest import ACTORS, SITES, event, write_store

    def joined(actor, date):
        return {"actor": actor, "date": date, "sources": [{"outlet": "SANA", "document": None, "url": None, "published": None}]}

    def actor(id, **fields):
        return {"id": id, "name": id.title(), "aliases": [], "kind": "non_state_armed_group", "country": None,
                "parent": None, "affiliations": [], "joined": None, **fields}  # fmt: skip

    actors = [*ACTORS, actor("alpha", joined=joined("beta", "2025-03")), actor("beta", joined=joined("syrian-army", "2025-01-10"))]
    sites = [*SITES, {**SITES[0], "id": "outpost", "name": "Outpost", "aliases": []}]
    events = [
        event("alpha-takes-tanf", "2024-12-08", "control_change", actors=["alpha"], site="al-tanf"),
        event("alpha-at-outpost", "2024-12-01", "deployment", actors=["alpha"], site="outpost"),
        event("alpha-begins-leaving-outpost", "2025-02-01", "withdrawal", stage="began", actors=["alpha"], site="outpost"),
    ]
    db = str(write_store(tmp_path / "store.json", events, actors=actors, sites=sites))

    def army(as_of):
        return as_json(run("actor", "Syrian army", "--db", db, "--as-of", as_of, "--json"))

    assert army("2025-03-15")["holds"] == []  # "Mar 2025" may mean the 31st
    on_31st = army("2025-03-31")
    assert [(p["site"], p["actor"]) for p in on_31st["holds"]] == [("al-tanf", "alpha")]  # not the outpost it was leaving
    assert on_31st["joined_by"] == ["alpha"]
    compared = as_json(run("compare", "Syrian army", "Alpha", "--db", db, "--as-of", "2025-04-01", "--json"))
    assert [s["joined_by"] for s in compared["subjects"]] == [["alpha"], []]
    assert "The Syrian Army's holds include what Alpha still held when folded into its forces" in flat(compared["narrative"])
    brief = as_json(run("brief", "--db", db, "--as-of", "2025-04-01", "--json"))
    forces = {b["site"]: b["force"] for b in brief["bases"]}
    assert forces["al-tanf"] == "syrian-army" and forces["outpost"] == "alpha"  # the leaving began before it joined
    assert "Al-Tanf garrison is listed under the Syrian Army: Alpha joined Beta in Mar 2025 (SANA)." in flat(brief["narrative"])
    mapped = as_json(run("map", "--db", db, "--as-of", "2025-04-01", "--json"))
    tanf = next(f["properties"] for f in mapped["features"] if f["id"] == "al-tanf")
    assert (tanf["holder"], tanf["force"]) == ("alpha", "syrian-army")


def test_a_hold_reported_long_ago_says_when_its_side_was_reported_since(bundled):
    """The defence ministry took the Qusayr countryside in Feb 2025; the army, the same government's, was
    reported there in Feb-Mar 2026: 'no later report of the hold is recorded' would mislead."""
    told = flat(as_json(run("base", "Qusayr countryside", "--as-of", "2026-11-29", "--json"))["narrative"])
    assert "The Syrian Ministry of Defence was last reported holding Qusayr countryside (western Homs border strip) on 7 Feb 2025 [1]." in told
    assert "The Syrian army, also the Syrian government's, was reported there more recently, around Feb 2026 – 6 Mar 2026 [2]." in told
    assert "no later report" not in told


def test_a_move_told_without_a_site_says_where_it_left_from(bundled):
    """The Russian transports left Tartus with equipment in Jan 2025: the base itself was not given up."""
    moves = as_json(run("brief", "--as-of", "2025-02-15", "--json"))["moves"]
    tartus = next(m for m in moves if m["event"] == "2025-01-26-russian-transports-leave-tartus-with-equipment")
    assert (tartus["site"], tartus["origin"], tartus["origin_name"]) == (None, "tartus", "Tartus naval facility")
    assert "Russian Navy: withdrawal from Tartus naval facility" in run("brief", "--as-of", "2025-02-15").stdout


def test_bundled_al_shaddadi_names_both_accounts(bundled):
    report = as_json(run("base", "Shaddadi base", "--as-of", "2026-02-24", "--json"))
    assert report["disputed"] and report["holder"] == "syrian-army"
    accounts = {a["event"]: a for a in report["accounts"]}
    assert set(accounts) == {"2026-02-05-us-begins-al-shaddadi-base-evacuation", "2026-02-15-us-hands-al-shaddadi-base-to-army"}
    item = accounts["2026-02-15-us-hands-al-shaddadi-base-to-army"]
    claims = " ".join(a["claim"] for a in item["accounts"])
    assert "January 2026" in claims and "15 February" in claims
    outlets = {o for a in item["accounts"] for o in a["outlets"]}
    assert {"The National", "Shafaq News"} <= outlets
    human = run("base", "Shaddadi base", "--as-of", "2026-02-24").stdout
    assert "Accounts differ" in human and "Shafaq News" in human


def test_bundled_compare_us_and_russia(bundled):
    report = as_json(run("compare", "US", "Russia", "--since", "2026-01", "--as-of", "2026-02-24", "--json"))
    # Both still hold sites in al-Hasakah (the US Rmelan, Russia nothing it left there
    # for good): a governorate is "left" only when nothing in it is still held.
    us, russia = report["subjects"]
    assert "al-Hasakah" in us["regions_held"] and "al-Hasakah" not in us["regions_left"]
    assert "pulled out of sites in al-Hasakah" not in report["narrative"]
    assert "Russia toward Hmeimim air base (Latakia)" in report["narrative"]


def test_bundled_brief_fits_one_screen(bundled):
    result = run("brief", "--as-of", "2026-02-24")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 50  # one screen: a 100x50 terminal
    assert max(len(line) for line in lines) <= 100
    assert "Qasrak base" in result.stdout
    # A base whose name holds a comma is not read as two: its group is listed with semicolons.
    assert "IRGC operations centre, Mezzeh (Damascus)*; " in flat(result.stdout)


@pytest.mark.parametrize("columns", ["50", "60", "80", "100"])
def test_the_briefs_one_line_citations_cut_the_title_never_the_outlets(bundled, columns):
    out = run("brief", "--as-of", "2026-02-24", env={"COLUMNS": columns}).stdout
    cited = [line for line in out.splitlines() if re.match(r"\[\d+\] ", line)]
    assert cited and all(line.endswith(")") and len(line) <= int(columns) for line in cited), cited
    assert any("…" in line for line in cited)


def marker(report: dict, event_id: str) -> str:
    """The numbered marker (``[3]``) a report's narrative cites ``event_id`` with."""
    [number] = [c["number"] for c in report["citations"] if c["event"] == event_id]
    return f"[{number}]"


def test_untrusted_text_prints_as_itself(tmp_path):
    from conftest import ACTORS

    evil = {"id": "evil", "name": "[bold]Evil[/bold]\x1b[31m", "aliases": ["evil"], "kind": "non_state_armed_group",
            "country": None, "parent": None, "affiliations": []}  # fmt: skip
    records = [
        event("2026-01-01-evil-arrives", "2026-01-01", "deployment", actors=["evil"], site="qasrak",
              summary="[red]not markup[/red]", disputes=[{"claim": "[i]other[/i]\x1b[2J", "sources": []}]),
    ]  # fmt: skip
    db = write_store(tmp_path / "s.json", records, actors=ACTORS + [evil])
    for args in (["base", "Qasrak"], ["actor", "evil"], ["brief", "--days", "400"], ["base"], ["actor"]):
        result = run(*args, "--as-of", "2026-02-01", "--db", str(db))
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout
    base = run("base", "Qasrak", "--as-of", "2026-02-01", "--db", str(db)).stdout
    assert "[bold]Evil[/bold]\\x1b[31m" in base and "[red]not markup[/red]" in base and "[i]other[/i]\\x1b[2J" in base


def test_compare_sites_json(sample_store):
    report = as_json(run("compare", "Tanf", "Qasrak", "--as-of", "2026-02-24", "--json", "--db", str(sample_store)))
    assert [(s["id"], s["status"]) for s in report["subjects"]] == [("al-tanf", "vacated"), ("qasrak", "withdrawing")]
    assert report["subjects"][0]["left_by"] == ["us"]
    assert report["subjects"][0]["first_event"]["id"] == "2016-us-at-tanf"


@pytest.mark.parametrize("command", ["actor", "base", "compare", "brief"])
def test_each_command_has_a_documented_section_with_an_example(command):
    from pathlib import Path

    docs = (Path(__file__).parent.parent / "docs" / "commands.md").read_text(encoding="utf-8")
    assert f"### `syriabrief {command}" in docs
    assert f"$ syriabrief {command} " in docs


@pytest.mark.parametrize("names, message", [
    (["US", "Qasrak"], "'Qasrak' is a site, but the first name is an actor"),
    (["Qasrak", "US"], "'US' is an actor, but the first name is a site"),
])  # fmt: skip
def test_compare_refuses_an_actor_beside_a_site_plainly(sample_store, names, message):
    result = run("compare", *names, "--db", str(sample_store))
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def test_base_shows_a_sites_notes_with_who_reported_them(tmp_path):
    from conftest import SITES

    noted = [dict(s) for s in SITES]
    noted[0]["notes"] = [{"text": "About 50 km from the border.",
                          "sources": [{"outlet": "Shafaq News", "url": "https://example.org/a", "published": "2026-02-21"}]}]
    db = write_store(tmp_path / "s.json", SAMPLE_EVENTS, sites=noted)
    name = noted[0]["name"]
    shown = flat(run("base", name, "--db", str(db)).stdout)
    assert "Notes • About 50 km from the border. (Shafaq News, 21 Feb 2026)" in shown
    report = as_json(run("base", name, "--db", str(db), "--json"))
    assert report["notes"] == [{"text": "About 50 km from the border.", "sources": [
        {"outlet": "Shafaq News", "document": None, "url": "https://example.org/a", "published": "2026-02-21"}]}]
    other = as_json(run("base", noted[1]["name"], "--db", str(db), "--json"))
    assert other["notes"] == []


def test_brief_moves_wrap_at_80_columns_and_keep_every_site_whole(bundled, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("brief", "--as-of", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    moves = result.stdout.split("Moves since", 1)[1].split("\n\n", 1)[0]
    assert "…" not in moves
    assert "al-Hol camp" in flat(moves) and "Kurdistan Region of Iraq" in flat(moves)


def test_an_actors_forces_at_one_site_are_one_position_as_recent_as_any_of_them(bundled):
    profile = as_json(run("actor", "Russia", "--as-of", "2026-11-01", "--json"))
    hmeimim = [h for h in profile["holds"] if h["site"] == "hmeimim"]
    # One row, its army's, dated by the newest report of any of Russia's forces there (Russia's own, Jan 2026).
    assert [(h["actor"], h["last_reported"]) for h in hmeimim] == [("russian-armed-forces", "2026-01-28")]
    # The report behind that date is among the position's events, and cited where the date is told.
    dates = {c["event"]: c["date"] for c in profile["citations"]}
    assert hmeimim[0]["events"][-1] in dates and dates[hmeimim[0]["events"][-1]] == "2026-01-28"
    told = re.search(r"most recently on 28 Jan 2026; no later report of those holds is recorded \[([\d, ]+)\]", profile["narrative"])
    cited = {c["event"] for c in profile["citations"] if str(c["number"]) in told[1].split(", ")}
    assert any(dates[e] == "2026-01-28" for e in cited)
    departures = [(p["site"], p["until"], p["status"]) for p in profile["left"]]
    assert len(departures) == len(set(departures)), "a departure made together is told once"


def test_the_other_sites_left_are_counted_once_each_and_a_plans_figure_is_no_planned_strength(tmp_path):
    centcom = {"id": "centcom", "name": "US Central Command", "aliases": ["CENTCOM"], "kind": "state_armed_force",
               "country": "United States", "parent": "us", "affiliations": []}  # fmt: skip
    sites = SITES + [{**SITES[0], "id": f"post-{n}", "name": f"Post {n}", "aliases": [], "parent": None} for n in range(10)]
    stays = [event(f"2025-0{1 + n // 5}-{10 + n}-us-at-post-{n}", f"2025-0{1 + n // 5}-{10 + n}", "deployment", actors=["us"], site=f"post-{n}") for n in range(10)]
    left = [event(f"2025-09-{10 + n}-us-leaves-post-{n}", f"2025-09-{10 + n}", "withdrawal", actors=["us"], site=f"post-{n}") for n in range(10)]
    # CENTCOM, under the US, also left the latest of them, earlier: a second departure, not another site.
    unit = [event("2025-01-01-centcom-at-post-9", "2025-01-01", "deployment", actors=["centcom"], site="post-9"),
            event("2025-02-01-centcom-leaves-post-9", "2025-02-01", "withdrawal", actors=["centcom"], site="post-9")]  # fmt: skip
    plan = event("2025-10-01-us-plans-exit", "2025-10-01", "withdrawal", actors=["us"], site="erbil", status="planned", quantities={"troops": 1000})
    db = str(write_store(tmp_path / "s.json", [*stays, *left, *unit, plan], actors=[*ACTORS, centcom], sites=sites))
    text = as_json(run("actor", "US", "--as-of", "2025-10-05", "--json", "--db", db))["narrative"]
    assert "Besides these, it left 2 other sites" in text, text
    assert "1,000 troops (1 Oct 2025, in a plan, in a report on Erbil)" in text, text


def test_a_figures_words_spell_the_names_in_it_as_the_data_does(tmp_path):
    counted = event("2026-02-11-us-count", "2026-02-11", "presence", actors=["us"], site="al-tanf", quantities={"troops_in_syria": 1000})
    sites = [dict(s, aliases=[*s["aliases"], "Syria"]) if s["id"] == "al-tanf" else s for s in SITES]  # a one-word name
    db = str(write_store(tmp_path / "s.json", [counted], sites=sites))
    report = as_json(run("actor", "US", "--as-of", "2026-02-20", "--json", "--db", db))
    assert [(f["name"], f["label"]) for f in report["strength"]] == [("troops_in_syria", "troops in Syria")]
    assert "1,000 troops in Syria (11 Feb 2026" in report["narrative"]


def test_a_wrapped_figure_stays_indented_under_reported_strength(bundled):
    out = run("actor", "US", env={"COLUMNS": "80"}).stdout
    block = out.split("Reported strength\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(block) > 3 and all(line.startswith("  ") for line in block), block


def test_a_figure_says_which_report_it_comes_from(bundled):
    profile = as_json(run("actor", "Russia", "--as-of", "2026-11-01", "--json"))
    [first] = profile["strength"][:1]
    assert (first["value"], first["site"], first["site_name"]) == (200, "qamishli-airport", "Qamishli airport")
    shown = flat(run("actor", "Russia", "--as-of", "2026-11-01").stdout)
    assert "200 troops (~20–22 Jan 2026, in a report on Qamishli airport)" in shown


def test_a_name_that_reads_as_plural_takes_plural_verbs(tmp_path):
    """ "The Syrian Democratic Forces were", as "the United States was": by the name's last word."""
    from syriabrief.reports.narrative import agreeing

    assert agreeing("the Syrian Democratic Forces", "was last reported holding") == "were last reported holding"
    assert agreeing("Iran-backed militias", "holds") == "hold" and agreeing("the SDF", "holds") == "holds"
    assert agreeing("the United States", "is leaving") == "is leaving"
    assert agreeing("Russia, through the Russian Armed Forces", "holds") == "holds"
    assert agreeing("Opposition forces (HTS-led)", "was last reported holding") == "were last reported holding"
    held = event("2026-02-01-sdf-at-qasrak", "2026-02-01", "deployment", actors=["sdf"], site="qasrak")
    db = str(write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, held]))
    profile = as_json(run("actor", "SDF", "--as-of", "2026-02-10", "--json", "--db", db))["narrative"]
    assert "The Syrian Democratic Forces have held Qasrak" in profile and "Forces has" not in profile
    site = as_json(run("base", "Qasrak", "--as-of", "2026-02-10", "--json", "--db", db))["narrative"]
    assert "the Syrian Democratic Forces hold" in site and "Forces holds" not in site
    compared = as_json(run("compare", "SDF", "US", "--as-of", "2026-02-10", "--json", "--db", db))["narrative"]
    assert "Forces hold" in compared and "Forces holds" not in compared


def test_a_withdrawal_still_under_way_reads_as_leaving_in_the_comparison_table(bundled):
    fresh = run("compare", "US", "Russia", "--as-of", "2026-02-15", env={"COLUMNS": "200"}).stdout
    assert "Hasakah province (leaving since 21 Jan 2026)" in fresh and "(–)" not in fresh
    # Nine months on, as the paragraph says it: nobody reported on it since, so it may be over.
    old = run("compare", "US", "Russia", "--as-of", "2026-11-01", env={"COLUMNS": "200"}).stdout
    assert "Hasakah province (last reported leaving, 28 Jan 2026)" in old and "leaving since" not in old


def test_a_hold_on_old_reports_says_how_old_in_the_comparison_table(bundled):
    shown = run("compare", "SDF", "US", "--as-of", "2026-11-01", env={"COLUMNS": "220"}).stdout
    profile = as_json(run("actor", "SDF", "--as-of", "2026-11-01", "--json"))
    [base] = [h for h in profile["holds"] if h["site"] == "tall-baydar-base"]
    assert base["stale"]
    from syriabrief.domain.dates import describe

    assert f"Tall Baydar base (held, last reported {describe(base['last_reported'])})" in shown


def test_compare_dates_a_strength_in_its_table_as_its_paragraph_does(tmp_path):
    counted = event("2026-01-20-russians-counted", "2026-01-20", "presence", actors=["russia"], site="qamishli-airport",
                    end_date="2026-01-22", approximate=True, quantities={"troops": 200})  # fmt: skip
    db = write_store(tmp_path / "s.json", [*SAMPLE_EVENTS, counted])
    result = run("compare", "US", "Russia", "--as-of", "2026-02-24", "--db", str(db))
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert text.count("200 troops (~20–22 Jan 2026") == 2, text  # the Strength row and the paragraph


def test_a_force_named_with_the_state_it_belongs_to_reads_as_the_force():
    from conftest import dataset, event
    from syriabrief.domain.model import Event
    from syriabrief.reports.narrative import event_clause

    armed_forces = {**ACTORS[1], "id": "russian-armed-forces", "name": "Russian Armed Forces", "aliases": [],
                    "kind": "state_armed_force", "parent": "russia"}  # fmt: skip
    data = dataset([], actors=[*ACTORS, armed_forces])

    def clause(*actors: str, kind: str = "presence") -> str:
        return event_clause(Event.from_json(event("e", "2026-01-28", kind, actors=list(actors), site="qasrak")), data)

    assert clause("russian-armed-forces", "russia") == "The Russian Armed Forces were reported at Qasrak base on 28 Jan 2026"
    assert clause("russia", "russian-armed-forces", kind="withdrawal") == "The Russian Armed Forces left Qasrak base on 28 Jan 2026"
    assert clause("us", "russia") == "The United States and Russia were reported at Qasrak base on 28 Jan 2026"


def test_what_changed_lists_its_sites_in_the_order_of_their_names(bundled):
    report = as_json(run("compare", "--at", "2025-01-01", "--at", "2026-01-01", "--json"))
    names = [change["site_name"] for change in report["differences"]]
    ids = [change["site"] for change in report["differences"]]
    assert len(names) > 5 and names == sorted(names, key=str.casefold)
    assert ids != sorted(ids)  # the bundled data has names that do not sort as their ids do
