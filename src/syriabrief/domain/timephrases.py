"""When a sentence says something happened, resolved against the day the article was published.

News copy dates events relative to its own dateline: "on Monday", "the 23rd",
"earlier this month", "last week", "in January", "since 2019", "over the past
week". ``find_when`` reads the first such phrase in a sentence and returns the
stored forms of the date (``2026``, ``2026-02``, ``2026-02-23``), an end date
for spans, and whether the date is approximate. Explicit dates beat relative
ones when a sentence has both. Standard library only; ASCII digits only.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from syriabrief.domain.dates import MAX_YEAR, MIN_YEAR, numeric_order, parse_user_date, precision_of
from syriabrief.errors import DateInputError

__all__ = ["When", "dateline_end", "find_date_line", "find_when", "month_number"]

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_ABBREVIATIONS = {m[:3]: i for i, m in enumerate(MONTHS, 1)} | {"sept": 9}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# "in recent days" and "recently" cover this many days before publication.
RECENT_DAYS = 30
# A day-and-month without a year more than this many days after publication is last year's.
FUTURE_SLACK_DAYS = 7
# Spelled-out counts in "over the past three days".
_SMALL_NUMBERS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "few": 3, "several": 5, "couple of": 2,
}  # fmt: skip

_MONTH = (
    r"(?P<month>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
    r"aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)[0-9]{2})"
_NUM = r"(?P<n>[0-9]{1,3}|a|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple of)"

# Each pattern with a name; tried in this order, the first match wins.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("iso", r"\b(?P<year>(?:19|20)[0-9]{2})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})\b"),
        ("day_month_range", rf"\b(?:between )?(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)? (?:and|to|-|–) (?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)? {_MONTH}\b(?:,? {_YEAR}\b)?"),
        ("month_day_year", rf"\b{_MONTH} {_DAY},? {_YEAR}\b"),
        ("day_month_year", rf"\b{_DAY} (?:of )?{_MONTH},? {_YEAR}\b"),
        ("month_day", rf"\b{_MONTH} {_DAY}\b(?![,]? ?[0-9])"),
        ("day_month", rf"\b{_DAY} (?:of )?{_MONTH}\b"),
        ("part_month_year", rf"\b(?P<part>early|mid|late|mid-|the end of|the beginning of|the start of)[ -]?{_MONTH},? {_YEAR}\b"),
        ("month_year", rf"\b{_MONTH},? (?:of )?{_YEAR}\b"),
        ("part_month", rf"\b(?P<part>early|mid|late|the end of|the beginning of|the start of)[ -]?{_MONTH}\b"),
        ("month_this_year", rf"\b(?:in|since|during|by|until|from|through|last|this) {_MONTH}(?: of (?:this|last) year)?\b(?!,? (?:of )?(?:19|20)[0-9]{2})"),
        ("ordinal", r"\b(?:on|as of|since|by|until|of) the (?P<day>[0-9]{1,2})(?:st|nd|rd|th)\b"),
        ("today", r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today|later today)\b"),
        ("yesterday", r"\b(?:yesterday|last night)\b"),
        ("days_ago", rf"\b{_NUM} (?P<unit>days?|weeks?) ago\b"),
        ("past_span", rf"\b(?:over|in|during|for|within) the (?:past|last) (?:{_NUM} )?(?P<unit>days?|weeks?|months?)\b"),
        ("this_week", r"\b(?:earlier |late |later )?this week\b"),
        ("weekend", r"\b(?:over|at|during) the weekend\b|\blast weekend\b"),
        ("last_week", r"\blast week\b"),
        ("this_month", r"\b(?:earlier |late |later )?this month\b"),
        ("last_month", r"\blast month\b"),
        ("this_year", r"\b(?:earlier |late |later )?this year\b"),
        ("last_year", r"\blast year\b"),
        ("weekday", r"\b(?P<last>last )?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
        ("recent", r"\b(?:recently|in recent (?:days|weeks)|in the past few (?:days|weeks)|lately)\b"),
        ("year", rf"\b(?P<prep>in|since|around|about|circa|by|until|during|of|from|early|late|mid|c\.) (?:the year )?{_YEAR}\b(?![,.]?[0-9])"),
        ("decade", r"\bfor (?:over |more than )?a decade\b"),
    )
]
_APPROXIMATE_PREPS = ("around", "about", "circa", "c.", "early", "late", "mid")


@dataclass(frozen=True, slots=True)
class When:
    """A date read from a sentence, in stored forms, with the phrase it came from."""

    date: str
    end_date: str | None
    approximate: bool
    phrase: str
    explicit: bool = True  # False: assumed (no phrase), the days before publication

    @property
    def precision(self) -> str:
        return precision_of(self.date)


def month_number(text: str) -> int:
    """1-12 for a month's name or abbreviation ("Feb", "Feb.", "february")."""
    key = text.lower().rstrip(".")
    return MONTHS.index(key) + 1 if key in MONTHS else _MONTH_ABBREVIATIONS[key[:4] if key.startswith("sept") else key[:3]]


# A wire dateline opening a story: "DAMASCUS, Nov 25 (Reuters) -", "QAMISHLI, Syria, March 3, 2026
# (Example News) -". Its date is the story's, not the event's: "... withdrew on Tuesday" in that
# sentence is the 24th.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .'’-]+,(?:\s+[A-Z][A-Za-z .'’-]{1,30},)?\s+(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>[0-9]{1,2})"
    r"(?:,\s*(?P<year>[0-9]{4}))?\s*(?:\([^)]{1,40}\))?\s*[-–—]+"
)


def dateline_end(sentence: str) -> int:
    """Where a wire dateline opening ``sentence`` ends ("DAMASCUS, Nov 25 (Reuters) - "), or 0."""
    dateline = _DATELINE.match(sentence)
    return dateline.end() if dateline else 0


def find_when(sentence: str, published: date) -> When | None:
    """The date the first date phrase in ``sentence`` names, or None when it has none."""
    opening = dateline_end(sentence)
    if opening:
        sentence = " " * opening + sentence[opening:]  # blanked, so positions stay
    found: list[tuple[int, int, When]] = []
    for rank, (name, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(sentence):
            if name == "month_day" and _followed_by_year(sentence, match):
                continue
            if "month" in pattern.groupindex and match["month"] == "may":
                continue  # the verb, not the month
            if re.search(r"\b(?:by|until|before|within|ahead of)\s+$", sentence[max(0, match.start() - 12) : match.start()], re.IGNORECASE):
                continue  # "withdraw by the end of April": a deadline, not when something happened
            try:
                when = _resolve(name, match, published)
            except (ValueError, KeyError, OverflowError):
                continue  # "February 30", a year out of range: not a date
            if when is not None:
                found.append((rank, match.start(), when))
                break
    if not found:
        return None
    # Explicit calendar dates (the first patterns) before relative ones; then the earliest in the text.
    found.sort(key=lambda item: (item[0] >= _FIRST_RELATIVE, item[0] if item[0] < _FIRST_RELATIVE else 0, item[1]))
    return found[0][2]


_FIRST_RELATIVE = [name for name, _ in _PATTERNS].index("ordinal")


def _followed_by_year(sentence: str, match: re.Match[str]) -> bool:
    return re.match(r",? ?(?:19|20)[0-9]{2}\b", sentence[match.end():]) is not None


def _resolve(name: str, m: re.Match[str], pub: date) -> When | None:
    phrase = m.group(0)
    if name == "iso":
        return _day(date(int(m["year"]), int(m["month"]), int(m["day"])), phrase)
    if name == "day_month_range":
        year = int(m["year"]) if m["year"] else None
        month = month_number(m["month"])
        first = _no_year_day(int(m["day"]), month, pub, year)
        last = date(first.year, month, int(m["day2"]))
        if last < first:
            return None
        return When(first.isoformat(), last.isoformat(), True, phrase)
    if name in ("month_day_year", "day_month_year"):
        return _day(date(_year(m["year"]), month_number(m["month"]), int(m["day"])), phrase)
    if name in ("month_day", "day_month"):
        return _day(_no_year_day(int(m["day"]), month_number(m["month"]), pub), phrase)
    if name in ("part_month_year", "part_month"):
        month = month_number(m["month"])
        year = _year(m["year"]) if name == "part_month_year" else _month_year(month, pub)
        return _part_of_month(m["part"].lower().rstrip("-"), year, month, phrase)
    if name == "month_year":
        return When(f"{_year(m['year']):04d}-{month_number(m['month']):02d}", None, False, phrase)
    if name == "month_this_year":
        month = month_number(m["month"])
        year = pub.year - 1 if "last year" in phrase.lower() else _month_year(month, pub)
        if phrase.lower().startswith("last "):
            year = pub.year if month < pub.month else pub.year - 1
        return When(f"{year:04d}-{month:02d}", None, False, phrase)
    if name == "ordinal":
        day = int(m["day"])
        month_start = pub.replace(day=1)
        if day > pub.day + FUTURE_SLACK_DAYS:  # "the 28th" read on the 3rd: last month's
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        return _day(month_start.replace(day=day), phrase)
    if name == "today":
        return _day(pub, phrase)
    if name == "yesterday":
        return _day(pub - timedelta(days=1), phrase)
    if name == "days_ago":
        n = _count(m["n"])
        days = n * (7 if m["unit"].lower().startswith("week") else 1)
        when = pub - timedelta(days=days)
        return When(when.isoformat(), None, m["unit"].lower().startswith("week"), phrase)
    if name == "past_span":
        n = _count(m["n"]) if m["n"] else 1
        unit = m["unit"].lower()
        days = n * (30 if unit.startswith("month") else 7 if unit.startswith("week") else 1)
        return When((pub - timedelta(days=days)).isoformat(), pub.isoformat(), True, phrase)
    if name == "this_week":
        monday = pub - timedelta(days=pub.weekday())
        return When(monday.isoformat(), pub.isoformat() if pub != monday else None, True, phrase)
    if name == "last_week":
        monday = pub - timedelta(days=pub.weekday() + 7)
        return When(monday.isoformat(), (monday + timedelta(days=6)).isoformat(), True, phrase)
    if name == "weekend":
        saturday = pub - timedelta(days=(pub.weekday() - 5) % 7 or 7)
        return When(saturday.isoformat(), (saturday + timedelta(days=1)).isoformat(), False, phrase)
    if name == "this_month":
        return When(f"{pub.year:04d}-{pub.month:02d}", None, False, phrase)
    if name == "last_month":
        last = pub.replace(day=1) - timedelta(days=1)
        return When(f"{last.year:04d}-{last.month:02d}", None, False, phrase)
    if name == "this_year":
        return When(f"{pub.year:04d}", None, False, phrase)
    if name == "last_year":
        return When(f"{pub.year - 1:04d}", None, False, phrase)
    if name == "weekday":
        back = (pub.weekday() - WEEKDAYS.index(m["weekday"].lower())) % 7
        if m["last"] and back == 0:
            back = 7
        return _day(pub - timedelta(days=back), phrase)
    if name == "recent":
        return When((pub - timedelta(days=RECENT_DAYS)).isoformat(), pub.isoformat(), True, phrase)
    if name == "year":
        approximate = m["prep"].lower() in _APPROXIMATE_PREPS
        return When(f"{_year(m['year']):04d}", None, approximate, phrase)
    if name == "decade":
        return When(f"{pub.year - 10:04d}", None, True, phrase)
    return None  # pragma: no cover - every pattern has a branch


def _day(day: date, phrase: str) -> When:
    _year(str(day.year))
    return When(day.isoformat(), None, False, phrase)


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} out of range")
    return year


def _month_year(month: int, pub: date) -> int:
    """The year of a month named without one: this year's, unless it is still to come."""
    return pub.year if month <= pub.month else pub.year - 1


def _no_year_day(day: int, month: int, pub: date, year: int | None = None) -> date:
    if year is not None:
        return date(year, month, day)
    candidate = date(pub.year, month, day)
    if candidate > pub + timedelta(days=FUTURE_SLACK_DAYS):
        candidate = date(pub.year - 1, month, day)
    return candidate


def _part_of_month(part: str, year: int, month: int, phrase: str) -> When:
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = {
        "early": (1, 10), "the beginning of": (1, 10), "the start of": (1, 10),
        "mid": (11, 20), "late": (21, last), "the end of": (21, last),
    }[part]  # fmt: skip
    return When(date(year, month, first_day).isoformat(), date(year, month, last_day).isoformat(), True, phrase)


def _count(text: str) -> int:
    key = text.lower()
    return int(key) if key.isdigit() else _SMALL_NUMBERS[key]


# --- the article's own date ------------------------------------------------------------

_DATE_LINE_PREFIX = re.compile(
    r"^\s*(?:published|posted|updated|last updated|date|dated|first published)?\s*(?:on|:)?\s*", re.IGNORECASE
)
# A byline before the date: "By Staff Reporter | Erbil, 27 November 2026" (a name of a few capitalised
# words, no month, then a bar, a dash or a comma).
_BYLINE = re.compile(
    r"^(?i:by)\s+(?:(?!(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)"
    r"[A-Z][\w.'’-]*\s+){0,4}?(?!(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)"
    r"[A-Z][\w.'’-]*\s*[|•·–—,-]\s*"
)
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]((?:19|20)[0-9]{2})")
# A line is a date line when, once the date (and a time, a weekday, a place) is taken away, little is left.
_DATE_LINE_LEFTOVER = 24
_DATE_LINE_SCAN = 15


def find_date_line(lines: list[str]) -> tuple[date | None, str | None, str | None]:
    """The publication date a date line near the top of an article gives.

    Returns (the date, the line it was read from, a note when a line looked
    like a date but could not be read unambiguously, such as ``03/04/2026``).
    """
    note = None
    for line in [x.strip() for x in lines if x.strip()][:_DATE_LINE_SCAN]:
        wire = _DATELINE.match(line)
        if wire and wire["year"]:  # a dateline with its year opens the story: "QAMISHLI, Syria, March 3, 2026 (…) -"
            try:
                return date(int(wire["year"]), month_number(wire["month"]), int(wire["day"])), wire.group(0).strip(), None
            except (ValueError, KeyError):
                pass
        if len(line) > 80:
            continue
        body = _BYLINE.sub("", _DATE_LINE_PREFIX.sub("", line, count=1), count=1)
        numeric = _NUMERIC_DATE.search(body)
        if numeric and len(body) - len(numeric.group(0)) <= _DATE_LINE_LEFTOVER:
            # Read as every other date from outside is (dates.parse_user_date): only when decided.
            try:
                return parse_user_date(numeric.group(0)).start, line, None
            except DateInputError:
                if numeric_order(numeric.group(0)) == "ambiguous":
                    note = f"the line {line!r} could be day/month or month/day; give --published"
                continue
        for name in ("iso", "month_day_year", "day_month_year"):
            match = dict(_PATTERNS)[name].search(body)
            if match and len(body) - len(match.group(0)) <= _DATE_LINE_LEFTOVER:
                try:
                    found = _resolve(name, match, date(2000, 1, 1))
                except (ValueError, KeyError):
                    continue
                if found is not None:
                    try:
                        return date.fromisoformat(found.date), line, None
                    except ValueError:
                        continue
    return None, None, note
