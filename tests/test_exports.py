"""Exports fit the tools analysts use: read back by the standard library, and by GDAL where installed.

CSV: ISO dates to sort on, names beside ids, coordinates, sources as plain
``; ``-joined text; a sites CSV with who holds each site. GeoJSON: plain
property values (GDAL maps them to fields without a warning), nested on request.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_EVENTS, SITES, SOURCE, event, write_store
from syriabrief.cli import app

runner = CliRunner()
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
TWO_SOURCES = [SOURCE, {"outlet": "AP", "document": None, "url": "https://apnews.com/x", "published": None}]


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def store(tmp_path):
    events = [*SAMPLE_EVENTS,
              event("2026-02-25-two-sources", "2026-02-25", "statement", actors=["us", "sdf"], site="qasrak",
                    sources=TWO_SOURCES, quantities={"troops": 200, "escaped": {"low": 120, "high": 1500}},
                    tags=["northeast", "us"])]  # fmt: skip
    return write_store(tmp_path / "store.json", events)


# --- CSV ---------------------------------------------------------------------------


def test_csv_dates_sort_as_iso_days_beside_the_stored_partial_date(store):
    by_id = {r["id"]: r for r in rows(run("export", "-f", "csv", "--db", store).stdout)}
    assert all(ISO_DAY.fullmatch(r["start_date"]) and ISO_DAY.fullmatch(r["end_date"]) for r in by_id.values())
    year = by_id["2016-us-at-tanf"]
    assert (year["start_date"], year["end_date"], year["date"], year["date_precision"]) == (
        "2016-01-01", "2016-12-31", "2016", "year")  # fmt: skip
    span = by_id["2026-01-20-russia-leaves-qamishli"]
    assert (span["start_date"], span["end_date"], span["date_end"]) == ("2026-01-20", "2026-01-27", "2026-01-27")


def test_csv_has_names_coordinates_and_plain_sources(store):
    row = next(r for r in rows(run("export", "-f", "csv", "--db", store).stdout) if r["id"].endswith("two-sources"))
    assert (row["actors"], row["actor_names"]) == ("us; sdf", "United States; Syrian Democratic Forces")
    assert (row["site"], row["site_name"], row["latitude"], row["longitude"]) == (
        "qasrak", "Qasrak base", "36.7062", "40.512")  # fmt: skip
    assert (row["outlets"], row["documents"], row["urls"]) == ("Reuters; AP", "test; ", "; https://apnews.com/x")
    assert row["published"] == "2026-02-24; "
    assert row["quantities"] == "troops=200; escaped=120..1500" and row["tags"] == "northeast; us"
    assert not any(cell.lstrip().startswith(("[", "{")) for cell in row.values()), "no JSON in ordinary rows"


def test_the_spreadsheet_csv_imports_back_exactly(store, tmp_path, monkeypatch):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(write_store(tmp_path / "bundled.json", [])))
    text = run("export", "-f", "csv", "--db", store).stdout_bytes
    (tmp_path / "e.csv").write_bytes(text)
    target = tmp_path / "target.json"
    assert run("import", tmp_path / "e.csv", "--db", target).exit_code == 0
    stored = json.loads(store.read_text())["events"]
    assert sorted(json.loads(target.read_text())["events"], key=lambda e: e["id"]) == sorted(stored, key=lambda e: e["id"])


def test_a_csv_of_the_earlier_layout_still_imports(tmp_path):
    old = ('id,date,end_date,type,summary,sources\r\n'
           'a,2026-01,2026-03,statement,Hi.,"[{""outlet"": ""Reuters"", ""document"": null, ""url"": null, '
           '""published"": null}]"\r\n')  # fmt: skip
    (tmp_path / "old.csv").write_text(old, encoding="utf-8")
    result = run("import", tmp_path / "old.csv", "--db", tmp_path / "s.json", "--json")
    assert result.exit_code == 0, result.stderr
    [stored] = json.loads((tmp_path / "s.json").read_text())["events"]
    assert (stored["date"], stored["end_date"], stored["sources"][0]["outlet"]) == ("2026-01", "2026-03", "Reuters")


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("end_date", "2026-01-31", "end_date: is '2026-01-31', but date and date_end cover 2016-01-01 to 2016-12-31"),
        ("urls", "a; b; c", "urls: has 3 items for 1 outlets"),
    ],
)
def test_an_edit_import_would_lose_is_refused(store, tmp_path, column, value, message):
    [row] = [r for r in rows(run("export", "-f", "csv", "--db", store).stdout) if r["id"] == "2016-us-at-tanf"]
    row[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    (tmp_path / "edited.csv").write_text(out.getvalue(), encoding="utf-8")
    result = run("validate", tmp_path / "edited.csv", "--db", store)
    assert result.exit_code == 1 and message in result.stderr, result.stderr


def test_a_date_moved_in_date_with_the_derived_days_cleared_imports(store, tmp_path):
    [row] = [r for r in rows(run("export", "-f", "csv", "--db", store).stdout) if r["id"] == "2016-us-at-tanf"]
    row.update(date="2017", start_date="", end_date="")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    (tmp_path / "moved.csv").write_text(out.getvalue(), encoding="utf-8")
    result = run("import", tmp_path / "moved.csv", "--db", store, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["updated"]["events"] == ["2016-us-at-tanf"]


def test_the_sites_csv_says_who_holds_each_site_on_the_day(store):
    early = {r["id"]: r for r in rows(run("export", "-f", "csv", "--sites", "--as-of", "2020", "--db", store).stdout)}
    late = {r["id"]: r for r in rows(run("export", "-f", "csv", "--sites", "--as-of", "2026-03", "--db", store).stdout)}
    assert set(early) == {s["id"] for s in SITES}
    assert (early["al-tanf"]["holder"], early["al-tanf"]["holder_name"], early["al-tanf"]["status"]) == (
        "us", "United States", "active")  # fmt: skip
    assert late["al-tanf"]["holder"] == "" and late["al-tanf"]["previous_name"] == "United States"
    assert late["al-tanf"]["as_of"] == "2026-03-31" and late["qasrak"]["latitude"] == "36.7062"
    # The age of the evidence travels with the state: a spreadsheet shows how old "active" is.
    assert (early["al-tanf"]["last_reported"], early["al-tanf"]["age_days"]) == ("2016", "1461")


def test_sites_nested_and_as_of_need_a_format_that_has_them(store):
    assert run("export", "-f", "json", "--sites", "--db", store).exit_code == 2
    assert run("export", "-f", "csv", "--as-of", "2026", "--db", store).exit_code == 2
    assert run("export", "-f", "csv", "--nested", "--db", store).exit_code == 2


# --- GeoJSON ------------------------------------------------------------------------


def _properties(*args) -> list[dict]:
    result = run("export", "-f", "geojson", *args)
    assert result.exit_code == 0, result.stderr
    return [f["properties"] for f in json.loads(result.stdout)["features"]]


@pytest.mark.parametrize("extra", [[], ["--sites"]])
def test_geojson_properties_are_plain_values(store, extra):
    properties = _properties(*extra, "--db", store)
    assert properties and all(
        value is None or isinstance(value, (str, int, float, bool)) for p in properties for value in p.values()
    )


def test_geojson_nested_keeps_lists_and_objects(store):
    event = next(p for p in _properties("--nested", "--db", store) if p["id"].endswith("two-sources"))
    assert event["actors"] == ["us", "sdf"] and event["sources"] == TWO_SOURCES
    assert event["quantities"]["escaped"] == {"low": 120, "high": 1500}
    site = next(p for p in _properties("--sites", "--nested", "--db", store) if p["id"] == "qasrak")
    assert isinstance(site["aliases"], list) and "holder" in site


# --- GDAL, where installed --------------------------------------------------------------

needs_gdal = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed")


@needs_gdal
@pytest.mark.parametrize(
    "args, name, features",
    [
        (["-f", "geojson"], "events.geojson", 5),
        (["-f", "geojson", "--sites"], "sites.geojson", len(SITES)),
        (["-f", "geojson", "--nested"], "nested.geojson", 5),
        (["-f", "csv"], "events.csv", 6),
        (["-f", "csv", "--sites"], "sites.csv", len(SITES)),
    ],
)
def test_gdal_reads_every_export_without_a_warning(store, tmp_path, args, name, features):
    path = tmp_path / name
    assert run("export", *args, "-o", path, "--db", store).exit_code == 0
    info = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True)
    assert info.returncode == 0 and f"Feature Count: {features}" in info.stdout, info.stdout + info.stderr
    if "--nested" not in args:
        converted = subprocess.run(
            ["ogr2ogr", "-f", "GPKG", str(tmp_path / "out.gpkg"), str(path)], capture_output=True, text=True
        )
        assert converted.returncode == 0 and "Warning" not in converted.stderr, converted.stderr
