import pytest

from conftest import SAMPLE_EVENTS, dataset
from syriabrief.domain.dates import parse_user_date
from syriabrief.domain.filters import EventFilter, select_events

DATA = dataset(SAMPLE_EVENTS)


def ids(where: EventFilter, limit=None) -> list[str]:
    return [e.id for e in select_events(DATA.events, where, limit)]


def test_events_come_in_date_order_with_partial_dates_at_their_start():
    assert ids(EventFilter()) == [
        "2016-us-at-tanf",
        "2026-01-sdf-loses-ground",
        "2026-01-20-russia-leaves-qamishli",
        "2026-02-11-us-leaves-tanf",
        "2026-02-21-qasrak-evacuation",
    ]


def test_until_a_month_includes_its_last_day_and_partial_dates_that_overlap():
    where = EventFilter(since=parse_user_date("2026-01-25"), until=parse_user_date("2026-01"))
    # The month-precision offensive and the 20-27 Jan withdrawal both overlap 25-31 Jan.
    assert ids(where) == ["2026-01-sdf-loses-ground", "2026-01-20-russia-leaves-qamishli"]


def test_a_year_precision_event_overlaps_any_window_inside_its_year():
    assert ids(EventFilter(since=parse_user_date("2016-06"), until=parse_user_date("2016-06"))) == ["2016-us-at-tanf"]


def test_repeated_values_are_alternatives_and_different_filters_all_apply():
    assert ids(EventFilter(actors=frozenset({"russia", "sdf"}))) == [
        "2026-01-sdf-loses-ground",
        "2026-01-20-russia-leaves-qamishli",
    ]
    assert ids(EventFilter(actors=frozenset({"us"}), types=frozenset({"withdrawal"}))) == [
        "2026-02-11-us-leaves-tanf",
        "2026-02-21-qasrak-evacuation",
    ]


def test_site_matches_site_origin_or_destination():
    assert ids(EventFilter(sites=frozenset({"hmeimim"}))) == ["2026-01-20-russia-leaves-qamishli"]


def test_search_is_case_insensitive_on_summaries():
    assert ids(EventFilter(search="QASRAK")) == ["2026-02-21-qasrak-evacuation"]


def test_status_filter():
    assert ids(EventFilter(statuses=frozenset({"disputed"}))) == ["2026-02-21-qasrak-evacuation"]


def test_limit_keeps_the_most_recent_in_date_order():
    assert ids(EventFilter(), limit=2) == ["2026-02-11-us-leaves-tanf", "2026-02-21-qasrak-evacuation"]


@pytest.mark.parametrize("limit", [len(SAMPLE_EVENTS), len(SAMPLE_EVENTS) + 1, 2 * len(SAMPLE_EVENTS) - 1, 1000])
def test_a_limit_past_the_number_of_matches_keeps_them_all(limit):
    # Found by the property tests: a limit between n and 2n once returned only the last few.
    assert ids(EventFilter(), limit=limit) == ids(EventFilter())
