"""Our CSV: one event per row, one column per event key, in a form that round-trips exactly.

The cell scheme (docs/import-export.md):

- text: as is; an empty cell is null.
- ``approximate``: ``true`` or ``false``.
- ``actors``, ``tags``: items joined with ``;`` — or, when an item holds a ``;``,
  is empty or has spaces at its ends, a JSON array (a cell starting with ``[``).
- ``date``, ``end_date``: the stored forms; on import also any date ``parse_user_date``
  reads (a spreadsheet's ``2/23/2026``, ``Feb 2026``), numeric ones in the order
  the file decides or ``--date-order`` gives.
- ``quantities``: a JSON object; on import also ``troops=200;escaped=120..1500``.
- ``sources``, ``disputes``: JSON arrays; on import ``sources`` may also be plain
  outlet names joined with ``;``.

Spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a
formula. On export such a cell gets one leading ``'``; a cell that already
starts with quotes before one of those characters gets one more, so that import
can remove exactly one and every value comes back as it was.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from syriabrief.domain.model import Event
from syriabrief.domain.validate import Problem
from syriabrief.formats import Entry, Parsed

__all__ = [
    "COLUMNS",
    "csv_rows",
    "header_of",
    "neutralise",
    "read_csv",
    "restore",
    "write_csv",
]

COLUMNS = Event.KEYS
REQUIRED_COLUMNS = ("id", "date", "type", "summary", "sources")
_LIST_COLUMNS = ("actors", "tags")
_JSON_LIST_COLUMNS = ("sources", "disputes")
# What a spreadsheet takes for the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_DATE_COLUMNS = ("date", "end_date")
_STORED_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")


def neutralise(text: str) -> str:
    """The cell a spreadsheet will show as text: one ``'`` before anything it would run as a formula."""
    return "'" + text if text.lstrip("'")[:1] in _FORMULA_STARTS and text.lstrip("'") else text


def restore(cell: str) -> str:
    """Undo ``neutralise``: drop the one ``'`` it added."""
    return cell[1:] if cell.startswith("'") and neutralise(cell[1:]) != cell[1:] else cell


def csv_rows(text: str) -> tuple[list[str], list[tuple[str, list[str]]], list[Problem]]:
    """The header, each data row with its label (``record 2 (line 3)``), and problems reading them.

    Reading stops at the first quoting error: past an unbalanced quote no cell
    boundary can be trusted.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[str, list[str]]] = []
    problems: list[Problem] = []
    number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            hint = (
                " (an unbalanced quote?)" if "end of data" in str(error) or "expected" in str(error) else ""
            )
            problems.append(
                Problem(f"line {max(start, reader.line_num)}", None, f"is not valid CSV: {error}{hint}")
            )
            break
        if not cells or cells == [""]:
            continue
        if not header:
            header = [c.strip() for c in cells]
            continue
        number += 1
        rows.append((f"record {number} (line {start})", cells))
    return header, rows, problems


def header_of(text: str) -> list[str]:
    """The first row of CSV text, or nothing when it is not CSV."""
    try:
        return next(csv.reader(io.StringIO(text[:65536], newline="")), [])
    except csv.Error:
        return []


def read_csv(text: str, date_order: str | None = None) -> Parsed:
    """Read our CSV; numeric dates in ``date_order`` or the order the file decides (``file_date_order``)."""
    from syriabrief.formats import file_date_order

    parsed = Parsed("csv")
    header, rows, parsed.problems = csv_rows(text)
    columns = [h.casefold() for h in header]
    for column in dict.fromkeys(columns):
        if columns.count(column) > 1:
            parsed.problems.append(Problem("file", column, "is a column more than once"))
        if column not in COLUMNS:
            parsed.problems.append(
                Problem("file", column or "(empty)", "is not a column of our CSV (check the spelling)")
            )
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            parsed.problems.append(Problem("file", column, "column is missing"))
    if any(p.where == "file" for p in parsed.problems):
        return parsed
    date_cells = [
        (where, column, cell)
        for where, cells in rows
        if len(cells) == len(columns)
        for column, cell in zip(columns, cells, strict=True)
        if column in _DATE_COLUMNS
    ]
    order, order_problems = file_date_order(date_cells, date_order)
    if order_problems:
        parsed.problems += order_problems
        return parsed
    for where, cells in rows:
        if len(cells) != len(columns):
            parsed.problems.append(
                Problem(where, None, f"has {len(cells)} cells; the header has {len(columns)}")
            )
            continue
        record: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=True):
            try:
                record[column] = _date(cell, order) if column in _DATE_COLUMNS else _value(column, restore(cell))
            except ValueError as error:
                parsed.problems.append(Problem(where, column, str(error)))
        parsed.entries.append(Entry(where, "event", record))
    return parsed


def write_csv(events: Iterable[Event]) -> str:
    """Events as our CSV, with a header row, every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for event in events:
        record = event.to_json()
        writer.writerow([neutralise(_cell(column, record[column])) for column in COLUMNS])
    return out.getvalue()


# --- cells ----------------------------------------------------------------------


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column in _LIST_COLUMNS:
        joined = ";".join(value)
        plain = all(item and item == item.strip() and ";" not in item for item in value)
        return joined if plain and not joined.startswith("[") else _dumps(value)
    if column == "quantities":
        return _dumps(value) if value else ""
    if column in _JSON_LIST_COLUMNS:
        return _dumps(value) if value or column == "sources" else ""
    return str(value)


def _value(column: str, cell: str) -> Any:
    """A cell read back into the value it stands for; ValueError says what is wrong with it."""
    if column in _LIST_COLUMNS:
        if cell.startswith("["):
            return _json_cell(cell)
        return [item.strip() for item in cell.split(";") if item.strip()]
    if column == "quantities":
        if not cell.strip():
            return {}
        return _json_cell(cell) if cell.lstrip().startswith("{") else _named_figures(cell)
    if column in _JSON_LIST_COLUMNS:
        if not cell.strip():
            return []
        if column == "sources" and not cell.lstrip().startswith(("[", "{")):
            return [
                {"outlet": outlet.strip(), "document": None, "url": None, "published": None}
                for outlet in cell.split(";")
                if outlet.strip()
            ]
        return _json_cell(cell)
    if column == "approximate":
        if cell.strip().casefold() in ("true", "false"):
            return cell.strip().casefold() == "true"
        return cell if cell.strip() else False
    return cell if cell != "" else None


def _date(cell: str, order: str | None) -> str | None:
    """A date cell in its stored form; one already in it is left for the checks to judge."""
    from syriabrief.domain.dates import parse_user_date, stored_date
    from syriabrief.errors import DateInputError

    if not cell or _STORED_DATE.fullmatch(cell):
        return cell or None
    try:
        return stored_date(parse_user_date(cell, order))
    except DateInputError as error:
        raise ValueError(str(error).rstrip(".")) from None


def _json_cell(cell: str) -> Any:
    from syriabrief.formats.jsonfmt import JsonInputError, parse_json

    try:
        return parse_json(cell)
    except JsonInputError as error:
        raise ValueError(f"cell {error}") from None


def _named_figures(cell: str) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for part in cell.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{part.strip()!r} is not name=value (e.g. troops=200 or escaped=120..1500)")
        low, dots, high = value.partition("..")
        figure = {"low": _number(low), "high": _number(high)} if dots else _number(value)
        figures[name.strip()] = figure
    return figures


def _number(text: str) -> int | float:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large to be a finite number")
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
