"""The file formats as pure functions: detection, reading, writing, round trips, and bad input."""

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import syriabrief.formats.acled  # noqa: F401  (formats.acled below)
from conftest import ACTORS, SAMPLE_EVENTS, SITES, SOURCE, dataset, event
from syriabrief import formats
from syriabrief.domain.model import EVENT_KEYS, Actor, Event, Site
from syriabrief.formats import all_problems, check_entries, detect_format, read_records, split_changes
from syriabrief.formats.acled import read_acled
from syriabrief.formats.csvfmt import _cell, _items, _row_chunks, neutralise, read_csv, restore, write_csv
from syriabrief.formats.flat import join_items
from syriabrief.formats.geojson import event_features, site_features, write_geojson
from syriabrief.formats.jsonfmt import (
    MAX_DEPTH,
    JsonInputError,
    parse_json,
    read_json,
    read_jsonl,
    write_jsonl,
)
from syriabrief.formats.markdown import write_markdown
from syriabrief.storage.storefile import dump_store

EVENTS = [Event.from_json(e) for e in SAMPLE_EVENTS]

# Values a spreadsheet or a careless writer would mangle.
AWKWARD = event(
    "2026-03-01-awkward",
    "2026-03-01",
    "withdrawal",
    end_date="2026-03-04",
    approximate=True,
    stage="began",
    actors=["us", "sdf"],
    site="qasrak",
    destination="erbil",
    quantities={"troops": 200, "share": 0.5, "escaped": {"low": 120, "high": 1500}, "neg": -3},
    status="disputed",
    summary='=HYPERLINK("http://x") says "hi", then a new line:\r\nsecond line; ünïcödé – ok',
    sources=[
        {
            "outlet": "-Minus News",
            "document": "@handle",
            "url": "https://example.org/a?b=1",
            "published": "2026-03",
        },
        {"outlet": "'=quoted", "document": None, "url": None, "published": None},
    ],
    disputes=[{"claim": "+Another account.", "sources": [SOURCE]}],
    tags=["a;b", "[bracket", "-dash", "  spaced  ", "plain"],
)


def parse(text: str, fmt=None, known=None):
    return read_records(text.encode("utf-8"), fmt, known)


# --- detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[{"id": "a"}]', "json"),
        ("  \n[]", "json"),
        ('{\n"schema_version": 1,\n"actors": []\n}', "json"),
        ('{"schema_version": 1, "actors": [], "sites": [], "events": []}', "json"),
        ('{"id": "a"}\n{"id": "b"}\n', "jsonl"),
        ("id,date,type,summary,sources\n", "csv"),
        ("ID, Date ,type\n", "csv"),
        ("date,type,summary,outlets\n", "csv"),  # ours without its id column: the reader says so
        ("date,name\n", None),
        ("event_id_cnty,event_date,event_type\n", "acled"),
        ("hello world\n", None),
        ("", None),
    ],
)
def test_the_format_is_told_from_the_content(text, expected):
    assert detect_format(text) == expected


# --- our JSON and JSON Lines -------------------------------------------------------


def test_a_store_written_as_json_reads_back_as_the_same_records():
    actors = [Actor.from_json(a) for a in ACTORS]
    sites = [Site.from_json(s) for s in SITES]
    parsed = read_json(dump_store({"schema_version": 1, "actors": [a.to_json() for a in actors],
                                   "sites": [s.to_json() for s in sites], "events": [e.to_json() for e in EVENTS]}))
    assert parsed.problems == []
    by_kind = {k: [e.data for e in parsed.entries if e.kind == k] for k in ("actor", "site", "event")}
    assert by_kind == {"actor": ACTORS, "site": SITES, "event": SAMPLE_EVENTS}
    assert [e.where for e in parsed.entries][:2] == ["actor 1", "actor 2"]


def test_an_array_of_events_is_the_timeline_json_shape():
    parsed = parse(json.dumps(SAMPLE_EVENTS))
    assert parsed.format == "json" and [e.data for e in parsed.entries] == SAMPLE_EVENTS
    assert parsed.entries[2].where == "record 3"


def test_json_lines_round_trip_and_blank_lines_are_ignored():
    text = write_jsonl(EVENTS)
    assert text.count("\n") == len(EVENTS)
    parsed = read_jsonl(text.replace("\n", "\n\n", 1))
    assert [e.data for e in parsed.entries] == SAMPLE_EVENTS
    assert parsed.entries[1].where == "record 2 (line 3)"


@pytest.mark.parametrize(
    "text, message",
    [
        ('[{"a": NaN}]', "NaN"),
        ('[{"a": Infinity}]', "Infinity"),
        ('[{"a": -Infinity}]', "-Infinity"),
        ('[{"a": 1e999}]', "too large to be finite"),
        ('[{"a": 1' + "0" * 5000 + "}]", "thousands of digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels"),
        ('["\\ud800"]', "unpaired surrogate"),
        ('{"a": 1', "is not valid JSON"),
    ],
)
def test_json_that_cannot_be_data_is_refused_with_a_reason(text, message):
    with pytest.raises(JsonInputError, match=message.replace("+", r"\+")):
        parse_json(text)


def test_a_store_of_a_newer_schema_is_refused():
    parsed = parse('{"schema_version": 99, "actors": [], "sites": [], "events": []}')
    assert [p.field for p in parsed.problems] == ["schema_version"]


# --- our CSV -------------------------------------------------------------------------


def test_csv_round_trips_every_value_exactly():
    events = [*EVENTS, Event.from_json(AWKWARD)]
    parsed = read_csv(write_csv(events))
    assert parsed.problems == []
    assert [Event.from_json(e.data).to_json() for e in parsed.entries] == [e.to_json() for e in events]


def test_csv_cells_are_safe_to_open_in_a_spreadsheet():
    text = write_csv([Event.from_json(AWKWARD)])
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text, newline="")))
    for cell in rows[1]:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
    summary = rows[1][rows[0].index("summary")]
    assert summary.startswith("'=HYPERLINK")


@given(st.text())
def test_neutralise_never_leaves_a_formula_and_restore_undoes_it(text):
    safe = neutralise(text)
    assert safe[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert restore(safe) == text


def test_restore_leaves_ordinary_quotes_alone():
    assert restore("'hello") == "'hello"
    assert restore("'=x") == "=x"
    assert restore("''-x") == "'-x"


def test_hand_written_csv_may_use_plain_figures_and_outlets():
    text = "id,date,type,summary,sources,quantities,actors,approximate\n" \
        "a,2026-01,statement,Hi.,Reuters; AP,troops=200;escaped=120..1500;share=0.5,us; sdf,TRUE\n"  # fmt: skip
    [entry] = read_csv(text).entries
    assert entry.data["sources"] == [
        {"outlet": "Reuters", "document": None, "url": None, "published": None},
        {"outlet": "AP", "document": None, "url": None, "published": None},
    ]
    assert entry.data["quantities"] == {"troops": 200, "escaped": {"low": 120, "high": 1500}, "share": 0.5}
    assert entry.data["actors"] == ["us", "sdf"] and entry.data["approximate"] is True


@pytest.mark.parametrize(
    "text, where, field",
    [
        ('id,date,type,summary,sources\na,2026,statement,"open,Reuters\n', "line 2", None),
        ("id,date,type,summary,sources\na,2026,statement\n", "record 1 (line 2)", None),
        ("id,date,type,summary,sources,colour\n", "file", "colour"),
        ("id,date,type,sources\n", "file", "summary"),
        ("id,date,type,summary,sources,id\n", "file", "id"),
        (
            "id,date,type,summary,sources,quantities\na,2026,statement,s,R,troops=lots\n",
            "record 1 (line 2)",
            "quantities",
        ),
        (
            "id,date,type,summary,sources,quantities\na,2026,statement,s,R,troops=nan\n",
            "record 1 (line 2)",
            "quantities",
        ),
        (
            'id,date,type,summary,sources\na,2026,statement,s,"[{""outlet"": NaN}]"\n',
            "record 1 (line 2)",
            "sources",
        ),
    ],
)
def test_bad_csv_names_the_line_and_column(text, where, field):
    problems = all_problems(parse(text, "csv"))
    assert (problems[0].where, problems[0].field) == (where, field)


# --- ACLED ---------------------------------------------------------------------------

ACLED_HEADER = (
    "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,actor2,"
    "assoc_actor_2,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,tags,timestamp\n"
)


def acled_row(**cells) -> str:
    values = {
        "event_id_cnty": "SYR1", "event_date": "2026-02-10", "time_precision": "1",
        "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "SDF: Syrian Democratic Forces",
        "assoc_actor_1": "", "actor2": "", "assoc_actor_2": "", "admin1": "Al Hasakeh", "admin2": "",
        "admin3": "", "location": "Erbil", "latitude": "36.19", "longitude": "44.01", "geo_precision": "1",
        "source": "Outlet A; Outlet B", "source_scale": "National", "notes": "A note.", "fatalities": "2",
        "tags": "", "timestamp": "1770000000",
    }  # fmt: skip
    values.update(cells)
    return ",".join(f'"{v}"' for v in values.values()) + "\n"


def read_sample(*rows: str):
    return read_acled(ACLED_HEADER + "".join(rows), dataset([]))


def the_event(parsed) -> dict:
    [entry] = [e for e in parsed.entries if e.kind == "event"]
    return entry.data


def test_an_acled_row_maps_onto_known_actors_and_sites_by_alias():
    parsed = read_sample(acled_row(actor2="Military Forces of the United States (2025-)"))
    event_data = the_event(parsed)
    assert event_data["id"] == "acled-syr1"
    assert event_data["actors"] == ["sdf", "us"] and event_data["site"] == "erbil"
    assert event_data["type"] == "clash" and event_data["quantities"] == {"fatalities": 2}
    assert [s["outlet"] for s in event_data["sources"]] == ["Outlet A", "Outlet B"]
    assert event_data["summary"] == "A note." and "acled" in event_data["tags"]
    assert [e.kind for e in parsed.entries] == ["event"]  # nothing new was needed
    assert check_entries(parsed, dataset([])) == []


def test_military_forces_of_a_country_match_its_army():
    parsed = read_sample(acled_row(actor1="Military Forces of Syria (2024-)"))
    assert the_event(parsed)["actors"] == ["syrian-army"]


def test_unknown_acled_names_become_new_actors_and_sites_once():
    parsed = read_sample(
        acled_row(
            actor1="Tribal Militia (Syria)",
            location="Markada",
            latitude="35.74",
            longitude="40.77",
            geo_precision="2",
        ),
        acled_row(
            event_id_cnty="SYR2",
            actor1="Tribal Militia (Syria)",
            location="Markada",
            latitude="35.74",
            longitude="40.77",
        ),
    )
    actors = [e.data for e in parsed.entries if e.kind == "actor"]
    sites = [e.data for e in parsed.entries if e.kind == "site"]
    assert [a["id"] for a in actors] == ["tribal-militia-syria"]
    assert actors[0]["kind"] == "non_state_armed_group" and actors[0]["country"] == "Syria"
    assert [
        (s["id"], s["kind"], s["lat"], s["lon"], s["location_precision"], s["country"]) for s in sites
    ] == [("markada", "town", 35.74, 40.77, "approximate", "Syria")]
    assert check_entries(parsed, dataset([])) == []


@pytest.mark.parametrize(
    "precision, date, end_date, date_precision, approximate",
    [
        ("1", "2026-02-10", None, "day", False),
        ("2", "2026-02-07", "2026-02-13", "day", True),
        ("3", "2026-02", None, "month", False),
    ],
)
def test_acled_time_precision_maps_onto_ours(precision, date, end_date, date_precision, approximate):
    data = the_event(read_sample(acled_row(time_precision=precision)))
    assert (data["date"], data["end_date"], data["date_precision"], data["approximate"]) == (
        date,
        end_date,
        date_precision,
        approximate,
    )


@pytest.mark.parametrize(
    "sub_type, expected",
    [
        ("Government regains territory", "control_change"),
        ("Non-violent transfer of territory", "control_change"),
        ("Headquarters or base established", "deployment"),
        ("Air/drone strike", "attack"),
        ("Agreement", "agreement"),
        ("Other", "statement"),
    ],
)
def test_acled_sub_event_types_map_onto_ours(sub_type, expected):
    assert the_event(read_sample(acled_row(sub_event_type=sub_type)))["type"] == expected


@pytest.mark.parametrize("date_text", ["10 February 2026", "2026-02-10"])
def test_acled_dates_in_the_forms_its_exports_use(date_text):
    assert the_event(read_sample(acled_row(event_date=date_text)))["date"] == "2026-02-10"


def test_a_us_dated_acled_file_is_read_month_first_when_a_date_decides_it():
    # Re-saved by a US-locale spreadsheet: 2/23/2026 can only be month first, so 2/5/2026 is 5 February.
    parsed = read_sample(acled_row(event_date="2/5/2026"), acled_row(event_id_cnty="SYR2", event_date="2/23/2026"))
    assert [e.data["date"] for e in parsed.entries if e.kind == "event"] == ["2026-02-05", "2026-02-23"]


def test_numeric_dates_nothing_decides_stop_the_import_and_name_rows():
    text = ACLED_HEADER + acled_row(event_date="2/5/2026") + acled_row(event_id_cnty="SYR2", event_date="2/12/2026")
    [problem] = read_acled(text, dataset([])).problems
    assert problem.where == "file" and "--date-order" in problem.message
    assert "record 1 (line 2)" in problem.message and "record 2 (line 3)" in problem.message
    dated = read_acled(text, dataset([]), "mdy")
    assert [e.data["date"] for e in dated.entries if e.kind == "event"] == ["2026-02-05", "2026-02-12"]
    assert [e.data["date"] for e in read_acled(text, dataset([]), "dmy").entries if e.kind == "event"] == [
        "2026-05-02",
        "2026-12-02",
    ]


def test_a_numeric_date_after_others_reads_the_file_again_and_keeps_nothing_twice():
    # Rows 1-2 are read in the single pass; row 3's numeric date starts the reading in two passes,
    # in which row 4 decides day first (23/02), so 3/4/2026 is 3 April.
    parsed = read_sample(
        acled_row(actor1="A New Militia"), acled_row(event_id_cnty="SYR2", event_date="2026-02-11"),
        acled_row(event_id_cnty="SYR3", event_date="3/4/2026"), acled_row(event_id_cnty="SYR4", event_date="23/02/2026"),
    )  # fmt: skip
    events = [e.data for e in parsed.entries if e.kind == "event"]
    assert [(e["id"], e["date"]) for e in events] == [
        ("acled-syr1", "2026-02-10"), ("acled-syr2", "2026-02-11"), ("acled-syr3", "2026-04-03"), ("acled-syr4", "2026-02-23"),
    ]  # fmt: skip
    made = [(e.kind, e.data["id"]) for e in parsed.entries if e.kind != "event"]
    assert ("actor", "a-new-militia") in made and len(made) == len(set(made))
    named = [(m.kind, m.name) for m in parsed.names]
    assert len(named) == len(set(named)) and parsed.problems == []


def test_a_file_mixing_day_first_and_month_first_dates_is_refused():
    text = ACLED_HEADER + acled_row(event_date="23/02/2026") + acled_row(event_id_cnty="SYR2", event_date="2/23/2026")
    [problem] = read_acled(text, dataset([])).problems
    assert problem.where == "file" and "mixes day-first" in problem.message
    # With an order given, the rows that contradict it are refused by row.
    [row_problem] = read_acled(text, dataset([]), "dmy").problems
    assert (row_problem.where, row_problem.field) == ("record 2 (line 3)", "event_date")


def test_dates_after_today_or_before_the_floor_are_refused_with_their_rows():
    parsed = read_sample(
        acled_row(event_date="2026-12-02"), acled_row(event_id_cnty="SYR2", event_date="1900-01-01")
    )
    problems = check_entries(parsed, dataset([]), today=date(2026, 11, 29))
    assert [(p.where, p.field) for p in problems] == [("record 1 (line 2)", "date"), ("record 2 (line 3)", "date")]
    assert "after today (2026-11-29)" in problems[0].message and "before 1946" in problems[1].message


def test_our_csv_reads_spreadsheet_dates_with_the_same_rules():
    text = "id,date,type,summary,sources\na,2/23/2026,statement,s,R\nb,3/4/2026,statement,s,R\nc,Jan 2026,statement,s,R\n"
    assert [e.data["date"] for e in parse(text, "csv").entries] == ["2026-02-23", "2026-03-04", "2026-01"]
    undecided = parse("id,date,type,summary,sources\nb,3/4/2026,statement,s,R\n", "csv")
    assert undecided.problems[0].where == "file" and "--date-order" in undecided.problems[0].message


def test_protests_and_riots_are_skipped_and_counted():
    parsed = read_sample(
        acled_row(event_type="Protests", sub_event_type="Peaceful protest"), acled_row(event_id_cnty="SYR2")
    )
    assert parsed.skipped == ["acled-syr1"] and len(parsed.entries) == 1
    assert "skipped 1 ACLED row" in parsed.notes[0]


@pytest.mark.parametrize(
    "cells, field",
    [
        ({"event_date": "2026-02-30"}, "event_date"),
        ({"event_date": "3026-01-01"}, "event_date"),
        ({"time_precision": "7"}, "time_precision"),
        ({"location": "Nowhere", "latitude": "north"}, "latitude"),
        ({"location": "Nowhere", "longitude": "200"}, "longitude"),
        ({"fatalities": "many"}, "fatalities"),
        ({"event_type": "Parades", "sub_event_type": "Marching"}, "event_type"),
        ({"actor1": ""}, "actor1"),
    ],
)
def test_bad_acled_cells_are_named_by_their_acled_column(cells, field):
    parsed = read_sample(acled_row(**cells))
    assert field in [p.field for p in parsed.problems]
    assert all(p.where == "record 1 (line 2)" for p in parsed.problems)


# --- checks across a file ----------------------------------------------------------


def test_duplicate_ids_and_unknown_references_are_all_reported():
    records = [
        event("a", "2026-01", actors=["nobody"]),
        event("a", "2026-02", site="nowhere"),
        event("b", "2026-02-30"),
    ]
    problems = [str(p) for p in all_problems(parse(json.dumps(records)), dataset([]))]
    assert problems == [
        "record 1: actors: no actor with id 'nobody' (neither in your data nor in this file)",
        "record 2: id: 'a' is already the id of record 1",
        "record 2: site: no site with id 'nowhere' (neither in your data nor in this file)",
        "record 3: date: '2026-02-30' is not a day of the calendar",
    ]


def test_a_file_may_bring_the_actors_and_sites_its_events_name():
    text = json.dumps({"schema_version": 1, "actors": ACTORS, "sites": SITES, "events": SAMPLE_EVENTS})
    assert all_problems(parse(text), None) == []


def test_records_already_present_unchanged_are_left_out_of_the_changes():
    known = dataset(SAMPLE_EVENTS)
    changed = dict(SAMPLE_EVENTS[0], summary="Changed.")
    split = split_changes(parse(json.dumps([changed, *SAMPLE_EVENTS[1:], event("new", "2026")])), known)
    assert [e.id for e in split.writes["events"]] == [changed["id"], "new"]
    assert split.unchanged["events"] == [e["id"] for e in SAMPLE_EVENTS[1:]]
    assert split.replacing["events"] == {changed["id"]}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "is empty"),
        (b"  \n ", "is empty"),
        (b"\xef\xbb\xbf[]", "byte-order mark"),
        (b"\xff\xfe[\x00]\x00", "UTF-16"),
        (b'[{"summary": "caf\xe9"}]', "not UTF-8 text (line 1, byte 18)"),
    ],
)
def test_bytes_that_are_not_utf8_text_are_refused(data, message):
    [problem] = read_records(data).problems
    assert problem.where == "file" and message in problem.message


def test_input_past_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(formats, "MAX_IMPORT_BYTES", 10)
    [problem] = read_records(b"[" + b" " * 20 + b"]").problems
    assert "larger than" in problem.message and "split it" in problem.message


# --- GeoJSON and Markdown -----------------------------------------------------------


def test_geojson_places_events_at_their_site_longitude_first():
    data = dataset(SAMPLE_EVENTS)
    features, unplaced = event_features(data.select(), data)
    collection = json.loads(write_geojson(features))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    qasrak = next(f for f in collection["features"] if f["id"] == "2026-02-21-qasrak-evacuation")
    assert qasrak["geometry"] == {"type": "Point", "coordinates": [40.512, 36.7062]}
    assert qasrak["properties"]["site_name"] == "Qasrak base"
    assert unplaced == ["2026-01-sdf-loses-ground"]  # it names no site


def test_geojson_sites_are_features_too():
    data = dataset(SAMPLE_EVENTS)
    from datetime import date

    features = site_features(data.sites.values(), data.select(), date(2026, 3, 1), data)
    assert {f["id"] for f in features} == {s["id"] for s in SITES}
    assert all(isinstance(c, float) for f in features for c in f["geometry"]["coordinates"])
    assert json.loads(write_geojson([])) == {"type": "FeatureCollection", "features": []}


def test_markdown_is_a_briefing_with_numbered_sources_and_escaped_text():
    hostile = event(
        "x", "2026-02-01", summary="<script>alert(1)</script> [click](javascript:evil) **bold**\n# not a heading",
        sources=[{"outlet": "Reuters", "document": "Page", "url": "javascript:alert(1)", "published": "2026-02-01"},
                 {"outlet": "AP", "document": None, "url": "https://apnews.com/x", "published": None}],
    )  # fmt: skip
    data = dataset([hostile])
    text = write_markdown(data.select(), data, "Briefing", "1 event.")
    assert text.startswith("# Briefing\n")
    assert "<script>" not in text and "[click](" not in text and "\n# not" not in text
    assert "\\<script\\>alert(1)" in text and "\\[click\\](javascript:evil)" in text
    assert "1. **Reuters**, “Page”, published 1 Feb 2026 — javascript:alert(1)\n" in text  # text, not a link
    assert "2. **AP** — <https://apnews.com/x>" in text
    assert "[1] [2]" in text


def test_markdown_lists_a_source_cited_by_several_events_once_under_its_first_number():
    shared = {"outlet": "Reuters", "document": "Line one\rline\ntwo", "url": None, "published": "2026-02-01"}
    other = {"outlet": "AP", "document": None, "url": None, "published": None}
    events = [event("a", "2026-02-01", sources=[shared]), event("b", "2026-02-02", sources=[other, shared]),
              event("c", "2026-02-03", sources=[dict(shared, published="2026-02-03")])]  # fmt: skip
    data = dataset(events)
    text = write_markdown(data.select(), data, "Briefing", "3 events.")
    listed = text.split("## Sources\n\n")[1].splitlines()
    assert [line.split(" ", 2)[:2] for line in listed if line] == [["1.", "**Reuters**,"], ["2.", "**AP**"], ["3.", "**Reuters**,"]]
    assert "Summary of a. [1]" in text and "Summary of b. [2] [1]" in text and "Summary of c. [3]" in text
    assert "\r" not in listed[0] and len([line for line in listed if line]) == 3  # one line each, control characters shown


def test_a_markdown_export_stopped_midway_lets_its_spool_of_sources_go(monkeypatch):
    from syriabrief.domain.dataset import summarize_events
    from syriabrief.formats import markdown

    made = []

    class Recorded(markdown._SourceList):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(markdown, "_SourceList", Recorded)
    data = dataset([event(f"e{n:03d}", "2026-02-01", sources=[dict(SOURCE, url=f"https://example.org/{n}")]) for n in range(600)])
    chunks = markdown.markdown_chunks(data.select(), data, "Briefing", summarize_events(data.select()), "600 events.")
    next(chunks)  # the first few hundred events' sections, their sources spooled
    assert made[0].lines is not None and not made[0].lines.closed
    chunks.close()
    assert made[0].lines.closed


# --- no input makes reading or checking raise ------------------------------------------------

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_JSON_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_FIELD_VALUES = (
    _JSON_VALUES
    | st.sampled_from(["2026", "2026-02-30", "us", "qasrak", "withdrawal", "day"])
    | st.just([{"outlet": "R", "published": ["x"]}])
)


def _survives(parsed, known):
    """Checking never raises, and a record found clean can be written."""
    problems = all_problems(parsed, known)
    if not problems:
        split = split_changes(parsed, known)
        for records in split.writes.values():
            json.dumps([r.to_json() for r in records], allow_nan=False)


@given(
    st.lists(st.dictionaries(st.sampled_from([*EVENT_KEYS, "colour"]), _FIELD_VALUES, max_size=8), max_size=3)
)
def test_no_json_records_make_the_checks_raise(records):
    _survives(parse(json.dumps(records)), dataset([]))


@given(
    st.dictionaries(
        st.sampled_from(["schema_version", "actors", "sites", "events", "x"]), _JSON_VALUES, max_size=4
    )
)
def test_no_store_shaped_object_makes_the_checks_raise(store):
    _survives(parse(json.dumps(store), "json"), dataset([]))


@given(st.binary(max_size=200))
def test_no_bytes_make_reading_raise(data):
    known = dataset([])
    for fmt in (None, "json", "jsonl", "csv", "acled"):
        _survives(read_records(data, fmt, known), known)


_CSV_CELLS = st.text(max_size=15) | st.sampled_from(
    ["2026", "us;sdf", "true", "[1]", '{"a": 1}', "'=x", "a=1..2", "Battles"]
)


@given(
    st.lists(st.sampled_from([*EVENT_KEYS, *formats.acled.COLUMNS[:8]]), min_size=1, max_size=8, unique=True),
    st.lists(st.lists(_CSV_CELLS, min_size=1, max_size=9), max_size=4),
)
def test_no_csv_makes_reading_raise(header, rows):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    known = dataset([])
    for fmt in ("csv", "acled"):
        _survives(read_records(out.getvalue().encode("utf-8", "surrogatepass"), fmt, known), known)


_TEXT = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@given(
    summary=_TEXT,
    tags=st.lists(_TEXT, max_size=4),
    outlet=_TEXT,
    document=st.none() | _TEXT,
    figure=st.integers(-(10**9), 10**9) | st.floats(allow_nan=False, allow_infinity=False),
    claim=st.none() | _TEXT,
)
def test_any_valid_event_round_trips_through_csv_and_jsonl(summary, tags, outlet, document, figure, claim):
    source = {"outlet": outlet, "document": document, "url": None, "published": None}
    record = event(
        "e", "2026-02-01", summary=summary, tags=tags, quantities={"n": figure}, sources=[source],
        disputes=[{"claim": claim, "sources": [source]}] if claim else [],
    )  # fmt: skip
    original = Event.from_json(record)
    for text, reader in ((write_csv([original]), read_csv), (write_jsonl([original]), read_jsonl)):
        parsed = reader(text)
        assert parsed.problems == []
        assert [Event.from_json(e.data).to_json() for e in parsed.entries] == [record]


_CELLS = st.none() | st.booleans() | st.integers() | st.text(st.sampled_from("a ,\"'=-\r\n\x00\u202e") | st.characters(), max_size=8)


@given(st.lists(st.lists(_CELLS, min_size=3, max_size=3), max_size=6))
@example([['x"y', "=1", None]]).via("a quote alone")
@example([["x\ny", True, ""]]).via("a line feed alone")
@example([["x\ry", "b", 7]]).via("a carriage return alone")
@example([["a,b", "-", False]]).via("a comma alone")
def test_csv_rows_are_exactly_what_the_csv_module_writes(rows):
    columns = ("a", "b", "c")
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerows([columns, *([neutralise(_cell(value)) for value in row] for row in rows)])
    written = "".join(_row_chunks(columns, [dict(zip(columns, row, strict=True)) for row in rows]))
    assert written == expected.getvalue()


@given(st.lists(st.none() | st.text(st.sampled_from(" ;[a\t\u00a0\u3000\x85"), max_size=4), max_size=3))
@example([";"]).via("one item with a separator of its own")
@example([""]).via("one empty item")
@example([" a"]).via("one item with space at an end")
@example(["[a"]).via("one item that looks like JSON")
def test_a_list_cell_reads_back_item_by_item(items):
    cell = join_items(items)
    if all(item is None for item in items):
        assert cell is None
        return
    assert _items("tags", cell) == items
    # And it is plain text whenever plain text reads back: JSON only when needed.
    texts = [item or "" for item in items]
    if "" not in items and all(t == t.strip() and ";" not in t for t in texts) and not texts[0].startswith("["):
        assert cell == "; ".join(texts)
