"""The store file's text layout, one record per line, and what it allows without parsing every event.

``dump_store`` writes a store like this::

    {
    "schema_version": 1,
    "actors": [
    {"id": "us", ...},
    {"id": "sdf", ...}
    ],
    "sites": [],
    "events": [
    {"id": "2026-02-11-us-leaves-al-tanf", ...}
    ]
    }

Because each record is one line and every event line starts with its id, a
big store can be read in part (its actors and sites come first) and added to
by inserting lines, without decoding a hundred thousand events. Anything not
laid out exactly so (a file edited by hand) makes ``parse_layout`` return None,
and callers fall back to reading the whole file. Standard library only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

__all__ = ["LineLayout", "dump_store", "parse_layout", "read_catalogue_lines"]

_TABLES = ("actors", "sites", "events")
_VERSION = re.compile(rb'"schema_version": (\d+),')
# Ids are validated slugs, so the id of a line syriabrief wrote needs no JSON decoding.
_EVENT_ID = re.compile(rb'\{"id": "([a-z0-9]+(?:-[a-z0-9]+)*)", ')


def dump_store(layout: dict[str, Any]) -> str:
    """A store as text: one record per line, so that a change to one record is a one-line diff."""
    parts = [f'{{\n"schema_version": {layout["schema_version"]}']
    for table in _TABLES:
        rows = ",\n".join(record_line(r) for r in layout.get(table, []))
        parts.append(f'"{table}": [\n{rows}\n]' if rows else f'"{table}": []')
    return ",\n".join(parts) + "\n}\n"


def record_line(record: dict[str, Any]) -> str:
    """One record as the single line dump_store writes for it."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class LineLayout:
    """A store file in dump_store's layout, with its events left undecoded."""

    data: bytes
    version: int
    actors: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    event_ids: list[str]
    # Where new event lines go: the offset just after the last event line (or
    # inside the empty list), and whether the list was empty.
    insert_at: int
    events_empty: bool

    def with_events(self, records: Iterable[dict[str, Any]]) -> bytes:
        """The file with these event records added at the end of its events list."""
        added = ",\n".join(record_line(r) for r in records).encode("utf-8")
        if not added:
            return self.data
        if self.events_empty:
            return self.data[: self.insert_at] + b"\n" + added + b"\n" + self.data[self.insert_at :]
        return self.data[: self.insert_at] + b",\n" + added + self.data[self.insert_at :]


def parse_layout(data: bytes) -> LineLayout | None:
    """The parts of a store file written by dump_store; None for any other layout."""
    lines = data.split(b"\n")
    if len(lines) < 6 or lines[0] != b"{" or lines[-2:] != [b"}", b""]:
        return None
    version = _VERSION.fullmatch(lines[1])
    if not version:
        return None
    position = 2
    offset = len(lines[0]) + len(lines[1]) + 2
    tables: dict[str, list[bytes]] = {}
    insert_at, events_empty = 0, False
    for table in _TABLES:
        last = table == _TABLES[-1]
        close = b"]" if last else b"],"
        head = lines[position] if position < len(lines) else b""
        if head == f'"{table}": []'.encode() + (b"" if last else b","):
            tables[table] = []
            if last:
                insert_at, events_empty = offset + len(head) - 1, True
            offset += len(head) + 1
            position += 1
            continue
        if head != f'"{table}": ['.encode():
            return None
        offset += len(head) + 1
        position += 1
        rows: list[bytes] = []
        while position < len(lines) and lines[position] != close:
            line = lines[position]
            row = line[:-1] if line.endswith(b",") else line
            # Every row but the last ends with a comma; the last with none.
            is_last = lines[position + 1] == close if position + 1 < len(lines) else False
            if not row.startswith(b"{") or not row.endswith(b"}") or line.endswith(b",") == is_last:
                return None
            rows.append(row)
            offset += len(line) + 1
            position += 1
        if position >= len(lines) or not rows:
            return None
        if last:
            insert_at = offset - 1  # just before the newline that ends the last event line
        offset += len(close) + 1
        position += 1
        tables[table] = rows
    if position != len(lines) - 2:
        return None
    ids = []
    for row in tables["events"]:
        match = _EVENT_ID.match(row)
        if not match:
            return None
        ids.append(match[1].decode("ascii"))
    try:
        actors = [json.loads(row) for row in tables["actors"]]
        sites = [json.loads(row) for row in tables["sites"]]
    except (ValueError, RecursionError):
        return None
    return LineLayout(data, int(version[1]), actors, sites, ids, insert_at, events_empty)


def read_catalogue_lines(path: Path) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]] | None:
    """A store's schema version, actors and sites, read up to where its events begin.

    None when the file is not in dump_store's layout (the caller reads it whole).
    Actors and sites come before the events, so a million-event store costs no
    more here than an empty one.
    """
    records: dict[str, list[dict[str, Any]]] = {"actors": [], "sites": []}
    with open(path, "rb") as handle:
        if handle.readline() != b"{\n":
            return None
        version = _VERSION.fullmatch(handle.readline().rstrip(b"\n"))
        if not version:
            return None
        for table in ("actors", "sites"):
            head = handle.readline().rstrip(b"\n")
            if head == f'"{table}": [],'.encode():
                continue
            if head != f'"{table}": ['.encode():
                return None
            for line in handle:
                line = line.rstrip(b"\n")
                if line == b"],":
                    break
                try:
                    records[table].append(json.loads(line[:-1] if line.endswith(b",") else line))
                except (ValueError, RecursionError):
                    return None
            else:
                return None
        if not handle.readline().startswith(b'"events": ['):
            return None
    return int(version[1]), records["actors"], records["sites"]
