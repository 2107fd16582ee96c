"""Opening a dataset: the layered stores a command reads, answered by the query engine.

Every dataset is answered by one engine (``engine.SqlDataset``). Big stores are
read from an SQLite index kept in the cache (``index``); small ones are read
into memory (``store.load_plain``) and copied into an SQLite database in memory.
The in-memory ``Dataset`` stays the reference the engine is tested against.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from syriabrief.domain.dataset import Catalogue
from syriabrief.storage.engine import in_memory

__all__ = ["load_dataset"]


def load_dataset(paths: Sequence[Path]) -> Catalogue:
    """Read each store and layer them into one dataset, later files winning on equal ids."""
    from syriabrief.storage import index

    if index.worth_indexing(paths):
        indexed = index.open_indexed(paths)
        if indexed is not None:
            return indexed
    # Imported here: a query answered from an index reads no store whole (10 ms of its start-up).
    from syriabrief.storage.store import load_plain

    return in_memory(load_plain(paths))
