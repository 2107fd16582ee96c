"""Exact JSON on stdout for ``--json``, without loading Rich.

Kept apart from terminal.py (which imports Rich, ~35 ms) so that a ``--json`` run
never pays for the table machinery it does not use; ``terminal.write_json`` is
this same function.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from syriabrief.domain.safetext import json_safe_bytes, json_text

__all__ = ["json_text", "write_json", "write_json_list", "write_json_with_list"]


def write_json(value: Any, stream: TextIO | None = None) -> None:
    """Write exact JSON (UTF-8, not ASCII-escaped) and a newline, indented only on a terminal."""
    stream = stream or sys.stdout
    indent = 2 if stream.isatty() else None
    _write(stream, _utf8(json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False) + "\n"))


def write_json_list(items: Iterable[bytes], stream: TextIO | None = None) -> None:
    """Write a list whose items are already JSON texts in UTF-8 (``Dataset.select_json`` or
    ``stream_json``): the same bytes as ``write_json`` of the decoded list, written as they come."""
    stream = stream or sys.stdout
    _write_list(stream, "", items, "\n", 2 if stream.isatty() else None)


def write_json_with_list(value: dict[str, Any], key: str, stream: TextIO | None = None) -> None:
    """Write ``value``, whose ``value[key]`` is any iterable of JSON texts in UTF-8 (``select_json``,
    an ``EventTexts``, ``Report.to_json_streamed``): the same bytes as ``write_json`` of it decoded,
    the texts written as they come."""
    stream = stream or sys.stdout
    indent = 2 if stream.isatty() else None
    # A fresh marker stands where the list goes: no text in the data can be equal to it.
    import uuid

    marker = json.dumps(f"syriabrief-list-{uuid.uuid4().hex}")
    placed = {**value, key: json.loads(marker)}
    before, after = json.dumps(placed, ensure_ascii=False, indent=indent, allow_nan=False).split(marker, 1)
    _write_list(stream, before, value[key], after + "\n", indent)


# About how many bytes of texts are gathered before they are written: few system calls, and what is
# held at once stays near this (a batch, joined, escaped) whatever the list's length.
_BATCH_BYTES = 1 << 20


def _write_list(stream: TextIO, before: str, items: Iterable[bytes], after: str, indent: int | None) -> None:
    """Write ``before``, the JSON list of ``items`` as ``json.dumps`` lays it out with ``indent``, then ``after``."""
    if indent is None:
        # json.dumps joins list items with ", ": so does this.
        opening, separator, closing = b"[", b", ", b"]"
    else:  # on a terminal: each item laid out anew, a level deeper than the line the list opens on
        line = before.rsplit("\n", 1)[-1]
        margin = "\n" + " " * (len(line) - len(line.lstrip(" ")))
        inner = margin + " " * indent
        opening, separator, closing = _utf8("[" + inner), _utf8("," + inner), _utf8(margin + "]")
        items = (_utf8(json.dumps(json.loads(item), ensure_ascii=False, indent=indent).replace("\n", inner)) for item in items)
    head = _utf8(before) + opening  # what the next batch follows: the opening, then a separator
    batch: list[bytes] = []
    size, opened = 0, False
    for item in items:
        batch.append(item)
        size += len(item)
        if size >= _BATCH_BYTES:
            _write(stream, head, separator.join(batch))
            head, batch, size, opened = separator, [], 0, True
    if batch:
        _write(stream, head, separator.join(batch), closing + _utf8(after))
    else:
        _write(stream, closing + _utf8(after) if opened else _utf8(before + "[]" + after))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate is kept, to be escaped


def _write(stream: TextIO, *parts: bytes) -> None:
    """Write ``parts`` one after the other. A batch of events is a part of its own, not copied
    into one text with what surrounds it: a megabyte of fresh memory costs 0.7 ms here."""
    # Characters that could drive a terminal showing the JSON go out as \uXXXX
    # escapes: the same data for a parser, inert on a screen.
    safe = [json_safe_bytes(part) for part in parts]
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.writelines(safe)
        buffer.flush()
    else:
        stream.write(b"".join(safe).decode("utf-8"))
