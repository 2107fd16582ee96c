"""The map: projection, marks for every site, changes between two days, terminal widths, hostile names, --json."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SAMPLE_EVENTS, SITES, dataset, event, write_store
from syriabrief.cli import app
from syriabrief.domain import basemap
from syriabrief.domain.geometry import SYRIA, Projection, inside
from syriabrief.output.maps import MAX_MAP_COLS, map_size, print_map, render_map
from syriabrief.output.terminal import make_console
from syriabrief.reports.mapping import LEFT, NO_HOLDER, UNCHANGED, site_map
from syriabrief.storage import paths

runner = CliRunner()
DAY = datetime.date(2026, 2, 24)


def run(*args):
    return runner.invoke(app, list(args))


def drawn(report, width: int) -> list[str]:
    out = io.StringIO()
    print_map(make_console(file=out, width=width), report)
    return out.getvalue().split("\n")


def map_rows(lines: list[str]) -> list[str]:
    """The rows inside the map's frame, without the frame (heading, then ┌, then the rows)."""
    top = next(i for i, line in enumerate(lines) if line.startswith("┌"))
    bottom = next(i for i, line in enumerate(lines) if line.startswith("└"))
    return [line[1 : line.index("│", 1)] for line in lines[top + 1 : bottom]]


# --- the projection -----------------------------------------------------------------------


def test_the_frame_holds_all_of_syria_and_the_base_just_across_the_iraqi_border():
    assert all(SYRIA.contains(lon, lat) for lon, lat in basemap.OUTLINE)
    assert SYRIA.contains(42.4333, 33.8)  # Ain al-Asad
    assert not SYRIA.contains(43.9631, 36.2375)  # Erbil


def test_known_cities_land_on_the_cells_worked_out_by_hand():
    # At 80 columns the map is 78 cells wide; the frame is 7.3 degrees of longitude at a
    # middle latitude of 34.8 (cos 0.8212) by 5.6 of latitude, so 78 / (5.995 / 5.6) / 2 = 36 rows.
    cols, rows, side = map_size(80)
    assert (cols, rows, side) == (78, 36, False)
    # Damascus 36.298 E 33.502 N: x = 0.898 / 7.3 * 78 = 9.6, y = 4.098 / 5.6 * 36 = 26.3.
    assert SYRIA.cell(36.298, 33.502, cols, rows) == (9, 26)
    # Aleppo 37.168 E 36.232 N: 18.9, 8.8. Qamishli 41.23 E 37.03 N: 62.3, 3.7.
    assert SYRIA.cell(37.168, 36.232, cols, rows) == (18, 8)
    assert SYRIA.cell(41.23, 37.03, cols, rows) == (62, 3)


def test_the_projection_keeps_north_up_and_east_right_and_clamps_to_the_grid():
    frame = Projection(0, 0, 10, 10)
    assert frame.cell(0, 10, 10, 10) == (0, 0)  # north-west corner
    assert frame.cell(10, 0, 10, 10) == (9, 9)  # south-east corner, clamped
    assert frame.cell(20, -5, 10, 10) == (9, 9)
    assert frame.aspect == pytest.approx(1.0, rel=0.01)
    # A terminal cell is twice as tall as wide: half as many rows as columns for a square frame.
    assert frame.rows_for(40) == 20


def test_cities_fall_inside_syrias_outline():
    for name, lon, lat, rank in basemap.CITIES:
        if rank < 3:
            assert inside((lon, lat), [basemap.OUTLINE]), name
    assert not inside((35.508, 33.874), [basemap.OUTLINE])  # Beirut


# --- the report ---------------------------------------------------------------------------


def test_every_site_with_coordinates_is_placed_and_marked_by_its_holders_force():
    data = dataset(SAMPLE_EVENTS)
    report = site_map(data, DAY)
    marks = {s.site.id: s.marker for s in report.sites}
    assert set(marks) == {s["id"] for s in SITES}
    legend = {f.force: f.marker for f in report.legend}
    assert marks["qasrak"] == legend["us"].lower()  # leaving
    assert marks["al-tanf"] == marks["qamishli-airport"] == LEFT  # the US and Russia left; nobody since
    assert marks["hmeimim"] == marks["erbil"] == NO_HOLDER  # only named as where Russia went
    russia = next(f for f in report.legend if f.force == "russia")
    assert (russia.held, russia.leaving, russia.left) == (0, 0, 1)
    assert [s.site.id for s in report.beyond] == ["erbil"]


def test_forces_get_distinct_letters_from_their_names():
    actors = [{**a, "id": f"a{i}", "name": name, "aliases": [name]} for i, (a, name) in
              enumerate(zip(ACTORS * 3, ["Syrian army", "Syrian Democratic Forces", "Sultan Murad", "Israel"]))]  # fmt: skip
    sites = [{**SITES[0], "id": f"s{i}", "name": f"Site {i}", "aliases": []} for i in range(4)]
    events = [event(f"e{i}", "2026-01-01", "deployment", actors=[f"a{i}"], site=f"s{i}") for i in range(4)]
    report = site_map(dataset(events, actors, sites), DAY)
    letters = [f.marker for f in report.legend]
    assert len(set(letters)) == 4
    assert {"I", "S"} <= set(letters)  # Israel's and one Syrian force's own initials


def test_a_force_keeps_its_letter_on_every_map_of_the_data():
    # On 10 Jan only the SDF holds a site, on 20 Jan only the Syrian army: each keeps the letter
    # the data gives it (the army, in more moves, chose first), not the first free one that day.
    actors = [{**ACTORS[2]}, {**ACTORS[3], "name": "Syrian army"}]
    events = [event("e1", "2026-01-05", "deployment", actors=["sdf"], site="qasrak"),
              event("e2", "2026-01-15", "withdrawal", actors=["sdf"], site="qasrak"),
              *(event(f"e{n}", f"2026-01-{n:02}", "deployment", actors=["syrian-army"], site=site)
                for n, site in ((16, "al-tanf"), (17, "hmeimim"), (18, "qamishli-airport")))]  # fmt: skip
    data = dataset(events, actors)
    early, late = site_map(data, datetime.date(2026, 1, 10)), site_map(data, datetime.date(2026, 1, 20))
    assert [(f.force, f.marker) for f in early.legend] == [("sdf", "D")]
    assert [(f.force, f.marker) for f in late.legend if f.marker] == [("syrian-army", "S")]  # the SDF only left


def test_a_map_crowded_past_the_letters_lets_its_busiest_forces_choose():
    # 30 forces with a move each, only the last on the map: it takes its own initial, not "#".
    actors = [{**ACTORS[0], "id": f"a{i:02}", "name": f"Force {i:02}", "aliases": [f"Force {i:02}"]} for i in range(30)]
    actors[-1] = {**actors[-1], "name": "Wagner", "aliases": ["Wagner"]}
    events = [event(f"e{i:02}", "2026-01-01", "withdrawal", actors=[f"a{i:02}"], site="qasrak") for i in range(29)]
    events.append(event("e29", "2026-01-02", "deployment", actors=["a29"], site="al-tanf"))
    report = site_map(dataset(events, actors), DAY)
    assert [(f.force, f.marker) for f in report.legend if f.marker] == [("a29", "W")]


def test_a_force_under_another_is_marked_by_the_top_one():
    actors = ACTORS + [{"id": "centcom", "name": "US Central Command", "aliases": ["CENTCOM"], "kind": "state_armed_force",
                        "country": "United States", "parent": "us", "affiliations": []}]  # fmt: skip
    events = [event("e1", "2026-01-01", "deployment", actors=["centcom"], site="al-tanf")]
    report = site_map(dataset(events, actors), DAY)
    [force] = report.legend
    assert (force.force, force.holders) == ("us", ("US Central Command",))
    # The US with the forces under it (as --actor US gives it) keeps their sites.
    data = dataset(events, actors)
    assert [s.site.id for s in site_map(data, DAY, actors=frozenset(data.under("us"))).sites] == ["al-tanf"]
    assert site_map(data, DAY, actors=frozenset({"us"})).sites == ()


def test_changes_between_two_days_mark_only_the_sites_that_changed():
    data = dataset(SAMPLE_EVENTS)
    report = site_map(data, datetime.date(2026, 2, 20), since=datetime.date(2026, 2, 1))
    by_id = {s.site.id: s for s in report.sites}
    assert by_id["al-tanf"].changed and by_id["al-tanf"].marker == LEFT
    assert by_id["al-tanf"].before.holder == "us" and by_id["al-tanf"].status.previous == "us"
    assert not by_id["hmeimim"].changed and by_id["hmeimim"].marker == UNCHANGED
    assert not by_id["qasrak"].changed  # the evacuation began on 21 February
    assert [f.marker for f in report.legend] == [""]  # the US left: no letter drawn, only ○
    assert report.legend[0].left == 1


def test_narrowing_by_site_and_governorate():
    data = dataset(SAMPLE_EVENTS)
    assert [s.site.id for s in site_map(data, DAY, sites=frozenset({"qasrak"})).sites] == ["qasrak"]
    hasakah = site_map(data, DAY, governorates=frozenset({"al-Hasakah"}))
    assert {s.site.id for s in hasakah.sites} == {"qasrak", "qamishli-airport"}


# --- the terminal map ---------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 160])
def test_the_map_fits_the_terminal_and_shows_every_mark_on_its_cell(width):
    report = site_map(dataset(SAMPLE_EVENTS), DAY)
    lines = drawn(report, width)
    assert max(len(line) for line in lines) <= width
    rows = map_rows(lines)
    cols, nrows, side = map_size(width)
    assert (len(rows), len(rows[0])) == (nrows, cols)
    assert side is (width >= 130)
    for site in report.on_map:
        col, row = SYRIA.cell(site.site.lon, site.site.lat, cols, nrows)
        assert rows[row][col] == site.marker, site.site.id
    # The legend names the holders; the list names every site that is held or was left.
    text = "\n".join(lines)
    assert "United States" in text and "Russia" in text
    for name in ("Qasrak base", "Hmeimim air base", "Al-Tanf garrison", "Qamishli airport"):
        assert name in text


def test_wider_terminals_get_a_more_detailed_map_up_to_a_limit():
    assert map_size(80)[0] < map_size(100)[0] < map_size(200)[0] == MAX_MAP_COLS
    assert map_size(40)[0] >= 30  # still drawn, if small


def test_sites_in_one_cell_are_combined_and_listed():
    town = {**SITES[0], "id": "qasrak-town", "name": "Qasrak town", "aliases": [], "kind": "town"}
    depot = {**SITES[0], "id": "qasrak-depot", "name": "Qasrak depot", "aliases": [], "kind": "base"}
    cols, nrows, _ = map_size(80)
    col, row = SYRIA.cell(SITES[0]["lon"], SITES[0]["lat"], cols, nrows)
    # The only force's letter stands for a site nobody holds beside it; both are listed.
    lines = drawn(site_map(dataset(SAMPLE_EVENTS, sites=SITES + [town]), DAY), 80)
    assert map_rows(lines)[row][col] == "u"
    assert lines[lines.index("Sites sharing a cell") + 1] == "u  Qasrak base (u); Qasrak town (+)"
    # Two forces' letters in one cell: a number, and the list says which is which.
    events = SAMPLE_EVENTS + [event("r", "2026-02-01", "deployment", actors=["russia"], site="qasrak-depot")]
    lines = drawn(site_map(dataset(events, sites=SITES + [town, depot]), DAY), 80)
    assert map_rows(lines)[row][col] == "1"
    listed = lines[lines.index("Sites sharing a cell") + 1]
    assert listed == "1  Qasrak base (u); Qasrak depot (R); Qasrak town (+)"


def test_hostile_names_are_shown_as_text_in_the_legend_and_list():
    actors = [{**ACTORS[0], "name": "[bold red]Evil[/] \x1b]0;pwned\x07 \u202eforce"}] + ACTORS[1:]
    sites = [{**SITES[0], "name": "Base [link=http://x]y[/link] \x1b[2J"}] + SITES[1:]
    report = site_map(dataset(SAMPLE_EVENTS, actors, sites), DAY)
    text = "\n".join(drawn(report, 200))
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "[bold red]Evil[/]" in text and "\\x1b]0;pwned\\x07" in text and "\\u202e" in text
    assert "Base [link=http://x]y[/link] \\x1b[2J" in text


@pytest.mark.parametrize("name", ["قاعدة قسرك", "卡斯拉克基地", "Qasrak\u0301 base"])
def test_names_that_do_not_take_one_cell_a_letter_are_not_laid_on_the_map(name):
    sites = [{**SITES[0], "name": name}] + SITES[1:]
    report = site_map(dataset(SAMPLE_EVENTS, sites=sites), DAY)
    lines = drawn(report, 80)
    rows = map_rows(lines)
    assert all(len(row) == 78 for row in rows)  # every map row is still 78 cells
    assert name not in "".join(rows)
    assert any(name in line for line in lines[len(rows):])  # the list under the map has it


def test_without_unicode_the_map_uses_ascii_marks():
    report = site_map(dataset(SAMPLE_EVENTS), DAY)
    lines, _ = render_map(report, 60, SYRIA.rows_for(60), unicode=False)
    text = "".join(line.plain for line in lines)
    assert text.isascii() and "." in text


# --- the command --------------------------------------------------------------------------


def test_map_json_is_geojson_shaped_as_the_export(sample_store):
    result = run("map", "--as-of", "2026-02-24", "--json", "--db", str(sample_store))
    assert result.exit_code == 0, result.stderr
    collection = json.loads(result.stdout)
    exported = json.loads(run("export", "--format", "geojson", "--sites", "--nested", "--as-of", "2026-02-24", "--db", str(sample_store)).stdout)
    assert collection["type"] == "FeatureCollection"
    ours = {f["id"]: f for f in collection["features"]}
    for feature in exported["features"]:
        mine = ours[feature["id"]]
        assert mine["geometry"] == feature["geometry"]
        assert set(feature["properties"]) <= set(mine["properties"])
        for key, value in feature["properties"].items():
            assert mine["properties"][key] == value, key
    assert ours["qasrak"]["properties"]["marker"] == "u"
    assert [(f["force"], f["marker"]) for f in collection["legend"]] == [("us", "U"), ("russia", "")]  # Russia only left one


def test_map_at_two_dates_through_the_cli(sample_store):
    result = run("map", "--at", "2026-02-20", "--at", "2026-02-01", "--json", "--db", str(sample_store))
    collection = json.loads(result.stdout)
    assert (collection["since"], collection["as_of"]) == ("2026-02-01", "2026-02-20")
    changed = {f["id"] for f in collection["features"] if f["properties"]["changed"]}
    assert changed == {"al-tanf"}
    shown = run("map", "--at", "2026-02-01", "--at", "2026-02-20", "--db", str(sample_store))
    assert shown.exit_code == 0
    assert "What changed hands between 1 Feb 2026 and 20 Feb 2026" in shown.stdout
    assert "United States: held" in shown.stdout


def test_the_list_under_the_map_shows_the_sites_that_changed_last_and_how_to_see_the_rest(tmp_path):
    # 12 posts near Qasrak, each taken on a day of its own (post 11 last), listed three at a time.
    sites = [{**SITES[0], "id": f"post-{n:02d}", "name": f"Post {n:02d}", "aliases": []} for n in range(12)]
    events = [event(f"e{n:02d}", f"2026-01-{n + 2:02d}", "deployment", actors=["us"], site=f"post-{n:02d}") for n in range(12)]
    db = str(write_store(tmp_path / "s.json", events, sites=sites))
    cut = run("map", "--limit", "3", "--as-of", "2026-02-01", "--db", db)
    listed = cut.stdout.split("Sites sharing a cell")[-1]
    assert [n for n in range(12) if f"Post {n:02d}  " in listed] == [9, 10, 11]
    assert cut.stderr == "The list shows the 3 sites whose state began last of 12; use --limit N to see more, or --json for all.\n"
    whole = run("map", "--as-of", "2026-02-01", "--db", db)
    assert all(f"Post {n:02d}  " in whole.stdout.split("Sites sharing a cell")[-1] for n in range(12)) and whole.stderr == ""


def test_the_sites_nobody_is_recorded_at_are_named_eight_at_most_and_the_rest_counted(tmp_path):
    empty = [{**SITES[0], "id": f"empty-{n:02d}", "name": f"Empty {n:02d}", "aliases": []} for n in range(11)]
    db = str(write_store(tmp_path / "s.json", [event("e", "2026-01-02", "deployment", actors=["us"], site="qasrak")], sites=[SITES[0], *empty]))
    notes = " ".join(run("map", "--as-of", "2026-02-01", "--db", db).stdout.split())
    assert "11 sites with nobody recorded there (+): Empty 00, Empty 01" in notes
    told = notes.split("nobody recorded there (+):")[1]
    assert "Empty 07 and 3 more ('syriabrief base' lists them)." in told and "Empty 08" not in told


@pytest.mark.parametrize("args", [["--at", "2026-01"], ["--at", "2026-01", "--at", "2026-02", "--as-of", "2026-03"]])
def test_map_at_needs_two_dates_and_no_as_of(sample_store, args):
    result = run("map", *args, "--db", str(sample_store))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --at takes exactly two dates")


def test_map_of_nothing_says_so_on_stderr(tmp_path):
    store = write_store(tmp_path / "empty.json", [], sites=[])
    result = run("map", "--db", str(store))
    assert result.exit_code == 0 and result.stdout == ""
    assert "No site matched" in result.stderr


@pytest.mark.parametrize("width", ["80", "160"])
def test_the_bundled_map_at_80_and_160_columns(monkeypatch, width):
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", str(paths.bundled_path()))
    monkeypatch.setenv("COLUMNS", width)
    result = run("map", "--as-of", "2026-02-24")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.split("\n")
    assert max(len(line) for line in lines) <= int(width)
    assert "Hmeimim air base" in result.stdout and "Damascus" in result.stdout
    assert "\x1b" not in result.stdout  # NO_COLOR


@pytest.mark.parametrize("heading, example", [
    ("### `syriabrief map`", "$ syriabrief map "),
    ("### `syriabrief timeline --chart`", "$ syriabrief timeline --chart"),
])  # fmt: skip
def test_the_pictures_are_documented_with_an_example(heading, example):
    from pathlib import Path

    docs = Path(__file__).parent.parent / "docs"
    commands = (docs / "commands.md").read_text(encoding="utf-8")
    assert heading in commands and example in commands
    assert "--html" in commands and "## `map --json`" in (docs / "json.md").read_text(encoding="utf-8")
    assert (docs / "images" / "brief-desktop.png").exists() and (docs / "images" / "brief-phone.png").exists()
