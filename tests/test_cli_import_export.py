"""``import``, ``export`` and ``validate`` through the CLI: round trips, all or nothing, bad input."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, SITES, event, store_json, write_store
from syriabrief import formats
from syriabrief.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
# What one problem line looks like: where, then (optionally) the field, then what is wrong.
PROBLEM_LINE = re.compile(r"^(file|line \d+|record \d+( \(line \d+\))?|(actor|site|event) \d+): .+")


def run(*args, input=None, env=None):
    return runner.invoke(app, [str(a) for a in args], input=input, env=env)


@pytest.fixture
def actors_only(tmp_path, monkeypatch) -> Path:
    """A bundled dataset holding only the actors and sites, so an empty user store can take events."""
    path = write_store(tmp_path / "bundled.json", [])
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(path))
    return path


# --- round trips -------------------------------------------------------------------


def test_a_json_export_imports_into_an_empty_store_exactly(tmp_path, sample_store):
    exported = run("export", "--format", "json", "--db", sample_store)
    assert exported.exit_code == 0, exported.stderr
    (tmp_path / "export.json").write_text(exported.stdout, encoding="utf-8")
    empty = tmp_path / "empty.json"
    imported = run("import", tmp_path / "export.json", "--db", empty)
    assert imported.exit_code == 0, imported.stderr
    assert "added 4 actors, 5 sites, 5 events" in imported.stdout
    again = run("export", "--format", "json", "--db", empty)
    assert again.stdout == exported.stdout
    assert empty.read_text(encoding="utf-8") == exported.stdout  # an export is a store file


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jsonl_and_csv_exports_import_into_an_empty_store_exactly(fmt, tmp_path, sample_store, actors_only):
    exported = run("export", "--format", fmt, "--db", sample_store)
    assert exported.exit_code == 0, exported.stderr
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(exported.stdout_bytes)
    empty = tmp_path / "empty.json"
    imported = run("import", path, "--db", empty)
    assert imported.exit_code == 0, imported.stderr
    again = run("export", "--format", fmt, "--db", empty)
    assert again.stdout_bytes == exported.stdout_bytes
    assert [e["id"] for e in json.loads(empty.read_text())["events"]] == [
        e["id"] for e in sorted(SAMPLE_EVENTS, key=lambda e: e["date"])
    ]


def test_awkward_text_survives_a_csv_round_trip(tmp_path, actors_only):
    tricky = event(
        "tricky", "2026-03-01", summary="=1+1 \"quoted\",\r\nnext line", tags=["-x", "a;b", "@y"],
        quantities={"troops": {"low": 1, "high": 2.5}},
        sources=[{"outlet": "+Outlet", "document": "'=doc", "url": None, "published": None}],
    )  # fmt: skip
    source = write_store(tmp_path / "source.json", [tricky], actors=[], sites=[])
    csv_text = run("export", "-f", "csv", "--db", source).stdout_bytes
    (tmp_path / "t.csv").write_bytes(csv_text)
    target = tmp_path / "target.json"
    assert run("import", tmp_path / "t.csv", "--db", target).exit_code == 0
    assert json.loads(target.read_text())["events"] == [tricky]


def test_the_timeline_json_shape_imports(tmp_path, sample_store, actors_only):
    listed = run("timeline", "--json", "--db", sample_store).stdout
    target = tmp_path / "target.json"
    result = run("import", "-", "--db", target, input=listed)
    assert result.exit_code == 0, result.stderr
    assert "Imported standard input (json)" in result.stdout
    assert len(json.loads(target.read_text())["events"]) == len(SAMPLE_EVENTS)


# --- idempotence, updates, dry runs -------------------------------------------------------


def test_importing_the_same_file_twice_adds_nothing_and_changes_are_updates(tmp_path, actors_only):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in SAMPLE_EVENTS[:2]), encoding="utf-8")
    store = tmp_path / "store.json"
    first = json.loads(run("import", path, "--db", store, "--json").stdout)
    assert first["added"]["events"] == [e["id"] for e in SAMPLE_EVENTS[:2]]
    before = store.read_bytes()
    second = json.loads(run("import", path, "--db", store, "--json").stdout)
    assert second["added"]["events"] == [] and second["updated"]["events"] == []
    assert sorted(second["unchanged"]["events"]) == sorted(e["id"] for e in SAMPLE_EVENTS[:2])
    assert store.read_bytes() == before
    changed = dict(SAMPLE_EVENTS[0], summary="A corrected summary.")
    path.write_text(json.dumps(changed), encoding="utf-8")
    third = run("import", path, "--db", store)
    assert "updated 1 event" in third.stdout
    assert json.loads(store.read_text())["events"][0]["summary"] == "A corrected summary."


def test_a_dry_run_says_what_would_change_and_writes_nothing(tmp_path, sample_store):
    path = tmp_path / "in.json"
    path.write_text(json.dumps([event("2026-03-new", "2026-03"), dict(SAMPLE_EVENTS[1], summary="Changed.")]))
    before = sample_store.read_bytes()
    result = run("import", path, "--db", sample_store, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "would add event 2026-03-new" in result.stdout
    assert f"would update event {SAMPLE_EVENTS[1]['id']}" in result.stdout
    assert "Dry run, nothing written" in result.stdout
    assert sample_store.read_bytes() == before
    assert not (tmp_path / "never.json").exists()
    run("import", path, "--db", tmp_path / "never.json", "--dry-run")
    assert not (tmp_path / "never.json").exists()


def test_records_equal_to_the_bundled_data_are_not_copied_into_the_user_store(
    tmp_path, monkeypatch, sample_store
):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(sample_store))
    exported = tmp_path / "all.json"
    exported.write_text(run("export").stdout, encoding="utf-8")
    user = tmp_path / "user.json"
    result = run("import", exported, "--db", user)
    assert result.exit_code == 0 and "already present unchanged" in result.stdout
    assert not user.exists()
    corrected = dict(SAMPLE_EVENTS[0], summary="A correction of a bundled event.")
    (tmp_path / "fix.json").write_text(json.dumps([corrected]))
    report = json.loads(run("import", tmp_path / "fix.json", "--db", user, "--json").stdout)
    assert report["updated"]["events"] == [corrected["id"]] and report["added"]["events"] == []
    assert json.loads(user.read_text())["events"] == [corrected]  # the override lives in the user store


def test_an_import_is_all_or_nothing(tmp_path, sample_store):
    records = [
        event("2026-03-good", "2026-03"),
        event("2026-03-bad", "2026-13"),
        event("2026-03-also-good", "2026-03"),
    ]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(records))
    before = sample_store.read_bytes()
    result = run("import", path, "--db", sample_store)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "record 2: date: '2026-13' has no month 13"
    assert sample_store.read_bytes() == before


# --- ACLED -------------------------------------------------------------------------------


def test_the_documented_acled_sample_imports_over_the_bundled_data(tmp_path, monkeypatch):
    monkeypatch.delenv("SYRIABRIEF_BUNDLED")
    store = tmp_path / "store.json"
    result = run("import", EXAMPLES / "acled-sample.csv", "--db", store, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "acled" and report["skipped"] == ["acled-syr90005"]
    assert report["added"]["events"] == [
        "acled-syr90001",
        "acled-syr90002",
        "acled-syr90003",
        "acled-syr90004",
    ]
    assert "skipped 1 ACLED row" in result.stderr
    events = {e["id"]: e for e in json.loads(store.read_text())["events"]}
    # ACLED's "Qasrak" is a populated place (no kind word): never the Qasrak base, so a new town.
    assert events["acled-syr90001"]["site"] == "qasrak-town" and events["acled-syr90001"]["actors"] == [
        "syrian-army",
        "us",
    ]
    # "Al Shaddadi", a name the town and the base share: ACLED's locations are places, so the town.
    assert events["acled-syr90004"]["site"] == "al-shaddadi-town"
    names = {(m["kind"], m["name"]): m for m in report["names"]}
    assert names[("site", "Al Shaddadi")]["record"] == "al-shaddadi-town"
    assert names[("site", "Qasrak")]["how"] == "new" and "facility" in names[("site", "Qasrak")]["note"]
    assert names[("actor", "Military Forces of Syria (2024-)")]["record"] == "syrian-army"
    # A new location lies in the governorate its admin1 names ("Al Hasakeh"), so --site Hasakah finds it.
    sites = {s["id"]: s for s in json.loads(store.read_text())["sites"]}
    assert sites["markada"]["parent"] == "hasakah-province"
    hasakah = json.loads(run("timeline", "--site", "Hasakah", "--json", "--db", store).stdout)
    assert {"acled-syr90001", "acled-syr90002", "acled-syr90004"} <= {e["id"] for e in hasakah}
    again = json.loads(run("import", EXAMPLES / "acled-sample.csv", "--db", store, "--json").stdout)
    assert again["added"] == {"actors": [], "sites": [], "events": []}
    assert run("validate", "--db", store).exit_code == 0


# --- bad input: a clear report, a non-zero exit, no traceback, the store untouched -------------

BAD_INPUTS = {
    "malformed JSON": (b'[{"id": "a",', 'file: is not valid JSON: Expecting property name'),
    "malformed JSON Lines": (b'{"id": "a", "date": "2026", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}]}\n{"id": \n', 'record 2 (line 2): is not valid JSON'),
    "malformed CSV": (b"id,date,type,summary,sources\na,2026,statement,s\n", 'record 1 (line 2): has 4 cells; the header has 5'),
    "unbalanced CSV quote": (b'id,date,type,summary,sources\na,2026,statement,"open,Reuters\n', 'line 2: is not valid CSV: unexpected end of data (an unbalanced quote?)'),
    "wrong types": (b'[{"id": 7, "date": 2026, "type": "statement", "summary": ["x"], "sources": "Reuters", "approximate": "yes"}]', 'record 1: id: must be an id'),
    "unknown fields": (b'[{"id": "a", "date": "2026", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}], "colour": "red"}]', 'record 1: colour: is not a field of this record'),
    "unknown CSV column": (b"id,date,type,summary,sources,colour\na,2026,statement,s,R,red\n", 'file: colour: is not a column of our CSV'),
    "missing required fields": (b'[{"id": "a"}]', 'record 1: date: is required'),
    "invalid date": (b'[{"id": "a", "date": "2026-02-30", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}]}]', "record 1: date: '2026-02-30' is not a day of the calendar"),
    "absurd date": (b'[{"id": "a", "date": "9999-01-01", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}]}]', 'record 1: date: year 9999 is outside 1900-2100'),
    "end before start": (b'[{"id": "a", "date": "2026-02", "end_date": "2025", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}]}]', "record 1: end_date: '2025' is before the date '2026-02'"),
    "duplicate ids": (b'{"id": "a", "date": "2026", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}]}\n' * 2, "record 2 (line 2): id: 'a' is already the id of record 1 (line 1)"),
    "NaN": (b'[{"id": "a", "date": "2026", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}], "quantities": {"t": NaN}}]', 'file: contains NaN'),
    "Infinity": (b'[{"id": "a", "quantities": {"t": Infinity}}]', 'file: contains Infinity'),
    "a number too large": (b'[{"id": "a", "quantities": {"t": 1e400}}]', 'file: contains the number 1e400, too large to be finite'),
    "deeply nested JSON": (b"[" * 50_000 + b"]" * 50_000, 'file: is nested too deeply'),
    "byte-order mark": (b'\xef\xbb\xbf[]', 'file: starts with a byte-order mark (BOM)'),
    "UTF-16": ("[]".encode("utf-16"), 'file: is UTF-16 text'),
    "not UTF-8": (b'[{"id": "caf\xe9"}]', 'file: is not UTF-8 text (line 1, byte 13)'),
    "empty": (b"", 'file: is empty'),
    "not a known format": (b"just some words\n", 'file: is not in a format syriabrief reads'),
    "unknown reference": (b'[{"id": "a", "date": "2026", "type": "statement", "summary": "s", "sources": [{"outlet": "R"}], "actors": ["nobody"]}]', "record 1: actors: no actor with id 'nobody'"),
    "a store of a newer schema": (b'{"schema_version": 9, "actors": [], "sites": [], "events": []}', 'file: schema_version: is 9, newer than this syriabrief understands'),
    "a bad ACLED row": ("\n".join([
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,location,latitude,longitude",
        "SYR1,2026-02-31,1,Battles,Armed clash,SDF,Nowhere,95,40"]).encode(), "record 1 (line 2): latitude: '95' is not a number from -90 to 90"),
}  # fmt: skip


def test_an_import_makes_no_reference_cycles_of_its_records(tmp_path, monkeypatch, capsys):
    """The import runs with the cycle collector off (cli/importing.py), so nothing it makes per record
    may be a cycle: those would be kept until the process ends. The few the run makes once (the
    dataset it checks against) are the same for 5 rows as for 200."""
    import gc
    import types

    from syriabrief.cli import importing

    header, first, *_ = (EXAMPLES / "acled-sample.csv").read_text(encoding="utf-8").splitlines()
    monkeypatch.setattr(importing, "gc", types.SimpleNamespace(isenabled=lambda: False, disable=lambda: None, enable=lambda: None))

    def cycles_left(rows: int) -> int:  # into a new store each time
        lines = [first.replace("SYR90001,2026-02-25", f"SYR{n},2026-02-{1 + n % 25:02d}", 1) for n in range(rows)]
        store = tmp_path / f"{len(list(tmp_path.iterdir()))}.json"
        gc.collect()
        gc.disable()
        try:
            importing.import_bytes("\n".join([header, *lines]).encode(), "file", None, store, dry_run=False, json=False)
            return gc.collect()
        finally:
            gc.enable()

    cycles_left(5)  # the first run imports modules, which make cycles of their own
    assert cycles_left(200) == cycles_left(5)
    assert "added" in capsys.readouterr().out


@pytest.mark.parametrize("content, expected", BAD_INPUTS.values(), ids=list(BAD_INPUTS))
@pytest.mark.parametrize("via", ["file", "stdin"])
def test_bad_input_is_reported_one_problem_per_line_and_changes_nothing(
    content, expected, via, tmp_path, sample_store
):
    before = sample_store.read_bytes()
    if via == "file":
        path = tmp_path / "bad-input"
        path.write_bytes(content)
        result = run("import", path, "--db", sample_store)
    else:
        result = run("import", "-", "--db", sample_store, input=content)
    assert result.exit_code == 1
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and result.stdout == ""
    *problems, last = result.stderr.splitlines()
    assert problems and all(PROBLEM_LINE.match(line) for line in problems), result.stderr
    assert last.startswith("Error: nothing imported:")
    assert any(line.startswith(expected) for line in problems), result.stderr
    assert sample_store.read_bytes() == before


def test_every_problem_is_listed_not_just_the_first(tmp_path, sample_store):
    path = tmp_path / "bad.json"
    path.write_bytes(BAD_INPUTS["wrong types"][0])
    result = run("import", path, "--db", sample_store)
    fields = [line.split(": ")[1] for line in result.stderr.splitlines()[:-1]]
    assert {"id", "date", "summary", "sources", "approximate"} <= set(fields)


def test_input_past_the_size_limit_is_refused_without_reading_it_all(tmp_path, sample_store, monkeypatch):
    monkeypatch.setattr(formats, "MAX_IMPORT_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([event(f"e{n}", "2026") for n in range(10)]))
    before = sample_store.read_bytes()
    for args in ((path,), ("-",)):
        result = run("import", *args, "--db", sample_store, input=path.read_bytes())
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines() == [
            "file: is larger than 100 bytes, the most syriabrief reads at once; split it into smaller files",
            f"Error: nothing imported: 1 problem in {'standard input' if args == ('-',) else path}; fix it and import again.",
        ]
    assert sample_store.read_bytes() == before


def test_a_missing_file_or_a_broken_store_is_an_error_not_a_traceback(tmp_path, sample_store):
    assert run("import", tmp_path / "missing.csv", "--db", sample_store).stderr.startswith("Error: no file")
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    (tmp_path / "in.json").write_text("[]")
    result = run("import", tmp_path / "in.json", "--db", broken)
    assert result.exit_code == 1 and result.stderr.startswith("Error:") and broken.read_text() == "{"


def test_format_can_be_forced(tmp_path, sample_store):
    path = tmp_path / "events.txt"
    path.write_text("\n".join(json.dumps(e) for e in SAMPLE_EVENTS), encoding="utf-8")
    result = run("import", path, "--format", "jsonl", "--db", sample_store, "--dry-run")
    assert result.exit_code == 0 and "(jsonl)" in result.stdout
    wrong = run("import", path, "--format", "csv", "--db", sample_store)
    assert wrong.exit_code == 1


# --- export ---------------------------------------------------------------------------------


def test_export_takes_the_timeline_filters(sample_store):
    result = run("export", "-f", "jsonl", "--actor", "US", "--type", "withdrawal", "--db", sample_store)
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["2026-02-11-us-leaves-tanf", "2026-02-21-qasrak-evacuation"]
    limited = run("export", "-f", "jsonl", "--limit", "1", "--db", sample_store)
    assert [json.loads(x)["id"] for x in limited.stdout.splitlines()] == ["2026-02-21-qasrak-evacuation"]


def test_a_filtered_json_export_carries_only_the_actors_and_sites_it_needs(sample_store):
    store = json.loads(run("export", "--actor", "Russia", "--db", sample_store).stdout)
    assert [a["id"] for a in store["actors"]] == ["russia"]
    assert [s["id"] for s in store["sites"]] == ["qamishli-airport", "hmeimim"]


def test_export_writes_to_a_file_and_says_so_on_stderr(tmp_path, sample_store):
    out = tmp_path / "events.csv"
    result = run("export", "-f", "csv", "-o", out, "--db", sample_store)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"Wrote {len(SAMPLE_EVENTS)} events to {out}.\n"
    assert out.read_bytes().startswith(b"id,start_date,end_date,date,")


def test_export_refuses_to_overwrite_a_store(sample_store):
    before = sample_store.read_bytes()
    result = run("export", "-o", sample_store, "--db", sample_store)
    assert result.exit_code == 1 and "is a store" in result.stderr
    assert sample_store.read_bytes() == before


def test_geojson_export_is_a_feature_collection(sample_store):
    result = run("export", "-f", "geojson", "--db", sample_store)
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    assert all(
        f["geometry"]["type"] == "Point" and len(f["geometry"]["coordinates"]) == 2
        for f in collection["features"]
    )
    assert "1 of 5 events has no site with coordinates and is not in the GeoJSON." in result.stderr
    sites = json.loads(
        run("export", "-f", "geojson", "--sites", "--as-of", "2026-02", "--db", sample_store).stdout
    )
    assert {f["id"] for f in sites["features"]} == {s["id"] for s in SITES}


def test_a_site_geojson_says_how_many_sites_it_could_not_place(tmp_path):
    unplaced = {"id": "tal-tamr", "name": "Tal Tamr", "aliases": [], "kind": "town", "country": "Syria"}
    db = write_store(tmp_path / "s.json", SAMPLE_EVENTS, sites=[*SITES, unplaced])
    result = run("export", "-f", "geojson", "--sites", "--db", str(db))
    assert result.exit_code == 0, result.stderr
    assert "tal-tamr" not in {f["id"] for f in json.loads(result.stdout)["features"]}
    assert f"1 of {len(SITES) + 1} sites has no coordinates and is not in the GeoJSON." in result.stderr


def test_sites_go_with_geojson_only(sample_store):
    assert run("export", "--sites", "--db", sample_store).exit_code == 2


def test_markdown_export_is_a_briefing(sample_store):
    result = run("export", "-f", "markdown", "--actor", "US", "--db", sample_store)
    assert result.stdout.startswith("# Briefing: United States\n")
    assert "## Sources\n\n1. **Reuters**" in result.stdout


def test_an_empty_export_is_valid_in_every_format(sample_store, tmp_path):
    for fmt in ("json", "jsonl", "csv", "geojson", "markdown"):
        result = run("export", "-f", fmt, "--search", "no such words", "--db", sample_store)
        assert result.exit_code == 0, (fmt, result.stderr)
    assert (
        json.loads(run("export", "-f", "geojson", "--search", "zzz", "--db", sample_store).stdout)["features"]
        == []
    )


# --- validate ------------------------------------------------------------------------------


def test_validate_a_clean_file_exits_0_with_one_ok_line(tmp_path, sample_store):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in SAMPLE_EVENTS), encoding="utf-8")
    result = run("validate", path, "--db", sample_store)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"OK: {path} (jsonl, 5 events): no problems.\n"


def test_validate_lists_every_problem_and_exits_1(tmp_path, sample_store):
    path = tmp_path / "bad.json"
    path.write_bytes(BAD_INPUTS["wrong types"][0])
    result = run("validate", path, "--db", sample_store)
    assert result.exit_code == 1
    *problems, last = result.stderr.splitlines()
    assert len(problems) >= 5 and all(PROBLEM_LINE.match(p) for p in problems)
    assert last.startswith("Error: ") and "problems in" in last
    as_json = run("validate", path, "--json", "--db", sample_store)
    assert as_json.exit_code == 1
    assert {p["field"] for p in json.loads(as_json.stdout)} >= {"id", "date", "summary"}


def test_validate_without_a_file_checks_the_stores(tmp_path, sample_store, monkeypatch):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(sample_store))
    user = write_store(tmp_path / "user.json", [event("mine", "2026-03", actors=["us"])], actors=[], sites=[])
    result = run("validate", "--db", user)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("OK: bundled dataset (4 actors, 5 sites, 5 events) and ")
    broken = write_store(
        tmp_path / "broken.json", [event("mine", "2026-03", actors=["nobody"]), {"id": "x"}], [], []
    )
    result = run("validate", "--db", broken)
    assert result.exit_code == 1
    assert f"{broken}: event 1: actors: no actor with id 'nobody'" in result.stderr


def test_validate_the_bundled_dataset(monkeypatch):
    monkeypatch.delenv("SYRIABRIEF_BUNDLED")
    result = run("validate")
    assert result.exit_code == 0 and result.stderr.startswith("OK: bundled dataset (")


def test_validate_a_store_file_by_path_does_not_vouch_for_itself(tmp_path, monkeypatch):
    store = tmp_path / "store.json"
    store.write_text(json.dumps(store_json([event("a", "2026", actors=["ghost"])], actors=ACTORS, sites=[])))
    monkeypatch.setenv("SYRIABRIEF_DB", str(store))
    result = run("validate", store)
    assert result.exit_code == 1 and "no actor with id 'ghost'" in result.stderr


@pytest.mark.parametrize("command", ["import", "export", "validate"])
def test_help_leads_with_a_summary_and_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and f"Example: syriabrief {command}" in result.stdout


# --- progress ---------------------------------------------------------------------------------


class _Terminal:
    """A stand-in stderr that says it is a terminal and keeps what is written."""

    def __init__(self):
        import io

        self.buffer = io.StringIO()

    def isatty(self):
        return True

    def write(self, text):
        return self.buffer.write(text)

    def flush(self):
        pass


def test_a_progress_bar_shows_for_large_inputs_on_a_terminal_only(monkeypatch):
    from syriabrief.output import terminal as render

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    with render.progress_bar(render.PROGRESS_THRESHOLD - 1, "Checking") as advance:
        advance()
    assert terminal.buffer.getvalue() == ""
    with render.progress_bar(render.PROGRESS_THRESHOLD, "Checking") as advance:
        for _ in range(render.PROGRESS_THRESHOLD):
            advance()
    assert "Checking" in terminal.buffer.getvalue()
    monkeypatch.setenv("TERM", "dumb")
    with render.progress_bar(render.PROGRESS_THRESHOLD, "Dumb") as advance:
        advance()
    assert "Dumb" not in terminal.buffer.getvalue()


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, sample_store, monkeypatch):
    from syriabrief.output import terminal as render

    monkeypatch.setattr(render, "PROGRESS_THRESHOLD", 1)
    path = tmp_path / "in.json"
    path.write_text(json.dumps([event("2026-03-a", "2026-03"), event("2026-03-b", "2026-03")]))
    result = run("import", path, "--db", sample_store)
    assert result.exit_code == 0 and result.stderr == ""


# --- issue 13: ACLED exports without silent damage -----------------------------------------

ACLED_FIXTURE = Path(__file__).resolve().parent / "acled" / "syria-2026-q1.csv"


def test_an_acled_syria_export_for_early_2026_duplicates_no_place_or_actor_the_data_holds(tmp_path, monkeypatch):
    monkeypatch.delenv("SYRIABRIEF_BUNDLED")  # the real bundled data, ACLED's usual spellings against it
    store = tmp_path / "store.json"
    result = run("import", ACLED_FIXTURE, "--db", store, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # Only places and parties the bundled data does not hold are new.
    assert report["added"]["sites"] == ["markada", "tal-tamr"]
    assert report["added"]["actors"] == ["civilians-syria", "unidentified-armed-group-syria"]
    mapped = {(m["kind"], m["name"]): m["record"] for m in report["names"]}
    assert {name: mapped[("site", name)] for name in ("Al Hasakeh", "Al Hole", "Al Shaddadi", "Ain Al Arab", "Tadmor", "Menbij", "Al Thawrah")} == {
        "Al Hasakeh": "hasakah", "Al Hole": "al-hol", "Al Shaddadi": "al-shaddadi-town", "Ain Al Arab": "kobani",
        "Tadmor": "palmyra", "Menbij": "manbij", "Al Thawrah": "tabqa",
    }  # fmt: skip
    assert {name: mapped[("actor", name)] for name in (
        "Military Forces of Syria (2024-)", "SDF: Syrian Democratic Forces", "Military Forces of Israel (1948-)",
        "Military Forces of Turkey (2016-)", "Military Forces of Russia (2000-)",
        "Military Forces of the United States (2021-)", "Islamic State (Syria)",
    )} == {
        "Military Forces of Syria (2024-)": "syrian-army", "SDF: Syrian Democratic Forces": "sdf",
        "Military Forces of Israel (1948-)": "idf", "Military Forces of Turkey (2016-)": "turkish-armed-forces",
        "Military Forces of Russia (2000-)": "russian-armed-forces",
        "Military Forces of the United States (2021-)": "us", "Islamic State (Syria)": "isis",
    }  # fmt: skip
    # The town's "Government regains territory" row is the town's, never the base's history;
    # the bundled event on the same day in the same place is pointed out, not merged.
    assert {"where": "record 1 (line 2)", "event": "acled-syr80001", "same_as": "2026-01-19-army-takes-al-shaddadi-town"} in report["near_duplicates"]  # fmt: skip
    text = run("import", ACLED_FIXTURE, "--db", store, "--dry-run")
    assert "site  Al Shaddadi -> al-shaddadi-town (folded spelling; 0.0 km from the row's coordinates)" in text.stdout
    assert "actor Civilians (Syria) -> civilians-syria (new)" in text.stdout
    assert "acled-syr80001 (record 1 (line 2)) has the date, type, actors and site of" in text.stderr


TOWN_AND_BASE = [
    {"id": "shaddadi-base", "name": "Al-Shaddadi base", "aliases": ["Al-Shaddadi", "Shaddadi"], "kind": "base",
     "country": "Syria", "admin1": None, "lat": 36.0561, "lon": 40.7303, "location_precision": "exact", "parent": None},
    {"id": "hmeimim", "name": "Hmeimim air base", "aliases": ["Hmeimim"], "kind": "air_base", "country": "Syria",
     "admin1": None, "lat": 35.4117, "lon": 35.945, "location_precision": "exact", "parent": None},
]  # fmt: skip
ACLED_HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,actor2,admin1,location,latitude,longitude,geo_precision,notes\n"


def test_an_acled_town_never_lands_on_the_base_of_its_name(tmp_path, monkeypatch):
    bundled = write_store(tmp_path / "bundled.json", [], sites=TOWN_AND_BASE)
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(bundled))
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEADER + "SYR1,2026-01-19,Battles,Government regains territory,Military Forces of Syria (2024-),"
                    "SDF: Syrian Democratic Forces,Al Hasakeh,Al Shaddadi,36.0561,40.7306,1,A row.\n")  # fmt: skip
    store = tmp_path / "store.json"
    report = json.loads(run("import", path, "--db", store, "--json").stdout)
    [town] = [m for m in report["names"] if m["kind"] == "site"]
    assert town["how"] == "new" and town["record"] == "al-shaddadi"
    assert "Al-Shaddadi base is a facility, not a populated place" in town["note"]
    events = json.loads(store.read_text())["events"]
    assert [e["site"] for e in events] == ["al-shaddadi"]


def test_an_acled_location_far_from_a_known_site_of_its_name_is_another_place(tmp_path, monkeypatch):
    town = {"id": "tall-abyad", "name": "Tall Abyad", "aliases": [], "kind": "town", "country": "Syria", "admin1": None,
            "lat": 36.6975, "lon": 38.9567, "location_precision": "exact", "parent": None}  # fmt: skip
    bundled = write_store(tmp_path / "bundled.json", [], sites=[town])
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(bundled))
    path = tmp_path / "acled.csv"
    path.write_text(ACLED_HEADER + "SYR1,2026-01-19,Battles,Armed clash,Islamic State (Syria),,Homs,Tall Abyad,34.70,36.72,1,A row.\n"
                    "SYR2,2026-01-20,Battles,Armed clash,Islamic State (Syria),,Ar-Raqqa,Tall Abyad,36.70,38.95,1,A row.\n")  # fmt: skip
    report = json.loads(run("import", path, "--db", tmp_path / "s.json", "--json", "--dry-run").stdout)
    [far] = [m for m in report["names"] if m["kind"] == "site"]
    assert far["how"] == "new" and far["record"] == "tall-abyad-town" and "km away" in far["note"]


def test_a_us_dated_file_asks_for_the_date_order_and_then_reads_it(tmp_path, actors_only):
    path = tmp_path / "us.csv"
    path.write_text("id,date,type,summary,sources\na,2/5/2026,statement,s,R\nb,2/12/2026,statement,t,R\n")
    store = tmp_path / "s.json"
    refused = run("import", path, "--db", store)
    assert refused.exit_code == 1 and not store.exists()
    assert "--date-order" in refused.stderr and "record 1 (line 2)" in refused.stderr
    read = run("import", path, "--db", store, "--date-order", "mdy", "--json")
    assert read.exit_code == 0, read.stderr
    assert sorted(e["date"] for e in json.loads(store.read_text())["events"]) == ["2026-02-05", "2026-02-12"]
    # Read day first, 2/12/2026 is 2 December: after today, refused with its row.
    dec = run("import", path, "--db", tmp_path / "t.json", "--date-order", "dmy")
    assert dec.exit_code == 1 and "record 2 (line 3): date: '2026-12-02' is after today" in dec.stderr


def test_a_file_mixing_date_orders_is_refused_naming_rows(tmp_path, actors_only):
    path = tmp_path / "mixed.csv"
    path.write_text("id,date,type,summary,sources\na,23/02/2026,statement,s,R\nb,2/23/2026,statement,t,R\n")
    result = run("validate", path)
    assert result.exit_code == 1
    assert "mixes day-first dates ('23/02/2026' in record 1 (line 2))" in result.stderr
    assert "month-first ones ('2/23/2026' in record 2 (line 3))" in result.stderr


def test_since_reads_a_date_as_imports_do(sample_store):
    assert run("timeline", "--since", "23/02/2026", "--json", "--db", sample_store).exit_code == 0
    ambiguous = run("timeline", "--since", "2/5/2026", "--db", sample_store)
    assert ambiguous.exit_code == 2 and "2026-05-02 (day first) or 2026-02-05 (month first)" in ambiguous.stderr


def test_import_points_out_near_duplicates_without_merging(tmp_path, sample_store):
    [known] = [e for e in SAMPLE_EVENTS if e["actors"] and e["site"] and len(e["date"]) == 10][:1]
    twin = {**known, "id": "another-report", "summary": "Told in other words."}
    path = tmp_path / "twin.json"
    path.write_text(json.dumps([twin]))
    result = run("import", path, "--db", sample_store, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"]["events"] == ["another-report"]
    assert report["near_duplicates"] == [{"where": "record 1", "event": "another-report", "same_as": known["id"]}]


def test_an_import_checks_each_record_once(tmp_path, sample_store, actors_only, monkeypatch):
    """The file's check is the records' check: the write checks only what depends on the store."""
    from syriabrief.domain import validate

    checked = []
    real_check = validate._check_event
    monkeypatch.setattr(validate, "_check_event", lambda record: checked.append(record["id"]) or real_check(record))
    (tmp_path / "export.json").write_text(run("export", "--format", "json", "--db", sample_store).stdout)
    checked.clear()
    imported = run("import", tmp_path / "export.json", "--db", tmp_path / "new.json")
    assert imported.exit_code == 0, imported.stderr
    assert sorted(checked) == sorted(e["id"] for e in SAMPLE_EVENTS)
    more = [event("2026-03-01-new", "2026-03-01"), *SAMPLE_EVENTS]  # into a store that exists: an append
    (tmp_path / "more.json").write_text(json.dumps(store_json(more)))
    checked.clear()
    assert run("import", tmp_path / "more.json", "--db", tmp_path / "new.json").exit_code == 0
    assert checked.count("2026-03-01-new") == 1  # (the store's own events are checked as it is read)


@pytest.mark.parametrize("args", [["export", "--format", "csv"], ["brief", "--html", "--as-of", "2026-02-24"]])
def test_output_dash_is_standard_output_not_a_file_named_dash(tmp_path, monkeypatch, args):
    from syriabrief.storage import paths

    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    monkeypatch.chdir(tmp_path)
    to_stdout, dashed = run(*args), run(*args, "-o", "-")
    assert dashed.exit_code == 0, dashed.stderr
    assert dashed.stdout == to_stdout.stdout and len(dashed.stdout) > 1000
    assert not (tmp_path / "-").exists()
