"""Older store layouts, and how each is brought up to the current one.

A store file says which layout it uses in ``schema_version``. Reading a store
written in an older layout upgrades it in memory, step by step through
``MIGRATIONS``; the file itself is rewritten only by the next write, which first
keeps the old file as ``<store>.v<N>.bak`` (see store.py). A layout newer than
this syriabrief knows is never touched (validate.check_store_layout refuses it).

Layout versions:

0  A store written with TinyDB's own JSON storage, before syriabrief kept its
   records as lists: no ``schema_version``; ``actors``, ``sites`` and ``events``
   are objects mapping TinyDB document ids ("1", "2", ...: ASCII digits) to records, which
   have the same fields as in version 1. TinyDB's empty ``_default`` table may
   be present. Any other JSON is not recognised as a store at all.
1  The current layout (docs/data-model.md): ``schema_version`` and three lists.

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from syriabrief.domain.validate import SCHEMA_VERSION, TABLES

__all__ = ["MIGRATIONS", "layout_version", "upgrade"]

# The empty table TinyDB's own storage writes when nothing names a table.
_TINYDB_DEFAULT_TABLE = "_default"
# A TinyDB document id. Not str.isdigit(), which also takes "²" and other digits int() refuses.
_DOC_ID = re.compile(r"[0-9]+")


def layout_version(data: Any) -> int | None:
    """The layout version of a parsed store file, or None when it is no layout we know."""
    if isinstance(data, dict) and "schema_version" in data:
        version = data["schema_version"]
        # Anything odd (including an explicit 0: version 0 files have no
        # schema_version at all) is left for check_store_layout to describe.
        is_number = isinstance(version, int) and not isinstance(version, bool)
        return version if is_number and version >= 1 else None
    if _is_tinydb_layout(data):
        return 0
    return None


def upgrade(data: Any) -> Any:
    """``data`` in the current layout; data already current, newer or unknown is returned as is."""
    version = layout_version(data)
    while version is not None and version < SCHEMA_VERSION and version in MIGRATIONS:
        data = MIGRATIONS[version](data)
        version += 1
    return data


def _is_tinydb_layout(data: Any) -> bool:
    if not isinstance(data, dict) or not any(table in data for table in TABLES):
        return False
    for key, table in data.items():
        if key == _TINYDB_DEFAULT_TABLE:
            # Records here would be of no known kind: better refused than guessed.
            if table != {}:
                return False
            continue
        if key not in TABLES or not isinstance(table, dict):
            return False
        if not all(isinstance(doc_id, str) and _DOC_ID.fullmatch(doc_id) for doc_id in table):
            return False
    return True


def _from_0(data: dict[str, Any]) -> dict[str, Any]:
    """TinyDB document tables become lists, in document-id order (the order they were added)."""
    layout: dict[str, Any] = {"schema_version": 1}
    for table in TABLES:
        documents = data.get(table, {})
        layout[table] = [documents[doc_id] for doc_id in sorted(documents, key=_number_order)]
    return layout


def _number_order(doc_id: str) -> tuple[int, str]:
    """Numeric order of a run of digits without int(), which refuses more than 4,300 of them."""
    digits = doc_id.lstrip("0")
    return len(digits), digits


# From version n to version n + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _from_0}
