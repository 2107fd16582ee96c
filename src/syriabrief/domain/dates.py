"""Partial dates: the ``2026`` / ``2026-01`` / ``2026-01-15`` forms events are stored in,
the looser forms people type (``Jan 2026``, ``15 January 2026``), and how both are shown.

``parse_user_date`` is the one reader for every date that comes from outside —
a command-line option or a cell of an imported file — so the two never disagree.
A numeric date (``23/02/2026``, ``2.5.2026``) is read day-first or month-first
only when that is decided: by its own fields (one is above 12), or by the order
a whole file's dates decide (``numeric_order``) or the user gives. Otherwise it
is refused, never guessed.

A partial date stands for the whole period it names: ``2026-01`` is 1–31 January.
This is the only module that imports dateutil, and it does so only when the
input is not already in one of the stored forms (dateutil costs ~20 ms to import).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from syriabrief.errors import DateInputError

__all__ = [
    "ACCEPTED_FORMS",
    "DATES_KEPT",
    "DATE_ORDERS",
    "EARLIEST_IMPORTED",
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "describe",
    "event_period",
    "implausible",
    "numeric_order",
    "parse_stored",
    "parse_user_date",
    "precision_of",
    "stored_date",
]

# Outside these years a date is taken for a typo, not a report.
MIN_YEAR = 1900
MAX_YEAR = 2100
# Longer input is refused before it reaches dateutil, whose parser slows down
# sharply on long strings.
MAX_INPUT_LENGTH = 64
ACCEPTED_FORMS = "2026, 2026-01, 2026-01-15, Jan 2026 or 15 January 2026"

# Fixed English names: strftime's %b would follow the C locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# ASCII digits only: ``\d`` would also accept Arabic-Indic and other digits,
# which no other tool reading a store expects.
# How a numeric date's first two fields are read: day-month-year or month-day-year.
DATE_ORDERS = ("dmy", "mdy")
# An imported date before this is a typo or a spreadsheet's zero date (1900-01-00), not a
# report: the store follows foreign forces in Syria since its independence (April 1946).
EARLIEST_IMPORTED = date(1946, 1, 1)
# 03/04/2026 or 3.4.26: day first in Damascus, month first in Washington.
# Compiled when first used (the re module keeps it): most dates given are not numeric.
_NUMERIC = r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{2,4})"
_STORED = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class Period(NamedTuple):
    """The first and last day a (partial) date may stand for, and its precision (a tuple: every event's
    dates are read into one, and a frozen dataclass sets each field through object.__setattr__)."""

    start: date
    end: date
    precision: str  # day | month | year

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end


def stored_date(period: Period) -> str:
    """The stored form of a date read at any precision: 2026, 2026-03 or 2026-03-01."""
    start = period.start
    return {"year": f"{start.year:04d}", "month": f"{start.year:04d}-{start.month:02d}"}.get(
        period.precision, start.isoformat()
    )


def precision_of(text: str) -> str:
    """The precision a stored date string carries, from its form."""
    return {4: "year", 7: "month"}.get(len(text), "day")


# Room for every day of 90 years, or as many (date, end date) pairs (a few MiB at most):
# a store spanning more than the caches hold would parse its dates again on every sort.
DATES_KEPT = 1 << 15


@lru_cache(maxsize=DATES_KEPT)
def parse_stored(text: str) -> Period:
    """Read a date in a stored form (YYYY, YYYY-MM, YYYY-MM-DD); ValueError if it is not one."""
    match = _STORED.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match[1])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    if match[2] is None:
        return Period(date(year, 1, 1), date(year, 12, 31), "year")
    month = int(match[2])
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    if match[3] is None:
        return Period(date(year, month, 1), date(year, month, _days_in(year, month)), "month")
    day = date(year, month, int(match[3])) if _valid_day(year, month, int(match[3])) else None
    if day is None:
        raise ValueError(f"{text!r} is not a day of the calendar")
    return Period(day, day, "day")


@lru_cache(maxsize=DATES_KEPT)
def event_period(date_text: str, end_text: str | None) -> Period:
    """The span an event may cover: from the start of its date to the end of its end date."""
    first = parse_stored(date_text)
    if not end_text:
        return first
    last = parse_stored(end_text)
    return Period(first.start, max(first.end, last.end), first.precision)


def parse_user_date(text: str, order: str | None = None) -> Period:
    """Read a date typed on the command line or found in an imported file.

    ``order`` (``dmy`` or ``mdy``) says how to read numeric dates whose own
    fields do not decide it; without it such a date is refused as ambiguous.
    DateInputError names the accepted forms.
    """
    cleaned = text.strip() if isinstance(text, str) else ""
    if not cleaned or len(cleaned) > MAX_INPUT_LENGTH:
        raise DateInputError(f"cannot read the date {text!r}; use {ACCEPTED_FORMS}.")
    try:
        return parse_stored(cleaned)
    except ValueError as error:
        if _STORED.fullmatch(cleaned):  # the right form, the wrong values
            raise DateInputError(f"cannot read the date {text!r}: {error}.") from None
    numeric = re.fullmatch(_NUMERIC, cleaned)
    if numeric:
        return _parse_numeric(numeric, text, order)
    return _parse_loose(cleaned, text)


def numeric_order(text: str) -> str | None:
    """The order a numeric date decides by itself: ``dmy`` for 23/02/2026, ``mdy`` for 2/23/2026.

    ``ambiguous`` for one the two orders read as different days (2/5/2026);
    None for any other date, and for one both orders read alike (5/5/2026).
    """
    match = re.fullmatch(_NUMERIC, text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    first, second = int(match[1]), int(match[3])
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return "ambiguous" if first != second and first <= 12 and second <= 12 else None


def _parse_numeric(match: re.Match, text: str, order: str | None) -> Period:
    first, second, year_text = int(match[1]), int(match[3]), match[4]
    if len(year_text) != 4:
        raise DateInputError(f"the year in {text!r} has {len(year_text)} digits; write it in full (2026).")
    decided = {"dmy": "dmy", "mdy": "mdy", None: "dmy"}.get(numeric_order(text))
    if decided is None and order is None:
        readings = [f"{year_text}-{m:02d}-{d:02d}" for d, m in ((first, second), (second, first))]
        raise DateInputError(
            f"the date {text!r} could be {readings[0]} (day first) or {readings[1]} (month first); "
            "write it as YYYY-MM-DD or '4 March 2026'."
        )
    reading = order or decided
    day, month = (first, second) if reading == "dmy" else (second, first)
    if not 1 <= month <= 12:
        way = "day first" if reading == "dmy" else "month first"
        raise DateInputError(f"the date {text!r} has no month {month} when read {way}.")
    try:
        return parse_stored(f"{year_text}-{month:02d}-{day:02d}")
    except ValueError as error:
        raise DateInputError(f"cannot read the date {text!r}: {error}.") from None


def implausible(period: Period, today: date | None) -> str | None:
    """Why a date cannot be a report's: it begins after ``today`` (None: no limit) or ends before
    EARLIEST_IMPORTED; None when it can be."""
    if today is not None and period.start > today:
        return f"is after today ({today.isoformat()})"
    if period.end < EARLIEST_IMPORTED:
        return f"is before {EARLIEST_IMPORTED.year}, earlier than any report syriabrief keeps"
    return None


def _parse_loose(cleaned: str, text: str) -> Period:
    from dateutil import parser

    # Parse twice with two different defaults: a field that changes with the
    # default was not in the input, which tells the precision the user meant.
    # Both leap years, so that "29 Feb" with no year is told as having no year, not as no such day.
    first_default, second_default = date(2000, 1, 1), date(2004, 2, 2)
    try:
        # The time zone is ignored, as the time is: a day is all that is kept. Read, an unknown
        # one ("10:00 EST") made dateutil print a warning of its own on stderr.
        a = parser.parse(cleaned, default=_midnight(first_default), ignoretz=True)
        b = parser.parse(cleaned, default=_midnight(second_default), ignoretz=True)
    # dateutil raises more than ValueError on odd input (OverflowError for huge
    # numbers, decimal errors for odd fractions); all mean "not a date".
    except (ValueError, OverflowError, ArithmeticError, IndexError, TypeError) as error:
        if "day is out of range" in str(error):  # read as a date, but no such day ("Feb 30 2026")
            raise DateInputError(f"cannot read the date {text!r}: {text.strip()!r} is not a day of the calendar.") from None
        raise DateInputError(f"cannot read the date {text!r}; use {ACCEPTED_FORMS}.") from None
    if a.year != b.year:
        raise DateInputError(f"the date {text!r} has no year; use {ACCEPTED_FORMS}.")
    if not MIN_YEAR <= a.year <= MAX_YEAR:
        raise DateInputError(f"the year in {text!r} is outside {MIN_YEAR}-{MAX_YEAR}.")
    if a.month != b.month:
        return parse_stored(f"{a.year:04d}")
    if a.day != b.day:
        return parse_stored(f"{a.year:04d}-{a.month:02d}")
    return parse_stored(f"{a.year:04d}-{a.month:02d}-{a.day:02d}")


@lru_cache(maxsize=DATES_KEPT)  # an export describes every event's dates: they repeat
def describe(date_text: str, end_text: str | None = None, approximate: bool = False) -> str:
    """A date as people read it: ``15 Jan 2026``, ``Jan 2026``, ``20–22 Jan 2026``, ``~2015``."""
    try:
        first = parse_stored(date_text)
        last = parse_stored(end_text) if end_text else None
    except ValueError:
        return str(date_text)
    text = _show(first)
    if last and last != first:
        text = _show_span(first, last)
    return f"~{text}" if approximate else text


def on_day(text: str) -> str:
    """``on 23 Feb 2026`` for a day, ``in Feb 2026`` for a month or year."""
    return f"{'on' if precision_of(text) == 'day' else 'in'} {describe(text)}"


def _show(period: Period) -> str:
    d = period.start
    if period.precision == "year":
        return f"{d.year}"
    if period.precision == "month":
        return f"{_MONTHS[d.month - 1]} {d.year}"
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _show_span(first: Period, last: Period) -> str:
    if first.precision == last.precision == "day":
        a, b = first.start, last.start
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {_MONTHS[a.month - 1]} {a.year}"
        if a.year == b.year:
            return f"{a.day} {_MONTHS[a.month - 1]} – {b.day} {_MONTHS[b.month - 1]} {a.year}"
    return f"{_show(first)} – {_show(last)}"


def _valid_day(year: int, month: int, day: int) -> bool:
    return 1 <= day <= _days_in(year, month)


def _days_in(year: int, month: int) -> int:
    # The day before the first of the next month (calendar.monthrange would cost an import per run).
    return 31 if month == 12 else (date(year, month + 1, 1) - timedelta(days=1)).day


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)
