"""syriabrief read: date phrases, figures, outlets, drafts, the import round trip and hostile input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import dataset, write_store
from syriabrief.cli import app
from syriabrief.domain.reading import find_figures, find_outlets, read_text, split_sentences
from syriabrief.domain.timephrases import find_date_line, find_when

ARTICLES = Path(__file__).parent / "articles"
PUB = date(2026, 2, 24)  # a Tuesday


@pytest.mark.parametrize("text, expected", [
    ("On Monday the army moved", ("2026-02-23", None, False)),
    ("as of the 23rd, soldiers remained", ("2026-02-23", None, False)),
    ("Earlier this month, the U.S. military withdrew", ("2026-02", None, False)),
    ("The Wall Street Journal reported last week that", ("2026-02-16", "2026-02-22", True)),
    ("In January, they also withdrew", ("2026-01", None, False)),
    ("has held the field since 2019", ("2019", None, False)),
    ("over the past week", ("2026-02-17", "2026-02-24", True)),
    ("On February 23, 2026, a convoy", ("2026-02-23", None, False)),
    ("in December 2024", ("2024-12", None, False)),
    ("Constructed around 2015, it", ("2015", None, True)),
    ("between 5 and 15 February", ("2026-02-05", "2026-02-15", True)),
    # A wire dateline dates the story, not the event: "on Monday" before a Tuesday 24 Feb dateline is the 23rd.
    ("DAMASCUS, Feb 24 (Reuters) - Troops withdrew on Monday", ("2026-02-23", None, False)),
    ("BEIRUT, Feb. 24, 2026 (AP) — Convoys left on Monday", ("2026-02-23", None, False)),
])  # fmt: skip
def test_date_phrases_resolve_against_publication(text, expected):
    when = find_when(text, PUB)
    assert (when.date, when.end_date, when.approximate) == expected


def test_deadlines_and_the_verb_may_are_not_dates():
    assert find_when("plans to withdraw by the end of April", PUB) is None
    assert find_when("DAMASCUS, Feb 24 (Reuters) - Troops withdrew", PUB) is None  # only the dateline
    assert find_when("this may be the last convoy", PUB) is None


def test_date_lines():
    assert find_date_line(["Title", "24/02/2026", "Text."])[0] == date(2026, 2, 24)
    assert find_date_line(["Published: 28 January 2026 10:32 GMT"])[0] == date(2026, 1, 28)
    byline = "By Staff Reporter | Erbil, 27 November 2026"
    assert find_date_line([byline, "US forces left Qasrak on Monday."])[:2] == (date(2026, 11, 27), byline)
    assert find_date_line(["By Staff Reporter, Erbil, 27 November 2026"])[0] == date(2026, 11, 27)
    assert find_date_line(["By the end of November - 27 November 2026"])[0] is None  # prose, not a byline
    day, line, note = find_date_line(["03/04/2026"])
    assert day is None and "day/month" in note


@pytest.mark.parametrize("text, name, value", [
    ("approximately 200 soldiers remained at the base", "troops_remaining", 200),
    ("approximately 5,700 alleged ISIS militants", "militants", 5700),
    ("dozens of military trucks", "trucks", {"low": 24, "high": 99}),
    ("the deaths of one soldier", "troops_killed", 1),
    ("extended by 15 days", "days", 15),
])  # fmt: skip
def test_figures_say_what_they_count(text, name, value):
    assert (find_figures(text)[0].name, find_figures(text)[0].value) == (name, value)


def test_no_figures_from_distances_or_dates():
    assert find_figures("50 kilometers from the border over the past three days") == []


def test_outlets_a_fact_is_attributed_to():
    assert find_outlets("according to the Associated Press, the convoy") == ["Associated Press"]
    assert find_outlets("officials told Reuters that") == ["Reuters"]
    assert find_outlets("The Wall Street Journal reported") == ["The Wall Street Journal"]
    assert find_outlets("ap news is not the AP wire") == ["Associated Press"]  # acronyms only in capitals


def test_headings_and_questions_are_not_sentences():
    sentences = split_sentences("US leaves Tanf\n\nThe U.S. military withdrew. Why now? Officials said so.")
    assert [s.text for s in sentences] == ["The U.S. military withdrew.", "Officials said so."]


def test_a_withdrawal_with_pronoun_origin_and_destination():
    data = dataset([])
    text = (
        "Earlier this month, the U.S. military withdrew from the Tanf base.\n\n"
        "Russian forces were redeployed from Qamishli International Airport to Hmeimim on Monday, according to Reuters.\n\n"
        "In January, they also withdrew from the Kasrak base."
    )
    drafts = read_text(text, PUB, data).drafts
    got = [(d.type, d.actors[0], d.site, d.destination, d.when.date, d.outlets) for d in drafts]
    assert got == [
        ("withdrawal", "us", "al-tanf", None, "2026-02", []),
        ("withdrawal", "russia", "qamishli-airport", "hmeimim", "2026-02-23", ["Reuters"]),
        ("withdrawal", "russia", "qasrak", None, "2026-01", []),
    ]
    assert "'they' taken to mean" in drafts[2].notes[0]


@pytest.mark.parametrize("text", [
    "The United States still maintains troops at the Kasrak base.",
    "The US remains at the Kasrak base.",
    "The U.S. keeps troops at the Kasrak base.",
])
def test_a_presence_after_a_name_with_its_article_is_a_verb_not_a_noun(text):
    """ "The United States still maintains": "the" belongs to the name, and no noun reads "maintains"."""
    drafts = read_text(text, PUB, dataset([])).drafts
    assert [(d.type, d.actors, d.site) for d in drafts] == [("presence", ["us"], "qasrak")]


def test_who_said_it_is_not_a_party_to_what_it_said():
    text = "SDF units entered the Kasrak base hours later and took control of it, Russia said in a statement."
    drafts = read_text(text, PUB, dataset([])).drafts
    assert [(d.type, d.actors) for d in drafts] == [("control_change", ["sdf"])]  # Russia lost nothing


def test_negations_modals_and_conditions_are_not_events():
    data = dataset([])
    text = "Russia did not withdraw from Hmeimim. The U.S. may withdraw from Tanf. When US troops withdraw from Kasrak, the SDF may suffer."
    assert read_text(text, PUB, data).drafts == []


@pytest.mark.parametrize("text", [
    "The US withdrawal from Tanf was expected to be completed by the end of the month.",
    "The U.S. withdrawal from the Tanf base will be completed in April.",
])
def test_a_withdrawal_said_to_come_is_drafted_as_intent(text):
    """What is expected or will happen, said after the noun, is no completed withdrawal."""
    drafts = read_text(text, PUB, dataset([])).drafts
    assert [(d.type, d.status) for d in drafts] == [("statement", "planned")]
    assert "statement of intent (withdrawal)" in drafts[0].notes[0]


@pytest.mark.parametrize("text", [
    "The U.S. withdrawal from the Tanf base was completed on Monday.",
    "US troops completed the withdrawal from Tanf on Monday and will move to Iraq.",
    "US forces completed their withdrawal from Tanf and Iraq will follow.",
    "US forces completed their withdrawal from Tanf in what will be a blow to Iran.",
    "The US withdrawal from Tanf will take weeks and began on Monday.",
    "The US withdrawal from Tanf was expected to be completed by the end of the month, but it was completed on Monday.",
])
def test_a_withdrawal_that_happened_stays_one_whatever_follows(text):
    drafts = read_text(text, PUB, dataset([])).drafts
    assert [(d.type, d.status) for d in drafts] == [("withdrawal", "reported")]


def test_unknown_places_are_offered_not_created():
    reading = read_text("On Monday U.S. troops withdrew from Tanf and moved to Tal Tamr.", PUB, dataset([]))
    assert [(u.name, u.kind) for u in reading.unresolved] == [("Tal Tamr", "site")]


# --- the command ---------------------------------------------------------------------

runner = CliRunner()
BUNDLED = Path(__file__).parent.parent / "data" / "events.json"


@pytest.fixture
def bundled(monkeypatch, tmp_path):
    """The bundled gazetteer beneath an empty store of one's own (the articles name its actors and sites)."""
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(BUNDLED))
    return write_store(tmp_path / "mine.json", [], actors=[], sites=[])


def run(*args, input=None, env=None):
    return runner.invoke(app, list(args), input=input, env=env)


def test_read_json_imports_as_it_is(tmp_path, bundled):
    store = bundled
    result = run("read", str(ARTICLES / "coast_and_north.txt"), "--json", "--db", str(store))
    assert result.exit_code == 0, result.stderr
    assert "Published 16 Apr 2026, read from the date line" in result.stderr
    document = json.loads(result.stdout)
    assert document["reading"]["published"] == "2026-04-16"
    types = {e["type"] for e in document["events"]}
    assert {"deployment", "withdrawal", "ceasefire", "meeting", "clash"} <= types
    drafts = tmp_path / "drafts.json"
    drafts.write_text(result.stdout, encoding="utf-8")
    imported = run("import", str(drafts), "--db", str(store))
    assert imported.exit_code == 0, imported.stderr
    kinds = [d["match"] for d in document["reading"]["drafts"]]
    new, changed = kinds.count("new"), kinds.count("corroborates") + kinds.count("conflicts")
    assert new + changed == len(document["events"]) and new >= 4
    assert f"added {new} events" in imported.stdout
    if changed:
        assert f"updated {changed} event" in imported.stdout
    again = json.loads(run("read", str(ARTICLES / "coast_and_north.txt"), "--json", "--db", str(store)).stdout)
    assert again["events"] == []  # every draft is now recorded
    assert {d["match"] for d in again["reading"]["drafts"]} == {"recorded"}


def test_a_stored_event_is_corroborated_not_repeated(sample_store):
    text = "On 11 February, U.S. troops completed their withdrawal from Tanf, according to the Associated Press.\n"
    result = run("read", "-", "--published", "2026-02-24", "--json", "--db", str(sample_store), input=text)
    document = json.loads(result.stdout)
    [draft] = document["reading"]["drafts"]
    assert (draft["match"], draft["matched_event"]) == ("corroborates", "2026-02-11-us-leaves-tanf")
    [event] = document["events"]
    assert event["id"] == "2026-02-11-us-leaves-tanf"
    assert [s["outlet"] for s in event["sources"]] == ["Reuters", "Associated Press"]


def test_another_date_is_a_conflicting_account(sample_store):
    text = "In January, U.S. troops withdrew from Tanf, the Wall Street Journal reported.\n"
    document = json.loads(run("read", "-", "--published", "2026-02-24", "--json", "--db", str(sample_store), input=text).stdout)
    [draft] = document["reading"]["drafts"]
    assert draft["match"] == "conflicts"
    assert "The Wall Street Journal" in document["events"][0]["disputes"][-1]["claim"]


def test_table_shows_evidence(bundled):
    # Wide enough that no cell breaks the names looked for.
    result = run("read", str(ARTICLES / "tanf_handover.txt"), "--db", str(bundled), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    assert "Al-Tanf garrison" in result.stdout and "Tal Tamr (as site, sentence 4)" in result.stdout
    assert "About (" not in result.stdout  # "About 200 troops" names nobody
    assert result.stdout.startswith("7 drafts from 8 sentences")


def test_html_pages_are_read_for_text_and_metadata(bundled):
    document = json.loads(run("read", str(ARTICLES / "shaddadi_prison.html"), "--json", "--db", str(bundled)).stdout)
    assert document["reading"]["published"] == "2026-02-02" and document["reading"]["outlet"] == "Example Wire"
    assert not any("Hmeimim" in e for d in document["reading"]["drafts"] for e in d["evidence"])  # the script is not text


@pytest.mark.parametrize("content, message", [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00" * 100, "looks binary"),
    (b"x" * (5 * 1024 * 1024), "MB"),
])  # fmt: skip
def test_hostile_files_get_one_clear_line(tmp_path, content, message):
    path = tmp_path / "odd"
    path.write_bytes(content)
    result = run("read", str(path), "--published", "2026-02-24")
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("text, message", [
    ("", "no sentences"),
    ("انسحبت القوات الأمريكية من قاعدة التنف.", "non-Latin"),
    ("just some words without an ending", "no sentences"),
])  # fmt: skip
def test_empty_or_foreign_text_is_an_empty_result(text, message):
    result = run("read", "-", "--published", "2026-02-24", "--json", input=text)
    assert result.exit_code == 0 and json.loads(result.stdout)["events"] == [] and message in result.stderr


def test_no_publication_date_is_a_usage_error():
    result = run("read", "-", input="On Monday U.S. troops withdrew from Tanf.\n")
    assert result.exit_code == 2 and "--published" in result.stderr


def test_import_needs_a_terminal():
    result = run("read", str(ARTICLES / "tanf_handover.txt"), "--import")
    assert result.exit_code == 2 and "--json > drafts.json" in result.stderr


def test_a_stored_event_two_drafts_tell_is_one_record_that_imports(tmp_path, sample_store):
    text = ("In January, U.S. troops withdrew from Tanf, the Wall Street Journal reported.\n\n"
            "Weather in the region was mild.\n\nThe market reopened.\n\nSchools were shut.\n\n"
            "In December, U.S. troops withdrew from Tanf, Al-Monitor reported.\n")  # fmt: skip
    result = run("read", "-", "--published", "2026-02-24", "--json", "--db", str(sample_store), input=text)
    document = json.loads(result.stdout)
    assert [d["matched_event"] for d in document["reading"]["drafts"]] == ["2026-02-11-us-leaves-tanf"] * 2
    [event] = document["events"]  # once, with both accounts
    assert [d["sources"][0]["outlet"] for d in event["disputes"][-2:]] == ["The Wall Street Journal", "Al-Monitor"]
    drafts = tmp_path / "drafts.json"
    drafts.write_text(result.stdout, encoding="utf-8")
    imported = run("import", str(drafts), "--db", str(sample_store))
    assert imported.exit_code == 0 and "updated 1 event" in imported.stdout, imported.stderr


def test_a_wire_dateline_with_its_year_dates_the_article_and_names_no_party(sample_store):
    assert find_date_line(["QAMISHLI, Syria, March 3, 2026 (Example News) - US forces left Qasrak on Monday."])[0] == date(2026, 3, 3)
    text = ("QAMISHLI, Syria, March 3, 2026 (Example News) - US forces completed their withdrawal from Tanf on Monday.\n\n"
            "About 200 troops remained at Erbil.\n")  # fmt: skip
    result = run("read", "-", "--json", "--db", str(sample_store), input=text)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["reading"]["published"] == "2026-03-03"
    unresolved = {u["name"] for u in document["reading"]["unresolved"]}
    assert not unresolved & {"Example News", "QAMISHLI", "Syria", "About"}, unresolved


def test_a_publication_day_after_today_is_refused(tmp_path, bundled):
    """Its drafts would be dated after today, which import refuses: say so at once."""
    article = tmp_path / "article.txt"
    article.write_text("US forces withdrew from the Tanf base on Monday.\n", encoding="utf-8")
    result = run("read", str(article), "--published", "2099-01-01")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == "Error: --published 2099-01-01 is after today; give the day the article came out"
