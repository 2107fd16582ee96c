"""Every event of the layered stores in date order, read from the files one at a time: what a whole-store export streams.

``stream_events`` reads the stores twice, neither time holding their events:
first each event line's id and dates (read from the line's start without
decoding it, ``storefile.line_key``), which gives the order; then each line
again, in that order, decoded, checked and handed out as an ``Event``. What it
holds is an id, two dates and an offset per event, and the actors and sites.

The events are those ``load_plain`` gives, in the order its ``select()`` gives
them: later layers win on equal ids, and every record of a store but the bundled
dataset is checked (a problem is a StoreError, as for any read). The files stay
open from the first read to the last, so a store replaced meanwhile (writes
rename a new file into place) is read as it was.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from syriabrief.domain.dataset import Dataset
from syriabrief.domain.dates import event_period
from syriabrief.domain.model import Actor, Event, Site
from syriabrief.domain.validate import SCHEMA_VERSION, Problem, check_records, check_references
from syriabrief.errors import StoreError
from syriabrief.storage.paths import bundled_path, same_file
from syriabrief.storage.store import summarise_problems
from syriabrief.storage.storefile import LineReader, NotLineLayout, line_key, open_store

__all__ = ["StreamedStores", "stream_events"]

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class StreamedStores:
    """The layered stores' actors and sites (``catalogue``), and their events as ``events()`` yields them."""

    def __init__(self, catalogue: Dataset, order: list[tuple[tuple, int, int, int]], layers: list[_Layer]):
        self.catalogue = catalogue
        self._order = order  # (sort key, layer, offset, length), in date order
        self._layers = layers

    def __len__(self) -> int:
        return len(self._order)

    def events(self) -> Iterator[Event]:
        """Each event in date order (``event_sort_key``), checked; StoreError at the first with a problem."""
        actor_ids, site_ids = set(self.catalogue.actors), set(self.catalogue.sites)
        for (_, _, event_id), layer_number, offset, length in self._order:
            layer = self._layers[layer_number]
            body = os.pread(layer.handle.fileno(), length, offset)
            record = _decode(layer, body, offset)
            if layer.checked:
                # Decoded from UTF-8, a record can hold a lone surrogate only through a \ud800-\udfff escape.
                problems = check_records("event", [record], unicode_checked=not _SURROGATE_ESCAPE.search(body))
                if problems:  # named by id: checked alone, the record would be "event 1"
                    named = [str(Problem(f"event {event_id}", p.field, p.message)) for p in problems]
                    raise StoreError(summarise_problems(layer.path, named))
            event = Event.from_json(record)
            problems = check_references([event], actor_ids, site_ids)
            if problems:
                raise StoreError(summarise_problems(layer.path, [str(p) for p in problems]))
            yield event


class _Layer:
    def __init__(self, path: Path, handle: BinaryIO, checked: bool):
        self.path, self.handle, self.checked = path, handle, checked


def stream_events(paths: Sequence[Path], files: ExitStack) -> StreamedStores | None:
    """The stores at ``paths`` (bottom layer first) ready to stream; None when one is not in the line layout.

    The files are opened into ``files``, which the caller closes when done.
    None also for a missing store: the caller then reads the stores whole, as
    every command does, with the messages that gives.
    """
    actors: dict[str, Actor] = {}
    sites: dict[str, Site] = {}
    keys: dict[str, tuple[tuple, int, int, int]] = {}
    layers = []
    bundled = bundled_path()
    for number, path in enumerate(paths):
        handle = open_store(path)
        if handle is None:
            return None
        files.enter_context(handle)
        layer = _Layer(path, handle, checked=not same_file(path, bundled))
        layers.append(layer)
        reader = LineReader(handle)
        try:
            reader.read_head()
            if reader.version != SCHEMA_VERSION:
                return None  # an older layout is upgraded as it is read whole
            for table, offset, body in reader.records():
                if table == "events":
                    key = _key(layer, body)
                    if key is None:
                        return None  # read whole, for the message every read gives
                    event_id, start, end = key
                    keys[event_id] = ((start, end, event_id), number, offset, len(body))
                else:
                    record = _decode(layer, body, offset)
                    kind = table[:-1]
                    if layer.checked and check_records(kind, [record]):
                        return None  # read whole, for the message every read gives
                    if kind == "actor":
                        actors[record["id"]] = Actor.from_json(record)
                    else:
                        sites[record["id"]] = Site.from_json(record)
        except NotLineLayout:
            return None
    if check_references([], set(actors), set(sites), actors.values(), sites.values()):
        return None
    order = sorted(keys.values(), key=lambda entry: entry[0])
    return StreamedStores(Dataset(actors.values(), sites.values(), []), order, layers)


def _key(layer: _Layer, body: bytes) -> tuple[str, date, date] | None:
    """An event line's id and the first and last day it may cover (event_sort_key's parts); None if it has none."""
    key: tuple[Any, Any, Any] | None = line_key(body)
    if key is None:  # a line whose start leaves a doubt: decoded
        record = _decode(layer, body, 0)
        key = (record.get("id"), record.get("date"), record.get("end_date")) if isinstance(record, dict) else None
    try:
        event_id, first, last = key  # type: ignore[misc]
        period = event_period(first, last)
    except (TypeError, ValueError):
        return None
    return (event_id, period.start, period.end) if isinstance(event_id, str) else None


def _decode(layer: _Layer, body: bytes, offset: int) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise StoreError(
            f"{layer.path} is not a valid store: the record at byte {offset:,} is not JSON (or the file changed "
            f"while it was read). Run 'syriabrief validate {layer.path}' to list its problems."
        ) from None
