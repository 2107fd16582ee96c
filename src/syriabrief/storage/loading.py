"""Opening a dataset: the layered stores a command reads, answered by the right engine.

Big stores are answered from an SQLite index kept in the cache (``index``),
small ones from memory (``store.load_plain``); both give the same answers, and
the in-memory one is the reference the index is tested against.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from syriabrief.domain.dataset import Catalogue
from syriabrief.storage.store import load_plain

__all__ = ["load_dataset"]


def load_dataset(paths: Sequence[Path]) -> Catalogue:
    """Read each store and layer them into one dataset, later files winning on equal ids."""
    # The index module (and sqlite3 under it) is loaded only when a store may need it:
    # most runs read the small bundled dataset and should not pay for it.
    from syriabrief.storage import index

    if index.worth_indexing(paths):
        indexed = index.open_indexed(paths)
        if indexed is not None:
            return indexed
    return load_plain(paths)
