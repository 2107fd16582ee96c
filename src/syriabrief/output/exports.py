"""An export's text written as it comes, to standard output or a file, with nothing in it that could drive a terminal.

JSON formats escape such characters as ``\\uXXXX``, which parse back to the
same data, as ``--json`` does. CSV and Markdown are read by people and
spreadsheets and cannot escape losslessly: there they are shown as
``\\x1b``-style escapes (docs/import-export.md). Each block is made inert on its
own, which gives the bytes the whole text would: the formats hand on whole
lines (CSV's end in CRLF, which stays as it is).

A file is written beside its target and renamed into place once complete, so
an export that fails half-way (a damaged store) leaves the file as it was.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from syriabrief.domain.safetext import json_safe_utf8, visible_lines_utf8
from syriabrief.errors import SyriabriefError

__all__ = ["write_export"]


def write_export(chunks: Iterable[str], json: bool | None, output: Path | None, stores: Iterable[Path]) -> None:
    """Write the export exactly as UTF-8: to stdout, or to ``output`` (never one of ``stores``).

    ``json``: JSON text (escaped), other text (made visible), or None for a
    document that escapes its text itself (the HTML brief): written as it is.
    """
    # Each block made inert and encoded in one go (safetext checks the bytes it writes).
    inert = _as_is if json is None else json_safe_utf8 if json else visible_lines_utf8
    if output is None:
        stream = getattr(sys.stdout, "buffer", None)
        sys.stdout.flush()
        for chunk in chunks:
            if stream is None:
                sys.stdout.write(inert(chunk).decode("utf-8"))
            else:
                stream.write(inert(chunk))
        if stream is not None:
            stream.flush()
        return
    if any(_same(output, path) for path in stores):
        raise SyriabriefError(
            f"{output} is a store syriabrief reads; export to another file (use 'import' to change a store)."
        )
    if output.is_dir():
        raise SyriabriefError(f"{output} is a directory; give a file name.")
    try:
        if output.exists() and not output.is_file():  # a device or a pipe: written as it is
            with output.open("wb") as out:
                for chunk in chunks:
                    out.write(inert(chunk))
            return
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    except IsADirectoryError:
        raise SyriabriefError(f"{output} is a directory; give a file name.") from None
    except OSError as error:
        raise SyriabriefError(f"cannot write {output}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                out.write(inert(chunk))
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, output)
    except OSError as error:
        os.unlink(temporary)
        raise SyriabriefError(f"cannot write {output}: {error.strerror or error}") from None
    except BaseException:
        os.unlink(temporary)
        raise


def _as_is(text: str) -> bytes:
    return text.encode("utf-8")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
