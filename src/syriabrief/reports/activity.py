"""Activity over time: how many events fell in each week or month, split by type or by actor.

An event counts in the period its date starts in. An event dated only to a
month cannot be placed in a week (nor one dated to a year in a month): it is
counted apart, as ``coarse``, never spread or guessed. By actor, an event
counts for its first actor — the one that acted. The busiest series are kept
and the rest summed as ``other``. The report is the ``timeline --chart --json``
contract; the terminal and the HTML brief draw it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from syriabrief.domain.dataset import Tally, tally_events
from syriabrief.domain.dates import describe
from syriabrief.domain.filters import EventFilter
from syriabrief.reports.briefing import Dataset
from syriabrief.reports.narrative import type_label
from syriabrief.reports.types import Report

__all__ = ["OTHER", "SERIES", "Activity", "Bucket", "Series", "activity", "activity_of"]

# How many series a chart shows before the rest become "other".
SERIES = 6
OTHER = "other"
# "auto" counts by week when the events span no more than this many days, else by month.
WEEKS_UP_TO_DAYS = 26 * 7
# Coarser precisions than each period can place.
_TOO_COARSE = {"week": ("month", "year"), "month": ("year",)}


@dataclass(frozen=True, eq=False, repr=False)
class Series(Report):
    key: str  # an event type, an actor id, or "other"
    name: str
    total: int


@dataclass(frozen=True, eq=False, repr=False)
class Bucket(Report):
    start: str  # the period's first day
    end: str  # its last day
    label: str
    counts: tuple[int, ...]  # one per series, in the report's series order
    total: int


@dataclass(frozen=True, eq=False, repr=False)
class Activity(Report):
    per: str  # week or month
    by: str  # type or actor
    series: tuple[Series, ...]
    buckets: tuple[Bucket, ...]  # every period from the first event's to the last's, empty ones too
    total: int  # events in the buckets
    coarse: int  # events dated too roughly for a period (counted nowhere else)
    coarse_precision: str | None  # how the coarse events are dated: "month", "year" or "month or year"

    @property
    def since(self) -> str | None:
        return self.buckets[0].start if self.buckets else None

    @property
    def until(self) -> str | None:
        return self.buckets[-1].end if self.buckets else None


def activity(
    data: Dataset,
    where: EventFilter | None = None,
    per: str = "auto",  # auto, week or month
    by: str = "type",  # type or actor
    series: int = SERIES,
    limit: int | None = None,
) -> Activity:
    """Events matching ``where`` (the latest ``limit`` of them), counted per week or month and split by type or first actor."""
    tally = tally_events(data.select(where, limit), by) if limit else data.tally(where, by)
    return activity_of(tally, data, per, by, series)


def activity_of(tally: Tally, data: Dataset, per: str = "auto", by: str = "type", series: int = SERIES) -> Activity:
    """The chart of events counted by (first day, precision, series key): Catalogue.tally, or tally_events of some."""
    if per == "auto":
        per = _auto_period(tally)
    placed: Counter[tuple[datetime.date, str]] = Counter()
    coarse, precisions = 0, set()
    starts: dict[datetime.date, datetime.date] = {}  # each day's week or month, worked out once
    for (start, precision, key), count in tally.items():
        if precision in _TOO_COARSE[per]:
            coarse += count
            precisions.add(precision)
        else:
            bucket = starts.get(start) or starts.setdefault(start, _start_of(start, per))
            placed[bucket, key] += count
    totals: Counter[str] = Counter()
    for (_, key), count in placed.items():
        totals[key] += count
    ranked = sorted(totals, key=lambda k: (-totals[k], _name(k, by, data).casefold()))
    kept = ranked if len(ranked) <= series else ranked[: series - 1]
    index = {key: i for i, key in enumerate(kept)}
    chosen = [Series(k, _name(k, by, data), totals[k]) for k in kept]
    if len(kept) < len(ranked):
        index.update({k: len(kept) for k in ranked[len(kept) :]})
        chosen.append(Series(OTHER, OTHER, sum(totals[k] for k in ranked[len(kept) :])))
    counts: dict[datetime.date, list[int]] = {}
    for (start, key), count in placed.items():
        counts.setdefault(start, [0] * len(chosen))[index[key]] += count
    buckets = []
    if counts:
        day, last = min(counts), max(counts)
        while day <= last:
            row = counts.get(day, [0] * len(chosen))
            end = _next(day, per) - datetime.timedelta(days=1)
            buckets.append(Bucket(day.isoformat(), end.isoformat(), _label(day, per), tuple(row), sum(row)))
            day = _next(day, per)
    coarsest = " or ".join(p for p in ("month", "year") if p in precisions) or None
    return Activity(per, by, tuple(chosen), tuple(buckets), sum(placed.values()), coarse, coarsest)


def _auto_period(tally: Counter[tuple[datetime.date, str, str]]) -> str:
    """By week when every event is dated to the day and they span no more than WEEKS_UP_TO_DAYS."""
    days = [start for start, precision, _ in tally if precision == "day"]
    if days and len(days) == len(tally) and (max(days) - min(days)).days <= WEEKS_UP_TO_DAYS:
        return "week"
    return "month"


def _start_of(day: datetime.date, per: str) -> datetime.date:
    if per == "week":
        return day - datetime.timedelta(days=day.weekday())  # Monday
    return day.replace(day=1)


def _next(day: datetime.date, per: str) -> datetime.date:
    if per == "week":
        return day + datetime.timedelta(days=7)
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _label(day: datetime.date, per: str) -> str:
    return describe(day.isoformat()) if per == "week" else describe(day.isoformat()[:7])


def _name(key: str, by: str, data: Dataset) -> str:
    if by == "type":
        return type_label(key)
    return data.actor_name(key) if key else "no actor named"
