"""Exact JSON on stdout for ``--json``, without loading Rich.

Kept apart from terminal.py (which imports Rich, ~35 ms) so that a ``--json`` run
never pays for the table machinery it does not use; ``terminal.write_json`` is
this same function.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from syriabrief.domain.safetext import json_safe_bytes, json_text

__all__ = ["json_text", "write_json", "write_json_list", "write_json_with_list"]


def write_json(value: Any, stream: TextIO | None = None) -> None:
    """Write exact JSON (UTF-8, not ASCII-escaped) and a newline, indented only on a terminal."""
    stream = stream or sys.stdout
    indent = 2 if stream.isatty() else None
    _write(stream, _utf8(json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False) + "\n"))


def write_json_list(items: Sequence[bytes], stream: TextIO | None = None) -> None:
    """Write a list whose items are already JSON texts in UTF-8 (``Dataset.select_json``): the same
    bytes as ``write_json`` of the decoded list, without decoding them for a pipe."""
    stream = stream or sys.stdout
    if stream.isatty():
        write_json([json.loads(item) for item in items], stream)
        return
    # json.dumps joins list items with ", ": so does this.
    _write(stream, b"[", b", ".join(items), b"]\n")


def write_json_with_list(value: dict[str, Any], key: str, stream: TextIO | None = None) -> None:
    """Write ``value``, whose ``value[key]`` is a list of JSON texts in UTF-8 (``Dataset.select_json``):
    the same bytes as ``write_json`` of it decoded, without decoding them for a pipe."""
    stream = stream or sys.stdout
    items = value[key]
    if stream.isatty():
        write_json({**value, key: [json.loads(item) for item in items]}, stream)
        return
    # A fresh marker stands where the list goes: no text in the data can be equal to it.
    import uuid

    marker = json.dumps(f"syriabrief-list-{uuid.uuid4().hex}")
    before, after = json.dumps({**value, key: json.loads(marker)}, ensure_ascii=False, allow_nan=False).split(marker, 1)
    _write(stream, _utf8(before) + b"[", b", ".join(items), b"]" + _utf8(after + "\n"))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate is kept, to be escaped


def _write(stream: TextIO, *parts: bytes) -> None:
    """Write ``parts`` one after the other. A list of events is a part of its own, not copied
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
