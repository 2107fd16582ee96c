"""`syriabrief add` (event, actor, site) and `syriabrief store`, through the CLI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import write_store
from syriabrief.cli import app, edit
from syriabrief.storage.store import read_store

runner = CliRunner()

WITHDRAWAL = ["--date", "2026-03-01", "--type", "withdrawal", "--actor", "US", "--site", "Kasrak",
              "--summary", "US forces completed their withdrawal from Qasrak.", "--source-outlet", "Reuters"]


@pytest.fixture
def names(tmp_path, monkeypatch):
    """A stand-in for the bundled dataset: the conftest actors and sites, no events."""
    base = write_store(tmp_path / "bundled.json", [])
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(base))
    return base


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def events_in(path):
    return {e.id: e for e in read_store(path).events}


def test_an_event_is_added_to_a_new_store_and_read_back_by_timeline(tmp_path, names):
    db = tmp_path / "mine" / "store.json"
    db.parent.mkdir()
    result = run("add", *WITHDRAWAL, "--db", str(db))
    assert result.exit_code == 0, result.stderr
    event_id = "2026-03-01-us-forces-completed-withdrawal-qasrak"
    assert result.stdout == f"Added event {event_id} to {db}.\n"
    added = events_in(db)[event_id]
    assert (added.actors, added.site, added.status, added.sources[0].outlet) == (("us",), "qasrak", "reported", "Reuters")
    assert names.read_text() == write_store(tmp_path / "again.json", []).read_text()  # never written
    timeline = run("timeline", "--json", "--db", str(db), "--since", "2026-03")
    assert [e["id"] for e in json.loads(timeline.stdout)] == [event_id]


def test_every_option_reaches_the_record(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("add", "--db", str(db), "--json", "--date", "Mar 2026", "--end-date", "2026-04-02",
                 "--type", "deployment", "--actor", "russia", "--actor", "SAA", "--site", "Khmeimim",
                 "--origin", "qamishli international airport", "--destination", "tanf",
                 "--summary", "  Russian units moved.  ", "--source-outlet", "TASS",
                 "--source-url", "https://example.org/a", "--source-document", "A report",
                 "--published", "3 April 2026", "--status", "claimed", "--stage", "began", "--approximate",
                 "--quantity", "troops=200", "--quantity", "vehicles=30-45", "--quantity", "tonnes=1.5",
                 "--tag", "russia-drawdown", "--id", "my-event")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == events_in(db)["my-event"].to_json()
    assert printed | {} == {
        "id": "my-event", "date": "2026-03", "end_date": "2026-04-02", "date_precision": "month",
        "approximate": True, "type": "deployment", "stage": "began", "actors": ["russia", "syrian-army"],
        "site": "hmeimim", "origin": "qamishli-airport", "destination": "al-tanf",
        "quantities": {"troops": 200, "vehicles": {"low": 30, "high": 45}, "tonnes": 1.5},
        "status": "claimed", "summary": "Russian units moved.",
        "sources": [{"outlet": "TASS", "document": "A report", "url": "https://example.org/a",
                     "published": "2026-04-03"}],
        "disputes": [], "tags": ["russia-drawdown"],
    }  # fmt: skip


def test_the_same_event_twice_is_refused_naming_the_stored_one_unless_forced(tmp_path, names):
    db = tmp_path / "s.json"
    run("add", *WITHDRAWAL, "--db", str(db))
    before = db.read_bytes()
    second = run("add", *WITHDRAWAL, "--db", str(db))
    assert second.exit_code == 1 and db.read_bytes() == before
    assert "already stored as '2026-03-01-us-forces-completed-withdrawal-qasrak'" in second.stderr
    assert "nothing was added; give --force to add it again" in second.stderr.strip().splitlines()[-1]
    forced = run("add", *WITHDRAWAL, "--force", "--db", str(db))
    assert forced.exit_code == 0, forced.stderr
    assert sorted(events_in(db)) == ["2026-03-01-us-forces-completed-withdrawal-qasrak",
                                     "2026-03-01-us-forces-completed-withdrawal-qasrak-2"]


def test_the_same_event_with_another_summary_is_not_an_identical_one(tmp_path, names):
    db = tmp_path / "s.json"
    run("add", *WITHDRAWAL, "--db", str(db))
    other = [*WITHDRAWAL[: WITHDRAWAL.index("--summary") + 1], "Another account of it.",
             *WITHDRAWAL[WITHDRAWAL.index("--summary") + 2:]]  # fmt: skip
    assert run("add", *other, "--db", str(db)).exit_code == 0
    assert len(events_in(db)) == 2


def test_an_id_already_used_is_refused(tmp_path, names):
    db = tmp_path / "s.json"
    assert run("add", *WITHDRAWAL, "--db", str(db), "--id", "x").exit_code == 0
    before = db.read_bytes()
    result = run("add", *WITHDRAWAL, "--db", str(db), "--id", "x", "--force")
    assert result.exit_code == 1
    assert result.stderr == "Error: 'x' is already the id of an event in your store; choose another --id\n"
    assert db.read_bytes() == before


def test_an_unknown_name_is_refused_with_suggestions_and_nothing_written(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("add", *WITHDRAWAL, "--actor", "Rusland", "--db", str(db))
    assert result.exit_code == 1
    assert result.stderr == "Error: no actor named 'Rusland'. Did you mean 'Russia'?\n"
    assert not db.exists()


@pytest.mark.parametrize("args, message", [
    (["--date", "2026-02-30"], "cannot read the date '2026-02-30'"),
    (["--quantity", "troops"], "write NAME=NUMBER or NAME=LOW-HIGH"),
    (["--quantity", "troops=many"], "cannot read the figure in 'troops=many'"),
    (["--quantity", "x=9-3"], "low figure is above the high one"),
    (["--quantity", "x=1", "--quantity", "x=2"], "the quantity 'x' is given twice"),
    (["--end-date", "2026-02-01"], "cannot add this event: end_date: '2026-02-01' is before the date"),
    (["--id", "Not A Slug"], "cannot add this event: id: must be an id"),
    (["--type", "picnic"], "Invalid value for '--type'"),
])  # fmt: skip
def test_bad_values_are_usage_errors(tmp_path, names, args, message):
    db = tmp_path / "s.json"
    result = run("add", *WITHDRAWAL, *args, "--db", str(db))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not db.exists()


def test_missing_options_are_named_when_no_one_can_be_asked(tmp_path, names):
    result = run("add", "--date", "2026-03-01", "--db", str(tmp_path / "s.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: missing --type, --actor, --summary, --source-outlet: an event needs "
                                    "them, and stdin is not a terminal to ask on. Example: syriabrief add --date")


def test_missing_options_are_asked_for_on_a_terminal(tmp_path, names, monkeypatch):
    monkeypatch.setattr(edit, "_can_prompt", lambda: True)
    db = tmp_path / "s.json"
    answers = "\n".join(["31 Feb 2026", "2026-03-05", "march", "withdrawal", "Rusland", "Russia, SDF",
                         "", "Russian troops left.", "Reuters"]) + "\n"  # fmt: skip
    result = run("add", "--db", str(db), input=answers)
    assert result.exit_code == 0, result.stderr
    assert "Error: no actor named 'Rusland'" in result.stderr  # a bad answer is asked again
    added = next(iter(events_in(db).values()))
    assert (added.date, added.type, added.actors, added.summary) == (
        "2026-03-05", "withdrawal", ("russia", "sdf"), "Russian troops left.")
    # CliRunner echoes the typed answers to stdout as a terminal would; the prompts go to stderr.
    assert result.stdout.endswith(f"\nAdded event {added.id} to {db}.\n")
    assert "Date (2026-03-01, 2026-03, Mar 2026):" in result.stderr


def test_a_dry_run_writes_nothing(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("add", *WITHDRAWAL, "--db", str(db), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("Would add event 2026-03-01-us-forces") and "nothing was written" in result.stdout
    assert not db.exists()


def test_the_default_store_is_per_user_and_created_with_its_directory(tmp_path, names):
    result = run("add", *WITHDRAWAL)
    assert result.exit_code == 0, result.stderr
    default = tmp_path / "xdg-data" / "syriabrief" / "store.json"  # XDG_DATA_HOME is pinned in conftest
    assert len(events_in(default)) == 1
    assert len(json.loads(run("timeline", "--json").stdout)) == 1


def test_an_actor_and_a_site_are_added_and_then_usable_by_name(tmp_path, names):
    db = tmp_path / "s.json"
    actor = run("add", "actor", "--db", str(db), "--name", "Jordanian Armed Forces", "--alias", "JAF",
                "--kind", "state_armed_force", "--country", "Jordan", "--parent", "SAA", "--json")
    assert actor.exit_code == 0, actor.stderr
    assert json.loads(actor.stdout) == {"id": "jordanian-armed-forces", "name": "Jordanian Armed Forces",
                                        "aliases": ["JAF"], "kind": "state_armed_force", "country": "Jordan",
                                        "parent": "syrian-army", "affiliations": [], "joined": None}  # fmt: skip
    site = run("add", "site", "--db", str(db), "--name", "Kharab al-Jir airstrip", "--alias", "Kharab al-Jir",
               "--kind", "air_base", "--lat", "36.9", "--lon", "42.1", "--exact")
    assert site.exit_code == 0, site.stderr
    assert site.stdout == f"Added site kharab-al-jir-airstrip to {db}.\n"
    event = run("add", *WITHDRAWAL, "--actor", "jaf", "--site", "kharab al-jir", "--db", str(db), "--json")
    assert event.exit_code == 0, event.stderr
    assert json.loads(event.stdout)["actors"] == ["us", "jordanian-armed-forces"]
    assert json.loads(event.stdout)["site"] == "kharab-al-jir-airstrip"


@pytest.mark.parametrize("args, message", [
    (["actor", "--name", "Syrian Democratic Forces"], "'Syrian Democratic Forces' already names the actor"),
    (["actor", "--name", "New force", "--alias", "sdf"], "'sdf' already names the actor"),
    (["site", "--name", "Al-Kasrak"], "'Al-Kasrak' already names the site 'Qasrak base' (id qasrak)"),
    (["actor", "--name", "X", "--parent", "nobody"], "no actor named 'nobody'"),
])  # fmt: skip
def test_names_already_taken_or_unknown_are_refused(tmp_path, names, args, message):
    db = tmp_path / "s.json"
    result = run("add", *args, "--db", str(db))
    assert result.exit_code == 1
    assert message in result.stderr
    assert not db.exists()


def test_site_options_are_checked(tmp_path, names):
    assert run("add", "site", "--name", "X", "--lat", "36", "--db", str(tmp_path / "s.json")).exit_code == 2
    assert run("add", "site", "--name", "X", "--lat", "91", "--lon", "0").exit_code == 2
    result = run("add", "actor", "--db", str(tmp_path / "s.json"))
    assert result.exit_code == 2 and "missing --name" in result.stderr


def test_event_options_do_not_mix_with_a_subcommand(tmp_path, names):
    result = run("add", "--date", "2026", "actor", "--name", "X", "--db", str(tmp_path / "s.json"))
    assert result.exit_code == 2 and "syriabrief add event" in result.stderr and not (tmp_path / "s.json").exists()


def test_add_event_is_the_subcommand_add_alone_stands_for(tmp_path, names):
    event = ["--date", "2026-03-01", "--type", "withdrawal", "--actor", "US", "--summary", "A report.",
             "--source-outlet", "Reuters", "--dry-run", "--json"]  # fmt: skip
    explicit = run("add", "event", *event, "--db", str(tmp_path / "s.json"))
    implied = run("add", *event, "--db", str(tmp_path / "s.json"))
    assert explicit.exit_code == implied.exit_code == 0, explicit.stderr + implied.stderr
    assert explicit.stdout == implied.stdout and json.loads(explicit.stdout)["type"] == "withdrawal"
    listed = run("add", "--help").stdout
    assert all(name in listed for name in ("event", "actor", "site"))


def test_the_bundled_dataset_cannot_be_the_target(names):
    from syriabrief.storage.paths import bundled_path

    before = bundled_path().read_bytes()
    result = run("add", *WITHDRAWAL, "--db", str(bundled_path()))
    assert result.exit_code == 1 and "never writes" in result.stderr
    assert bundled_path().read_bytes() == before


@pytest.mark.parametrize("args", [["add", "-h"], ["add", "event", "-h"], ["add", "actor", "-h"], ["add", "site", "-h"], ["store", "-h"]])
def test_help_leads_with_a_summary_and_an_example(args):
    result = run(*args)
    assert result.exit_code == 0
    assert "Example: syriabrief " in result.stdout


# --- syriabrief store -------------------------------------------------------------


def test_store_tells_where_each_store_is_and_what_it_holds(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("store", "--json", "--db", str(db))
    assert result.exit_code == 0
    info = json.loads(result.stdout)
    assert info["bundled"] == {"layer": "bundled", "path": str(names), "exists": True, "schema_version": 1,
                               "actors": 4, "sites": 5, "events": 0, "backup": None, "error": None}  # fmt: skip
    assert info["user"] == {"layer": "user", "path": str(db), "exists": False, "schema_version": None,
                            "actors": None, "sites": None, "events": None, "backup": None, "error": None}  # fmt: skip
    run("add", *WITHDRAWAL, "--db", str(db))
    run("add", *WITHDRAWAL, "--force", "--db", str(db))
    info = json.loads(run("store", "--json", "--db", str(db)).stdout)
    assert (info["user"]["events"], info["user"]["backup"]) == (2, str(db) + ".bak")
    text = run("store", "--db", str(db)).stdout
    assert f"Your store (--db): {db}\n  0 actors, 0 sites, 2 events\n" in text
    assert f"Bundled dataset (read-only): {names}\n  4 actors, 5 sites, 0 events\n" in text


def test_store_tells_where_the_index_of_big_stores_is_kept(tmp_path, monkeypatch, names):
    from syriabrief.storage import index

    db = tmp_path / "s.json"
    assert run("add", *WITHDRAWAL, "--db", str(db)).exit_code == 0
    assert json.loads(run("store", "--json", "--db", str(db)).stdout)["index"] is None  # read into memory
    assert "Index: none (stores under 256 KiB, and any store that cannot be read, are read directly)" in run("store", "--db", str(db)).stdout
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0)
    kept = json.loads(run("store", "--json", "--db", str(db)).stdout)["index"]
    assert kept == {"path": str(index.index_path([names, db])), "exists": False, "bytes": None}
    run("timeline", "--db", str(db))  # the first query builds it
    told = json.loads(run("store", "--json", "--db", str(db)).stdout)
    kept, cache = told["index"], told["cache"]
    assert kept["exists"] and kept["bytes"] == Path(kept["path"]).stat().st_size
    # The cache as a whole: this index and whatever else is kept beside it (its lock).
    beside = [p for p in Path(kept["path"]).parent.iterdir() if p.is_file()]
    assert cache == {"path": str(Path(kept["path"]).parent), "files": len(beside), "bytes": sum(p.stat().st_size for p in beside)}
    assert cache["files"] >= 1 and "deleting it is safe" in run("store", "--db", str(db)).stdout
    # A store named but missing has no index: it is not "small", it is not there.
    missing = tmp_path / "missing.json"
    assert json.loads(run("store", "--json", "--db", str(missing)).stdout)["index"] is None


@pytest.mark.parametrize("count", [0, 1, 5])
def test_a_big_store_is_counted_by_its_lines_as_reading_it_whole_counts_it(tmp_path, monkeypatch, count):
    from conftest import event, store_json
    from syriabrief.storage import store, storefile

    db = tmp_path / "s.json"
    db.write_text(store.dump_store(store_json([event(f"e-{n}", f"2026-01-0{n + 1}") for n in range(count)])))
    whole = json.loads(run("store", "--json", "--db", str(db)).stdout)["user"]
    assert (whole["events"], whole["actors"], whole["error"]) == (count, 4, None)
    monkeypatch.setattr(store, "_COUNTED_BY_LINES", 0)
    with monkeypatch.context() as patched:
        patched.setattr(store, "TinyDB", None)  # counted by its lines, or this fails
        assert json.loads(run("store", "--json", "--db", str(db)).stdout)["user"] == whole
    if count < 5:
        return
    # Blocks of 8 bytes: every boundary between two lines straddles blocks somewhere.
    monkeypatch.setattr(storefile, "_CHUNK", 1)
    assert json.loads(run("store", "--json", "--db", str(db)).stdout)["user"] == whole
    # A blank line, or an event spread over lines: still valid JSON, not one event per line, so read whole.
    text = db.read_text()
    for reshaped in (text.replace('},\n{"id": "e-2"', '},\n\n{"id": "e-2"'), text.replace('{"id": "e-3", ', '{\n"id": "e-3", ')):
        assert reshaped != text
        db.write_text(reshaped)
        assert json.loads(run("store", "--json", "--db", str(db)).stdout)["user"] == whole


def test_store_without_a_bundled_layer_and_with_a_broken_store(tmp_path, monkeypatch):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = run("store", "--db", str(broken))
    assert result.exit_code == 1
    assert result.stdout.startswith("Bundled dataset: not read (SYRIABRIEF_BUNDLED=none)\n")
    assert "cannot be read: " in result.stdout and result.stderr.startswith("Error: ")
    assert json.loads(run("store", "--json", "--db", str(broken)).stdout)["user"]["error"].startswith(str(broken))


def test_the_real_command_adds_through_a_real_process(tmp_path, names):
    db = tmp_path / "s.json"
    done = subprocess.run([sys.executable, "-m", "syriabrief", "add", *WITHDRAWAL, "--db", str(db)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(events_in(db)) == 1


def test_a_store_in_a_directory_that_does_not_exist_is_refused_not_created(tmp_path):
    from typer.testing import CliRunner

    from syriabrief.cli import app

    target = tmp_path / "no" / "such" / "store.json"
    result = CliRunner().invoke(app, ["add", "actor", "--name", "Jordanian Armed Forces", "--db", str(target)])
    assert result.exit_code == 1
    assert "there is no directory" in result.stderr
    assert not (tmp_path / "no").exists()


def test_a_date_after_today_is_refused_unless_the_event_is_planned(tmp_path, names):
    db = tmp_path / "s.json"
    later = [*WITHDRAWAL]
    later[later.index("2026-03-01")] = "2099-01-01"
    refused = run("add", *later, "--db", str(db))
    assert refused.exit_code == 2 and "is after today" in refused.stderr and not db.exists()
    assert run("add", *later, "--status", "planned", "--db", str(db)).exit_code == 0


def test_add_to_a_big_store_neither_builds_nor_opens_its_index(tmp_path, names, monkeypatch):
    """An identical event is looked for among the events of its date, not through the index: on a
    store with no index yet, building one took most of a minute at 100k events."""
    from syriabrief.storage import index

    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0)  # every store counts as big
    db = tmp_path / "s.json"
    assert run("add", *WITHDRAWAL, "--db", str(db)).exit_code == 0
    again = run("add", *WITHDRAWAL, "--db", str(db))
    assert again.exit_code == 1 and "already stored as '2026-03-01-us-forces" in again.stderr
    assert not (tmp_path / "xdg-cache").exists() or not any((tmp_path / "xdg-cache").rglob("*.sqlite3"))


def test_a_name_matched_only_loosely_is_said_before_it_is_written(tmp_path, names):
    db = tmp_path / "store.json"
    loose = run("add", "--date", "2026-03-01", "--type", "statement", "--actor", "Rusia", "--summary", "Said so.",
                "--source-outlet", "AFP", "--db", str(db))  # fmt: skip
    assert loose.exit_code == 0, loose.stderr
    assert "Note: actor 'Rusia' taken as Russia (russia), a loose match (transliteration)." in loose.stderr
    exact = run("add", "--date", "2026-03-02", "--type", "statement", "--actor", "Russia", "--summary", "Said again.",
                "--source-outlet", "AFP", "--db", str(db))  # fmt: skip
    assert exact.exit_code == 0 and exact.stderr == ""


def test_an_actor_given_twice_is_refused(tmp_path, names):
    store = tmp_path / "mine.json"
    result = run("add", "event", "--db", str(store), "--date", "2026-02-01", "--type", "presence", "--actor", "US",
                 "--actor", "U.S.", "--summary", "US troops were reported at the base.", "--source-outlet", "Reuters")  # fmt: skip
    assert result.exit_code == 2 and not store.exists()
    assert "'US' and 'U.S.' both name United States: give each actor once" in result.stderr


@pytest.mark.parametrize("option, value, message", [
    ("--source-url", "not a url", "--source-url 'not a url' is not a web address"),
    ("--published", "2099-01-01", "--published 2099-01-01 is after today"),
])  # fmt: skip
def test_a_source_that_cannot_be_is_refused(tmp_path, names, option, value, message):
    store = tmp_path / "mine.json"
    result = run("add", "event", "--db", str(store), "--date", "2026-02-01", "--type", "presence", "--actor", "US",
                 "--summary", "US troops were reported at the base.", "--source-outlet", "Reuters", option, value)  # fmt: skip
    assert result.exit_code == 2 and not store.exists() and message in result.stderr
