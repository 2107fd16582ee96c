"""Untrusted text made safe to show: nothing from a store or an import file may drive the terminal.

Text in syriabrief comes from other people's files and from the news. Shown on a
terminal, a control character or escape sequence in it could retitle the window,
plant a hyperlink, write the clipboard (OSC 52) or reorder what is read (bidi
overrides). ``visible`` shows such characters as escapes instead; ``json_safe``
writes them as JSON ``\\uXXXX`` escapes, which parse back to the same data.
Standard library only, so that ``--json`` output needs no Rich.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["UNSAFE", "json_safe", "json_text", "visible"]

# C0 controls except tab and newline, DEL, C1 controls (\x9b alone starts a CSI
# sequence on some terminals), the Unicode characters that reorder or hide text
# (bidi overrides and isolates, marks, zero-width characters, line and paragraph
# separators), and lone surrogates, which JSON allows but UTF-8 cannot encode.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
# The ASCII ones, as bytes: ASCII text is checked for them in C (a --json profile can be megabytes).
_UNSAFE_ASCII = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


def visible(text: Any) -> str:
    """Untrusted text with every control or reordering character shown as an escape (``\\x1b``)."""
    value = "" if text is None else str(text)
    return UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def json_safe(text: str) -> str:
    """JSON text with those characters written as ``\\uXXXX`` escapes (only C0 is escaped by ``json``).

    Outside strings JSON text is plain ASCII, so every match is inside a string
    and the data a parser reads back is unchanged.
    """
    if text.isascii():
        data = text.encode("ascii")
        if len(data.translate(None, _UNSAFE_ASCII)) == len(data):
            return text
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_text(value: Any) -> str:
    """``value`` as compact JSON, the form ``--json`` writes inside a list to a pipe."""
    import json

    return json.dumps(value, ensure_ascii=False, allow_nan=False)
