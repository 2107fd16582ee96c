"""Our JSON formats: a store file or an array of events (``timeline --json``), and JSON Lines.

``parse_json`` is the one careful JSON reader every format uses (CSV cells hold
JSON too): it refuses NaN and Infinity, numbers too large to be finite, input
nested deeper than any record, and strings no UTF-8 file can hold, each with a
message a user can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syriabrief.domain.model import Event
from syriabrief.domain.safetext import json_text
from syriabrief.domain.validate import TABLES, Problem, check_records, check_store_layout
from syriabrief.formats import Entry, EntryChecker, Parsed, all_problems, read_records, sort_problems

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Catalogue

__all__ = [
    "MAX_DEPTH",
    "JsonInputError",
    "StoreCheck",
    "check_store_lines",
    "check_store_text",
    "parse_json",
    "read_json",
    "read_jsonl",
    "jsonl_lines",
    "write_jsonl",
]

# A store is 7 levels deep at most (store > events > event > disputes > dispute
# > sources > source); anything much deeper is not a syriabrief file.
MAX_DEPTH = 32
_KIND = {"actors": "actor", "sites": "site", "events": "event"}
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class JsonInputError(ValueError):
    """Text that is not JSON syriabrief accepts; the message says why."""


class _NonFinite(ValueError):
    pass


def parse_json(text: str, level: int = 1) -> Any:
    """Parse JSON text strictly; JsonInputError explains what is wrong and where.

    ``level`` is how deep the value sits in its file: 3 for one record line of a
    store (the store object, a table, the record), so that the depth allowed is
    the one the whole file would have.
    """
    try:
        if text.startswith("\ufeff"):  # what json.loads says, which the decoder itself does not check
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
    except _NonFinite as error:
        raise JsonInputError(str(error)) from None
    except json.JSONDecodeError as error:
        raise JsonInputError(
            f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise JsonInputError(
            f"is nested too deeply (more than {MAX_DEPTH} levels) to be syriabrief data"
        ) from None
    except ValueError as error:
        if "digits" in str(error):  # Python's guard against quadratic-time integer parsing
            raise JsonInputError("has a number with thousands of digits; no figure is that long") from None
        raise JsonInputError(f"has a value syriabrief cannot read: {error}") from None
    _check_shape(value, text, level)
    return value


def read_json(text: str) -> Parsed:
    """A store object (actors, sites, events), an array of events, or one event object."""
    parsed = Parsed("json")
    try:
        value = parse_json(text)
    except JsonInputError as error:
        parsed.problems.append(Problem("file", None, str(error)))
        return parsed
    if isinstance(value, list):
        parsed.entries = [Entry(f"record {n}", "event", r) for n, r in enumerate(value, 1)]
    elif isinstance(value, dict) and ("schema_version" in value or any(t in value for t in TABLES)):
        if "reading" in value:
            # What 'syriabrief read --json' adds beside its records: evidence for the person
            # editing the file, never stored.
            value = {k: v for k, v in value.items() if k != "reading"}
            parsed.notes.append("the file's 'reading' notes (evidence and confidence from 'syriabrief read') are not stored")
        parsed.problems = check_store_layout(value)
        if not parsed.problems:
            for table in TABLES:
                kind = _KIND[table]
                parsed.entries += [
                    Entry(f"{kind} {n}", kind, r) for n, r in enumerate(value.get(table, []), 1)
                ]
    elif isinstance(value, dict) and "id" in value:
        parsed.entries = [Entry("record 1", "event", value)]
    else:
        parsed.problems.append(
            Problem(
                "file",
                None,
                "must be a JSON array of events or a syriabrief store "
                "(an object with schema_version, actors, sites and events)",
            )
        )
    return parsed


def read_jsonl(text: str) -> Parsed:
    """One event object per line; blank lines are ignored."""
    parsed = Parsed("jsonl")
    number = 0
    for line_number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        number += 1
        where = f"record {number} (line {line_number})"
        try:
            parsed.entries.append(Entry(where, "event", parse_json(line)))
        except JsonInputError as error:
            parsed.problems.append(Problem(where, None, str(error)))
    return parsed


def write_jsonl(events: Iterable[Event]) -> str:
    """One event per line, each line a complete JSON object."""
    return "".join(jsonl_lines(events))


def jsonl_lines(events: Iterable[Event]) -> Iterator[str]:
    """``write_jsonl`` a line at a time, for an export that streams."""
    for event in events:
        yield json_text(event.to_json()) + "\n"


@dataclass(frozen=True)
class StoreCheck:
    """What ``validate`` found in one store: how many records of each kind, every problem, and the
    actors and sites without a problem of their own (what the store's upper layers may name)."""

    counts: dict[str, int]
    problems: list[Problem]
    catalogue: list[Entry]


def check_store_lines(lines: Iterable[tuple[str, bytes]], known: Catalogue | None) -> StoreCheck | None:
    """Check a store read one record line at a time (``(table, line)``), holding only what the checks need.

    None when a line is not JSON as ``parse_json`` reads it (or not UTF-8): the
    caller checks the whole file with ``check_store_text``, whose messages say
    where in the file the fault is. The problems are those ``check_store_text``
    finds in the same file.
    """
    checker = EntryChecker(known, unicode_checked=True)  # parse_json refuses lone surrogates
    numbers = {"actor": 0, "site": 0, "event": 0}
    for table, line in lines:
        kind = _KIND[table]
        numbers[kind] += 1
        try:
            record = parse_json(line.decode("utf-8"), level=3)
        except (JsonInputError, UnicodeDecodeError):
            return None
        checker.add(Entry(f"{kind} {numbers[kind]}", kind, record))
    return _store_check(checker.counts, sort_problems(checker.finish()), checker.catalogue)


def check_store_text(data: bytes, known: Catalogue | None) -> StoreCheck:
    """Check a store file read whole (any layout, or not a store at all)."""
    parsed = read_records(data, "json")
    problems = []
    if not parsed.problems:
        try:
            if not isinstance(parse_json(data.decode("utf-8")), dict):
                problems.append(Problem("file", None, "is not a syriabrief store (expected a JSON object)"))
        except JsonInputError:
            pass  # already reported by read_records
    problems += all_problems(parsed, known)
    counts = {kind: sum(1 for e in parsed.entries if e.kind == kind) for kind in ("actor", "site", "event")}
    return _store_check(counts, problems, [e for e in parsed.entries if e.kind in ("actor", "site")])


def _store_check(counts: dict[str, int], problems: list[Problem], catalogue: list[Entry]) -> StoreCheck:
    valid = [e for e in catalogue if not check_records(e.kind, [e.data])]
    return StoreCheck(counts, problems, valid)


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(f"contains {name}, which is not a number JSON allows; use null for an unknown figure")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NonFinite(f"contains the number {text[:40]}, too large to be finite")
    return value


# One decoder for every call: json.loads with hooks would build a new one each time
# (a store's lines are read one by one).
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def _check_shape(value: Any, text: str, level: int = 1) -> None:
    """Refuse nesting deeper than any record, and strings that cannot be written as UTF-8."""
    # The text itself is valid UTF-8, so a lone surrogate can only come from a
    # \ud800-\udfff escape; without one, no string needs looking at.
    check_strings = _SURROGATE_ESCAPE.search(text) is not None
    # Nothing is nested deeper than it has opening brackets (counted in C): most
    # records need no walk at all.
    shallow = level - 1 + text.count("{") + text.count("[") <= MAX_DEPTH
    if shallow and not check_strings:
        return
    stack = [(value, level)] if isinstance(value, (dict, list)) else []
    if check_strings and isinstance(value, str):
        _check_text(value)
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonInputError(f"is nested more than {MAX_DEPTH} levels deep; no syriabrief record is")
        children = item.values() if isinstance(item, dict) else item
        if check_strings and isinstance(item, dict):
            for key in item:
                _check_text(key)
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            elif check_strings and isinstance(child, str):
                _check_text(child)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonInputError(
            f"contains the text {text[:40]!r} with an unpaired surrogate escape (\\ud800-\\udfff), "
            "which is not a character"
        ) from None
