"""Untrusted text made safe to show: nothing from a store or an import file may drive the terminal.

Text in syriabrief comes from other people's files and from the news. Shown on a
terminal, a control character or escape sequence in it could retitle the window,
plant a hyperlink, write the clipboard (OSC 52) or reorder what is read (bidi
overrides). ``visible`` shows such characters as escapes instead; ``json_safe``
writes them as JSON ``\\uXXXX`` escapes, which parse back to the same data.
Standard library only, so that ``--json`` output needs no Rich.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["NEAREST", "UNSAFE", "json_safe", "json_safe_bytes", "json_safe_utf8", "json_text", "json_utf8", "nearest_characters", "visible", "visible_lines",
           "visible_lines_utf8"]

# The codec error handler ``nearest_characters`` is registered under.
NEAREST = "syriabrief-nearest"
# Punctuation common in the data, by an ASCII look-alike of the same width.
_LOOKALIKES = str.maketrans({
    "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u02be": "'", "\u02bf": "'", "\u201c": '"', "\u201d": '"',
    "\u00b7": ".", "\u2022": "*", "\u2026": ".", "\u2192": ">", "\u2190": "<",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})  # fmt: skip

# C0 controls except tab and newline (a carriage return is one: it can overwrite what
# was shown), DEL, C1 controls (\x9b alone starts a CSI sequence on some terminals),
# the Unicode characters that reorder or hide text (bidi overrides and isolates, marks,
# zero-width characters, line and paragraph separators), and lone surrogates, which
# JSON allows but UTF-8 cannot encode. The pattern's text: every one is unprintable (a test checks all of
# Unicode), so printable text is passed by str.isprintable, in C, and the pattern is
# compiled (and kept by the re module) only for text that needs it: 0.5 ms saved per query.
UNSAFE = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
# The ASCII ones, as bytes, and the ASCII bytes that are not: text is checked for them
# in C (a --json profile or an export's block can be megabytes), see _unsafe_in.
_UNSAFE_ASCII = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_UNSAFE_ASCII_BUT_CR = _UNSAFE_ASCII.replace(b"\r", b"")
_SAFE_ASCII = bytes(b for b in range(0x80) if b not in _UNSAFE_ASCII)
_SAFE_ASCII_AND_CR = bytes(b for b in range(0x80) if b not in _UNSAFE_ASCII_BUT_CR)


def visible(text: Any) -> str:
    """Untrusted text with every control or reordering character shown as an escape (``\\x1b``)."""
    value = "" if text is None else str(text)
    if value.isprintable():
        return value
    return re.sub(UNSAFE, _escaped, value)


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def visible_lines(text: str) -> str:
    """``visible`` for a text file whose lines may end in CRLF (CSV): those line ends stay as they are.

    A carriage return before a line feed moves nothing on a terminal; any other
    one could overwrite what was shown, so it is escaped like every control.
    """
    return visible_lines_utf8(text).decode("utf-8")


def visible_lines_utf8(text: str) -> bytes:
    """``visible_lines(text)`` as UTF-8, encoded once: what an export writes."""
    data = text.encode("utf-8", "surrogatepass")
    # The usual block (an export's rows) needs no change, which a few passes in C show.
    if data.count(b"\r") == data.count(b"\r\n") and not _unsafe_in(data, _SAFE_ASCII_AND_CR, _UNSAFE_ASCII_BUT_CR):
        return data
    return "\r\n".join(visible(part) for part in text.split("\r\n")).encode("utf-8")


def json_safe(text: str) -> str:
    """JSON text with those characters written as ``\\uXXXX`` escapes (only C0 is escaped by ``json``).

    Outside strings JSON text is plain ASCII, so every match is inside a string
    and the data a parser reads back is unchanged.
    """
    return json_safe_utf8(text).decode("utf-8")


def json_safe_utf8(text: str) -> bytes:
    """``json_safe(text)`` as UTF-8, encoded once: what exports and ``--json`` (``json_safe_bytes``) write."""
    return json_safe_bytes(text.encode("utf-8", "surrogatepass"))  # a lone surrogate is kept, to be found


def json_safe_bytes(data: bytes) -> bytes:
    """``json_safe_utf8`` of JSON text already in UTF-8 (lone surrogates allowed): usually ``data`` itself."""
    if not _unsafe_in(data, _SAFE_ASCII, _UNSAFE_ASCII):
        return data
    return re.sub(UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", data.decode("utf-8", "surrogatepass")).encode("utf-8")


def _unsafe_in(data: bytes, safe_ascii: bytes, unsafe_ascii: bytes) -> bool:
    """Whether UTF-8 ``data`` holds one of the ``unsafe_ascii`` bytes or a non-ASCII character UNSAFE matches.

    Deleting the safe ASCII bytes (one pass in C) leaves the unsafe ones and every
    non-ASCII character whole (a multibyte sequence has no ASCII byte): usually
    nothing, or a few names and dashes for the regex. Checking a text this way
    costs a third of running the regex over it.
    """
    rest = data.translate(None, safe_ascii)
    if not rest:
        return False
    if len(rest.translate(None, unsafe_ascii)) != len(rest):
        return True
    # Only non-ASCII characters are left (a CR among them was deleted as safe, or found above).
    text = rest.decode("utf-8", "surrogatepass")
    return not text.isprintable() and re.search(UNSAFE, text) is not None


def json_text(value: Any) -> str:
    """``value`` as compact JSON, the form ``--json`` writes inside a list to a pipe (and exports write)."""
    if _C_COMPACT is None:
        return _COMPACT.encode(value)
    return "".join(_C_COMPACT(value, 0))


def json_utf8(value: Any) -> bytes:
    """``json_text`` in UTF-8, a lone surrogate kept (it is escaped as the text is written)."""
    return json_text(value).encode("utf-8", "surrogatepass")


# One encoder for every call: json.dumps with options builds a new one each time, a sixth
# of the encoding time of an export's hundred thousand GeoJSON features.
_COMPACT = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
# JSONEncoder.encode's C encoder, made once, without the table of containers it fills to catch a
# list inside itself: what we encode comes from JSON and from our records, which hold none. A
# tenth of the encoding time of an export; where the C encoder is missing (PyPy), the one above.
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)  # typeshed does not list it
_C_COMPACT = (
    _make_c_encoder(None, _COMPACT.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, False)
    if _make_c_encoder is not None
    else None
)


def nearest_characters(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each character the output encoding lacks as its nearest one it has.

    ``Ḥmeimim`` becomes ``Hmeimim`` and ``–`` becomes ``-``, one character for one
    so that table columns stay aligned; anything else becomes ``?``. For human
    output only: exports and JSON are always written as UTF-8 bytes.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    import unicodedata

    out = []
    for char in error.object[error.start : error.end]:
        near = char.translate(_LOOKALIKES)
        if near == char:
            near = unicodedata.normalize("NFKD", char)[:1]
        try:
            near.encode(error.encoding)
        except UnicodeEncodeError:
            near = "?"
        out.append(near or "?")
    return "".join(out), error.end
