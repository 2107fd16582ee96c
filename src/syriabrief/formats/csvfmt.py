"""Our CSV: one event per row in the flat form (formats/flat.py), ready for a spreadsheet, read back exactly.

Export writes ``flat.EVENT_COLUMNS``: ISO ``start_date``/``end_date`` to sort
on, the dates as stored, ids with names beside them, site coordinates, and
sources as ``; ``-joined outlets, documents, urls and published dates. Import
reads the stored columns and leaves the derived ones (``flat.DERIVED_COLUMNS``)
aside, after checking that ``start_date``/``end_date`` agree with the stored
dates, so an edit to the wrong column is not lost silently.

Files written before this layout — ``end_date`` as stored, ``sources`` as a
JSON array — are still read: a file is in the flat layout when its header has
any column only that layout has (``start_date``, ``date_end``, ``outlets``, …).

The cell scheme (docs/import-export.md):

- text: as is; an empty cell is null.
- ``approximate``: ``true`` or ``false``.
- ``actors``, ``tags``: items joined with ``; `` — or, when an item holds a ``;``,
  is empty or has spaces at its ends, a JSON array (a cell starting with ``[``).
- ``outlets``, ``documents``, ``urls``, ``published``: likewise, one item per
  source in the same order, an empty item for none.
- ``date``, ``date_end`` (``end_date`` in the older layout): the stored forms; on
  import also any date ``parse_user_date`` reads (a spreadsheet's ``2/23/2026``,
  ``Feb 2026``), numeric ones in the order the file decides or ``--date-order`` gives.
- ``quantities``: ``troops=200; escaped=120..1500``, or a JSON object.
- ``disputes`` (and the older ``sources``): JSON arrays; on import ``sources``
  may also be plain outlet names joined with ``;``.

Spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a
formula. On export such a cell gets one leading ``'``; a cell that already
starts with quotes before one of those characters gets one more, so that import
can remove exactly one and every value comes back as it was.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from syriabrief.domain.dates import event_period, parse_user_date, stored_date
from syriabrief.domain.model import EVENT_KEYS, Event, Site
from syriabrief.domain.validate import Problem
from syriabrief.errors import DateInputError
from syriabrief.formats import Entry, Parsed
from syriabrief.formats.flat import (
    DERIVED_COLUMNS,
    EVENT_COLUMNS,
    SITE_COLUMNS,
    SOURCE_COLUMNS,
    flat_event,
    flat_site,
)

if TYPE_CHECKING:
    from datetime import date

    from syriabrief.domain.dataset import Catalogue

__all__ = [
    "COLUMNS",
    "csv_rows",
    "header_of",
    "neutralise",
    "read_csv",
    "restore",
    "csv_chunks",
    "sites_csv_chunks",
    "write_csv",
    "write_sites_csv",
]

COLUMNS = EVENT_COLUMNS
# The columns of files written before the flat layout: the event keys.
_STORED_COLUMNS = EVENT_KEYS
_FLAT_ONLY = frozenset(EVENT_COLUMNS) - frozenset(_STORED_COLUMNS)
REQUIRED_COLUMNS = ("id", "date", "type", "summary")
_LIST_COLUMNS = ("actors", "tags")
_JSON_LIST_COLUMNS = ("sources", "disputes")
# What a spreadsheet takes for the start of a formula (OWASP's list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Only a cell starting with one of these can be changed by neutralise.
_RISKY_STARTS = frozenset(("'", *_FORMULA_STARTS))
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
    header: list[str] = []
    rows: list[tuple[str, list[str]]] = []
    problems: list[Problem] = []
    for where, cells in csv_stream(text, problems):
        if where is None:
            header = cells
        else:
            rows.append((where, cells))
    return header, rows, problems


def csv_stream(text: str, problems: list[Problem]) -> Iterator[tuple[str | None, list[str]]]:
    """csv_rows one row at a time (a big file's cells need not all be held): first ``(None, header)``,
    then ``(label, cells)`` per data row; a problem reading the file is added to ``problems``."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = False
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
            header = True
            yield None, [c.strip() for c in cells]
            continue
        number += 1
        yield f"record {number} (line {start})", cells


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
    flat = not _FLAT_ONLY.isdisjoint(columns)
    known = (*EVENT_COLUMNS, "sources") if flat else _STORED_COLUMNS
    for column in dict.fromkeys(columns):
        if columns.count(column) > 1:
            parsed.problems.append(Problem("file", column, "is a column more than once"))
        if column not in known:
            parsed.problems.append(
                Problem("file", column or "(empty)", "is not a column of our CSV (check the spelling)")
            )
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            parsed.problems.append(Problem("file", column, "column is missing"))
    if "sources" not in columns and "outlets" not in columns:
        parsed.problems.append(Problem("file", "outlets" if flat else "sources", "column is missing"))
    if "sources" in columns and any(c in columns for c in SOURCE_COLUMNS):
        parsed.problems.append(
            Problem("file", "sources", "give the sources as a sources column or as outlets, documents, "
                    "urls and published columns, not both")
        )  # fmt: skip
    if any(p.where == "file" for p in parsed.problems):
        return parsed
    # The stored dates: in the flat layout ``end_date`` is the derived ISO end, ``date_end`` the stored one.
    date_columns = ("date", "date_end") if flat else _DATE_COLUMNS
    date_cells = [
        (where, column, cell)
        for where, cells in rows
        if len(cells) == len(columns)
        for column, cell in zip(columns, cells, strict=True)
        if column in date_columns
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
        derived: dict[str, str] = {}
        source_lists: dict[str, str] = {}
        for column, cell in zip(columns, cells, strict=True):
            cell = restore(cell)
            if flat and column in DERIVED_COLUMNS:
                derived[column] = cell
            elif column in SOURCE_COLUMNS:
                source_lists[column] = cell
            else:
                key = "end_date" if column == "date_end" else column
                try:
                    record[key] = _date(cell, order) if column in date_columns else _value(key, cell)
                except ValueError as error:
                    parsed.problems.append(Problem(where, column, str(error)))
        if source_lists:
            try:
                record["sources"] = _sources(source_lists)
            except ValueError as error:
                parsed.problems.append(Problem(where, error.args[0], error.args[1]))
        parsed.problems += _span_problems(where, record, derived)
        parsed.entries.append(Entry(where, "event", record))
    return parsed


def write_csv(events: Iterable[Event], data: Catalogue | None = None) -> str:
    """Events as our CSV, with a header row, every cell safe to open in a spreadsheet.

    ``data`` gives the names and coordinates beside the ids (left empty without it).
    """
    return "".join(csv_chunks(events, data))


def csv_chunks(events: Iterable[Event], data: Catalogue | None = None) -> Iterator[str]:
    """``write_csv`` a block of whole rows at a time, for an export that streams."""
    return _row_chunks(COLUMNS, (flat_event(event, data) for event in events))


def write_sites_csv(sites: Iterable[Site], events: Sequence[Event], as_of: date, data: Catalogue) -> str:
    """One row per site: where it is, and who holds it on ``as_of`` (not an import format)."""
    return "".join(sites_csv_chunks(sites, events, as_of, data))


def sites_csv_chunks(sites: Iterable[Site], events: Sequence[Event], as_of: date, data: Catalogue) -> Iterator[str]:
    """``write_sites_csv`` a block of whole rows at a time."""
    return _row_chunks(SITE_COLUMNS, (flat_site(site, events, as_of, data) for site in sites))


# Rows are handed on in blocks of about this many characters: few writes, little held.
_CHUNK_CHARS = 1 << 16


def _row_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header and the rows as CSV text, each block ending with a whole row (its CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    separators = len(columns) - 1
    for row in rows:
        cells = [_cell(row[column]) for column in columns]
        # Most cells start with a letter or digit: only the others need a look (the export's hot loop).
        cells = [neutralise(cell) if cell[:1] in _RISKY_STARTS else cell for cell in cells]
        line = ",".join(cells)
        if separators and line.count(",") == separators and '"' not in line and "\n" not in line and "\r" not in line:
            out.write(line + "\r\n")  # no cell needs quotes: what csv.writer writes, at half the cost
        else:
            writer.writerow(cells)
        if out.tell() >= _CHUNK_CHARS:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _sources(lists: dict[str, str]) -> list[dict[str, Any]]:
    """The sources the outlets, documents, urls and published cells list, item by item.

    ValueError carries the column and what is wrong with it.
    """
    outlets = [o for o in _items("outlets", lists.get("outlets", "")) if o is not None]
    sources = [{"outlet": o, "document": None, "url": None, "published": None} for o in outlets]
    for column, key in (("documents", "document"), ("urls", "url"), ("published", "published")):
        items = _items(column, lists.get(column, ""))
        if not any(item is not None for item in items):
            continue
        if len(items) != len(outlets):
            raise ValueError(
                column,
                f"has {len(items)} items for {len(outlets)} outlets; give one per outlet, "
                "in the same order, leaving an item empty (between '; ') where there is none",
            )
        for source, item in zip(sources, items, strict=True):
            source[key] = item
    return sources


def _items(column: str, cell: str) -> list[Any]:
    """A list cell item by item, an empty item as None (positions matter)."""
    if cell.startswith("["):
        try:
            value = _json_cell(cell)
        except ValueError as error:
            raise ValueError(column, str(error)) from None
        if not isinstance(value, list):
            raise ValueError(column, "must be a JSON array when it starts with '['")
        return value
    if not cell.strip():
        return []
    return [item.strip() or None for item in cell.split(";")]


def _span_problems(where: str, record: dict[str, Any], derived: dict[str, str]) -> list[Problem]:
    """start_date and end_date must be the days date and date_end cover: an edit to them would be lost."""
    try:
        period = event_period(record.get("date"), record.get("end_date"))
    except (TypeError, ValueError):
        return []  # the stored dates' own problems are reported by the record checks
    problems = []
    for column, day in (("start_date", period.start), ("end_date", period.end)):
        given = derived.get(column, "").strip()
        if given and given != day.isoformat():
            problems.append(Problem(
                where, column,
                f"is {given!r}, but date and date_end cover {period.start} to {period.end}; {column} is "
                f"worked out from them: to change the dates, edit date and date_end and clear {column}",
            ))  # fmt: skip
    return problems


# --- cells ----------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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
