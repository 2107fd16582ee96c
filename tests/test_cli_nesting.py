"""Places nest and names resolve as typed, through the CLI: timeline, export, add site, validate, import."""

import json

import pytest
from typer.testing import CliRunner

from conftest import SITES, event, write_store
from syriabrief.cli import app
from syriabrief.storage import paths

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def ids(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [e["id"] for e in json.loads(result.stdout)]


@pytest.fixture
def bundled(monkeypatch):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))


def test_a_city_includes_its_airport_and_a_governorate_its_bases(bundled):
    airport = ids(run("timeline", "--site", "Qamishli airport", "--json"))
    city = ids(run("timeline", "--site", "Qamishli", "--json"))
    assert airport and set(airport) <= set(city)
    qasrak = ids(run("timeline", "--site", "Qasrak", "--json"))
    hasakah = ids(run("timeline", "--site", "Hasakah", "--json"))
    assert qasrak and set(qasrak) | set(city) <= set(hasakah)
    # Spelt as people spell it, the answer is the same.
    assert ids(run("timeline", "--site", "Hassakeh", "--json")) == hasakah
    assert ids(run("timeline", "--site", "Qamishlo", "--json")) == city


def test_the_city_alone_stays_reachable_by_its_kind_word(bundled):
    city_only = ids(run("timeline", "--site", "Hasakah city", "--json"))
    assert set(city_only) < set(ids(run("timeline", "--site", "Hasakah", "--json")))


def test_a_shared_name_asks_which_place_and_prints_nothing(bundled):
    result = run("timeline", "--site", "Shaddadi", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "Error: 'Shaddadi' names more than one site: did you mean 'Al-Shaddadi base' (base) "
        "or 'al-Shaddadi town' (town)?\n"
    )
    assert ids(run("timeline", "--site", "Al-Shaddadi base", "--json"))


def test_actors_answer_to_everyday_words(bundled):
    assert ids(run("timeline", "--actor", "Americans", "--json")) == ids(run("timeline", "--actor", "US", "--json"))
    assert ids(run("timeline", "--actor", "the Autonomous Administration", "--json")) == ids(
        run("timeline", "--actor", "SDF", "--json")
    )


def test_export_nests_as_timeline_does_and_carries_the_parents(bundled, tmp_path):
    timeline = ids(run("timeline", "--site", "Qamishli", "--json"))
    lines = run("export", "--format", "jsonl", "--site", "Qamishli")
    assert [json.loads(line)["id"] for line in lines.stdout.splitlines()] == timeline
    exported = run("export", "--site", "Qasrak")
    store = json.loads(exported.stdout)
    sites = {s["id"]: s for s in store["sites"]}
    assert sites["qasrak"]["parent"] == "hasakah-province"
    # Every parent the export names is in it, so it imports into an empty store as it was.
    assert {s["parent"] for s in sites.values() if s["parent"]} <= set(sites)
    source = tmp_path / "export.json"
    source.write_text(exported.stdout, encoding="utf-8")
    empty = tmp_path / "empty.json"
    # With no bundled dataset beneath, so that every record is written.
    imported = runner.invoke(app, ["import", str(source), "--db", str(empty)], env={"SYRIABRIEF_BUNDLED": "none"})
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(empty.read_text(encoding="utf-8"))["sites"] == store["sites"]


def test_geojson_sites_of_a_place_include_what_lies_in_it(bundled):
    result = run("export", "--format", "geojson", "--sites", "--site", "Qamishli", "--as-of", "2026-02")
    assert result.exit_code == 0, result.stderr
    features = json.loads(result.stdout)["features"]
    assert {f["id"] for f in features} == {"qamishli", "qamishli-airport"}
    assert {f["properties"]["parent"] for f in features} == {"hasakah-province", "qamishli"}


# --- add site --parent, validation -------------------------------------------------------


@pytest.fixture
def names(tmp_path, monkeypatch):
    """A stand-in bundled dataset: the conftest sites, Qasrak inside a governorate."""
    sites = [dict(s) for s in SITES]
    sites.append({"id": "hasakah-province", "name": "Hasakah province", "aliases": ["Hasakah Governorate"],
                  "kind": "region", "country": "Syria", "admin1": "al-Hasakah", "lat": 36.5, "lon": 40.75,
                  "location_precision": "approximate", "parent": None})  # fmt: skip
    sites[0]["parent"] = "hasakah-province"
    base = write_store(tmp_path / "bundled.json", [], sites=sites)
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(base))
    return base


def test_add_site_takes_a_parent_by_any_name_and_queries_nest_under_it(tmp_path, names):
    db = tmp_path / "s.json"
    added = run("add", "site", "--name", "Tal Tamr", "--kind", "town", "--parent", "Hassakeh", "--json", "--db", str(db))
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["parent"] == "hasakah-province"
    # The event names the new town as the other common spelling has it.
    made = run("add", "--date", "2026-03-02", "--type", "deployment", "--actor", "SAA", "--site", "Tell Tamer",
               "--summary", "Army units entered Tal Tamr.", "--source-outlet", "Reuters", "--json", "--db", str(db))  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout)["site"] == "tal-tamr"
    assert ids(run("timeline", "--site", "Hasakah", "--json", "--db", str(db))) == [json.loads(made.stdout)["id"]]


def test_add_site_refuses_an_unknown_parent_and_writes_nothing(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("add", "site", "--name", "Tal Tamr", "--parent", "Atlantis", "--db", str(db))
    assert result.exit_code == 1 and result.stderr.startswith("Error: no site named 'Atlantis'.")
    assert not db.exists()


def test_a_new_site_may_take_a_name_that_only_resembles_another(tmp_path, names):
    db = tmp_path / "s.json"
    result = run("add", "site", "--name", "Qasrek village", "--db", str(db))  # not "Qasrak base"
    assert result.exit_code == 0, result.stderr
    refused = run("add", "site", "--name", "al kasrak", "--db", str(db))  # Qasrak's own alias, punctuated otherwise
    assert refused.exit_code == 1 and "already names the site 'Qasrak base'" in refused.stderr


def _file(tmp_path, sites):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"schema_version": 1, "actors": [], "sites": sites, "events": []}), encoding="utf-8")
    return path


def _site(id, parent):
    return {"id": id, "name": id.title(), "parent": parent}


def test_validate_names_an_unknown_parent_and_a_site_inside_itself(tmp_path):
    path = _file(tmp_path, [_site("a", "b"), _site("b", "c"), _site("c", "a"), _site("d", "nowhere"), _site("e", "e")])
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert "parent: no site with id 'nowhere'" in result.stdout + result.stderr
    assert "parent: makes a site contain itself: a in b in c in a" in result.stdout + result.stderr
    assert "parent: a site cannot be inside itself" in result.stdout + result.stderr
    empty = tmp_path / "store.json"
    assert run("import", str(path), "--db", str(empty)).exit_code == 1 and not empty.exists()


def test_a_store_with_a_loop_of_parents_is_refused_on_reading(tmp_path):
    path = write_store(tmp_path / "s.json", [event("x", "2026")], sites=[_site("a", "b"), _site("b", "a")])
    result = run("timeline", "--db", str(path))
    assert result.exit_code == 1 and "makes a site contain itself: a in b in a" in result.stderr
