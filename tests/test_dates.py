from datetime import date

import pytest

from syriabrief.domain.dates import describe, event_period, parse_stored, parse_user_date
from syriabrief.errors import DateInputError


@pytest.mark.parametrize(
    "text, start, end, precision",
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
        ("2026-01", date(2026, 1, 1), date(2026, 1, 31), "month"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2026-01-15", date(2026, 1, 15), date(2026, 1, 15), "day"),
        ("Jan 2026", date(2026, 1, 1), date(2026, 1, 31), "month"),
        ("15 January 2026", date(2026, 1, 15), date(2026, 1, 15), "day"),
        ("January 15, 2026", date(2026, 1, 15), date(2026, 1, 15), "day"),
        ("  2026-02  ", date(2026, 2, 1), date(2026, 2, 28), "month"),
    ],
)
def test_user_dates_stand_for_their_whole_period(text, start, end, precision):
    period = parse_user_date(text)
    assert (period.start, period.end, period.precision) == (start, end, precision)


@pytest.mark.parametrize("text", ["", "03/04/2026", "4.3.2026", "4.3.26", "yesterday-ish", "2026-13", "2026-02-30", "January", "3000", "1" * 500, "15 Foo"])
def test_unreadable_user_dates_raise_a_usage_error(text):
    with pytest.raises(DateInputError):
        parse_user_date(text)


@pytest.mark.parametrize("text", ["2026-1", "26-01-01", "2026-01-01T00:00", "2026/01", "", "0999"])
def test_stored_dates_accept_only_the_three_forms(text):
    with pytest.raises(ValueError):
        parse_stored(text)


def test_event_period_runs_to_the_end_of_the_end_date():
    period = event_period("2026-01-20", "2026-02")
    assert (period.start, period.end) == (date(2026, 1, 20), date(2026, 2, 28))


@pytest.mark.parametrize(
    "args, shown",
    [
        (("2026-01-15",), "15 Jan 2026"),
        (("2026-01",), "Jan 2026"),
        (("2015", None, True), "~2015"),
        (("2026-01-20", "2026-01-22", True), "~20–22 Jan 2026"),
        (("2026-01-30", "2026-02-02"), "30 Jan – 2 Feb 2026"),
        (("2025-12", "2026-01"), "Dec 2025 – Jan 2026"),
    ],
)
def test_describe_shows_the_precision_it_has(args, shown):
    assert describe(*args) == shown


@pytest.mark.parametrize(
    "text, order, day",
    [
        ("23/02/2026", None, date(2026, 2, 23)),  # only day first reads it: decided by itself
        ("2/23/2026", None, date(2026, 2, 23)),
        ("5/5/2026", None, date(2026, 5, 5)),  # both orders read the same day
        ("2/5/2026", "mdy", date(2026, 2, 5)),
        ("2/5/2026", "dmy", date(2026, 5, 2)),
        ("2.5.2026", "dmy", date(2026, 5, 2)),
    ],
)
def test_numeric_dates_are_read_only_when_decided(text, order, day):
    assert parse_user_date(text, order).start == day


@pytest.mark.parametrize("text, order", [("2/5/2026", None), ("23/02/2026", "mdy"), ("2/5/26", "dmy")])
def test_numeric_dates_not_decided_or_contradicting_the_order_are_refused(text, order):
    with pytest.raises(DateInputError):
        parse_user_date(text, order)


@pytest.mark.parametrize("text, day", [("1 Jan 2026 10:00 T", "2026-01-01"), ("Jan 5 2026 5pm EST", "2026-01-05")])
def test_a_time_zone_is_ignored_like_the_time_and_prints_no_warning(text, day, recwarn):
    # dateutil warned of a zone it did not know, on the user's stderr: only the day is kept anyway.
    assert parse_user_date(text) == parse_stored(day)
    assert not [w for w in recwarn if "tzname" in str(w.message)]


@pytest.mark.parametrize("text", ["Feb 30 2026", "31 April 2026", "2026-02-30"])
def test_a_day_the_calendar_lacks_is_named_as_such_in_any_form(text):
    with pytest.raises(DateInputError) as refused:
        parse_user_date(text)
    assert str(refused.value) == f"cannot read the date {text!r}: {text!r} is not a day of the calendar."


@pytest.mark.parametrize("text", ["Feb 29", "29 February"])
def test_a_leap_day_with_no_year_is_told_as_having_no_year(text):
    with pytest.raises(DateInputError) as refused:
        parse_user_date(text)
    assert "has no year" in str(refused.value)
