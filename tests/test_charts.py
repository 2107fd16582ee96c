"""Activity over time: counting per week or month, the terminal chart, and ``timeline --chart``."""

from __future__ import annotations

import io
import json

import pytest
from typer.testing import CliRunner

from conftest import SAMPLE_EVENTS, dataset, event, write_store
from syriabrief.cli import app
from syriabrief.output.charts import FILLS, bar_lengths, print_activity
from syriabrief.output.terminal import make_console
from syriabrief.reports.activity import OTHER, activity

runner = CliRunner()

WEEKS = [
    event("a", "2026-02-02", "withdrawal", actors=["us"]),  # a Monday
    event("b", "2026-02-08", "withdrawal", actors=["us"]),  # the Sunday of the same week
    event("c", "2026-02-09", "deployment", actors=["russia"]),
    event("d", "2026-02-25", "statement", actors=["sdf", "us"]),
    event("e", "2026-02", "statement", actors=["us"]),  # a month: no week can be told
]


def test_events_are_counted_in_the_week_their_date_starts_in_and_empty_weeks_are_kept():
    report = activity(dataset(WEEKS), per="week")
    assert [b.start for b in report.buckets] == ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
    assert [b.total for b in report.buckets] == [2, 1, 0, 1]
    assert [s.key for s in report.series] == ["withdrawal", "deployment", "statement"]
    assert report.buckets[0].counts == (2, 0, 0)
    assert (report.total, report.coarse, report.coarse_precision) == (4, 1, "month")


def test_weeks_say_how_the_events_they_leave_out_are_dated_when_by_month_and_by_year():
    report = activity(dataset([*WEEKS, event("f", "2026", "statement", actors=["us"])]), per="week")
    assert (report.coarse, report.coarse_precision) == (2, "month or year")
    # Events alike in day, precision and type are counted together: each still counts.
    twice = [*WEEKS, event("e2", "2026-02", "statement", actors=["us"]), event("a2", "2026-02-02", "withdrawal")]
    report = activity(dataset(twice), per="week")
    assert (report.total, report.coarse, report.buckets[0].counts) == (5, 2, (3, 0, 0))


def test_by_actor_counts_the_first_actor_and_months_take_month_dates():
    report = activity(dataset(WEEKS), per="month", by="actor")
    assert [(s.key, s.total) for s in report.series] == [("us", 3), ("russia", 1), ("sdf", 1)]
    assert [(b.label, b.total) for b in report.buckets] == [("Feb 2026", 5)]
    assert report.coarse == 0


def test_auto_picks_weeks_for_a_short_span_of_exact_dates_and_months_otherwise():
    assert activity(dataset(WEEKS[:4])).per == "week"
    assert activity(dataset(WEEKS)).per == "month"  # one event is dated to the month
    assert activity(dataset(SAMPLE_EVENTS)).per == "month"


def test_past_six_series_the_rest_are_other():
    types = ["withdrawal", "deployment", "statement", "meeting", "handover", "clash", "offensive", "presence"]
    events = [event(f"e{i}-{j}", "2026-02-02", t) for i, t in enumerate(types) for j in range(len(types) - i)]
    report = activity(dataset(events), per="week")
    assert len(report.series) == 6 and report.series[-1].key == OTHER
    assert report.series[-1].total == 3 + 2 + 1
    assert sum(s.total for s in report.series) == report.total == len(events)


@pytest.mark.parametrize("counts, scale, expected", [
    ((10, 0, 0), 2.0, [20, 0, 0]),
    ((100, 1), 0.1, [9, 1]),  # a single event still shows
    ((3, 3, 3), 1.0, [3, 3, 3]),
    ((0, 0), 5.0, [0, 0]),
])  # fmt: skip
def test_bar_lengths_follow_the_total_and_show_every_series(counts, scale, expected):
    assert bar_lengths(counts, scale) == expected


@pytest.mark.parametrize("width", [60, 120])
def test_the_chart_fits_the_window_and_tells_series_apart_without_colour(width):
    out = io.StringIO()
    print_activity(make_console(file=out, width=width), activity(dataset(WEEKS), per="week"))
    lines = out.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    bars = {line.split()[0] + " " + line.split()[1]: line for line in lines if "│" in line}
    first = bars["2 Feb"]
    assert first.count(FILLS[0]) > 0 and FILLS[1] not in first and first.endswith(" 2")
    # The longest bar uses most of the room the window gives it.
    assert first.count(FILLS[0]) >= width - 20
    assert "1 event dated only to the month is not in the bars" in out.getvalue()


def test_a_long_empty_stretch_is_folded_into_one_line():
    events = [event("early", "2025-01-15", "withdrawal"), event("late", "2026-02-02", "withdrawal"),
              event("gap", "2025-03-01", "withdrawal")]  # fmt: skip
    out = io.StringIO()
    print_activity(make_console(file=out, width=80), activity(dataset(events), per="month"))
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert "⋮ no events from Apr 2025 to Jan 2026" in lines
    assert any(line.startswith("Feb 2025 │") for line in lines)  # one empty month is drawn as such
    assert not any(line.startswith("Jun 2025") for line in lines)


def test_timeline_chart_through_the_cli(tmp_path):
    store = write_store(tmp_path / "s.json", WEEKS)
    result = runner.invoke(app, ["timeline", "--chart", "--per", "week", "--actor", "US", "--json", "--db", str(store)])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["per"] == "week" and report["total"] == 3 and report["coarse"] == 1
    drawn = runner.invoke(app, ["timeline", "--chart", "--db", str(store)])
    assert drawn.exit_code == 0 and "Events per month, by type" in drawn.stdout


def test_per_and_by_need_chart(tmp_path):
    store = write_store(tmp_path / "s.json", WEEKS)
    result = runner.invoke(app, ["timeline", "--by", "actor", "--db", str(store)])
    assert result.exit_code == 2 and result.stderr.startswith("Error: --per and --by go with --chart")


def test_a_chart_of_nothing_says_so(tmp_path):
    store = write_store(tmp_path / "s.json", WEEKS)
    result = runner.invoke(app, ["timeline", "--chart", "--since", "2027", "--db", str(store)])
    assert result.exit_code == 0 and result.stdout == "" and "nothing to chart" in result.stderr
