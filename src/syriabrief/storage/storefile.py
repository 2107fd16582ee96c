"""The store file's layout on disk: the one module that knows it.

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

Because each record is one line and every event line starts with its id, a big
store can be read in part (its actors and sites come first), read line by line
(``LineReader``: what the index build streams), and added to by inserting lines
at the end of the events list without decoding a hundred thousand events
(``scan_store`` and ``write_appended``: what a write that only adds does).
Anything not laid out exactly so (a file edited by hand) raises
``NotLineLayout`` (or makes ``parse_layout`` return None), and callers fall
back to reading the whole file as JSON.

Where new event lines go is an ``AppendPoint``: its offset, and a digest of
every byte before it. With it, ``read_appended`` can tell for certain that a
file is the one the point was taken from with event lines added at that point,
and nothing else changed (what lets the index take in an ``add`` instead of
rebuilding); ``is_unchanged`` that it is still exactly that file.

Every store is opened through ``open_store``: a store is a regular file (or a
symbolic link to one) of at most ``MAX_STORE_BYTES``, so a named pipe, a device
or a directory given as a store is refused at once rather than read forever.
Standard library only (and syriabrief's error family).
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from syriabrief.domain.safetext import json_text
from syriabrief.errors import StoreError

__all__ = [
    "MAX_STORE_BYTES",
    "AppendPoint",
    "LineLayout",
    "LineReader",
    "NotLineLayout",
    "StoreScan",
    "count_event_lines",
    "dump_store",
    "is_unchanged",
    "lines_dated",
    "open_store",
    "parse_layout",
    "read_appended",
    "read_catalogue_lines",
    "read_store_bytes",
    "record_line",
    "scan_store",
    "store_chunks",
    "store_lines",
    "write_appended",
    "write_store",
]

TABLES = ("actors", "sites", "events")
# Patterns are compiled when first used (the re module keeps them): a query uses none,
# and compiling them all at import cost each one a third of a millisecond.
_VERSION = rb'"schema_version": ([0-9]+),\n'
# Ids are validated slugs, so the id of a line syriabrief wrote needs no JSON decoding.
_EVENT_ID = rb'\{"id": "([a-z0-9]+(?:-[a-z0-9]+)*)", '
_EVENT_IDS = rb'(?m)^\{"id": "([a-z0-9]+(?:-[a-z0-9]+)*)", '
# What follows the last event line (or the '"events": [' of an empty list).
_TAIL = b"\n]\n}\n"
_EMPTY_TAIL = b"]\n}\n"
# No record line is anywhere near this long (text fields are capped at 5,000
# characters, lists at 1,000 items): a longer "line" is not a record.
MAX_LINE_BYTES = 64 * 1024 * 1024
_CHUNK = 1 << 20
# The most a store read whole may hold, as for an import file (formats.MAX_IMPORT_BYTES): about
# 650,000 events, whose records then take a few GB of memory. A store in the line layout is
# read a line at a time by the index, add and the streaming checks, whatever its size (a
# million events is about 800 MB); a bigger file that is not is far more likely the wrong
# file (a disk image) than records.
MAX_STORE_BYTES = 512 * 1024 * 1024
# Opening a named pipe blocks until a writer comes; without blocking, it opens at once (POSIX).
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
)  # fmt: skip


class NotLineLayout(Exception):
    """The file is not in dump_store's one-record-per-line layout (the caller reads it as JSON)."""


def open_store(path: Path) -> BinaryIO | None:
    """The store file at ``path`` open for reading; None when there is none; StoreError when it cannot be a store.

    Opened without blocking, then checked with fstat on the open file (no race
    with a rename): opening a named pipe would otherwise wait for a writer
    forever, and a device such as /dev/zero never ends. A regular file has an
    end: it is read a line at a time, or whole only up to MAX_STORE_BYTES
    (read_store_bytes).
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:  # Windows; POSIX opens a directory and fstat tells
        raise StoreError(f"{path} is a directory, not a store file") from None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = next((name for test, name in _FILE_KINDS if test(status.st_mode)), "not a regular file")
            raise StoreError(f"{path} is {kind}, not a store file (a store is a regular file)")
        if _NONBLOCK:
            os.set_blocking(fd, True)  # a regular file: reads as usual from here
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_store_bytes(path: Path) -> bytes | None:
    """The whole store file at ``path`` (None when there is none): never more than MAX_STORE_BYTES.

    A bigger file is refused before a byte of it is read.
    """
    handle = open_store(path)
    if handle is None:
        return None
    with handle:
        if os.fstat(handle.fileno()).st_size > MAX_STORE_BYTES:
            raise StoreError(_too_big(path))
        try:
            data = handle.read(MAX_STORE_BYTES + 1)
        except OSError as error:
            raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > MAX_STORE_BYTES:  # it grew while it was read
        raise StoreError(_too_big(path))
    return data


def _too_big(path: Path) -> str:
    return (
        f"{path} is larger than {MAX_STORE_BYTES // (1024 * 1024):,} MB, the most syriabrief reads as one "
        "store; check that --db names your store, or split it into several"
    )


def dump_store(layout: dict[str, Any]) -> str:
    """A store as text: one record per line, so that a change to one record is a one-line diff."""
    out = io.BytesIO()
    write_store(out, layout["schema_version"], layout.get("actors", []), layout.get("sites", []), layout.get("events", []))
    return out.getvalue().decode("utf-8")


def write_store(
    out: BinaryIO, version: int, actors: Iterable[dict[str, Any]], sites: Iterable[dict[str, Any]],
    events: Iterable[dict[str, Any]],
) -> None:  # fmt: skip
    """Write a store in the line layout to ``out``, the events as they come: a million need not be held as text."""
    for chunk in store_chunks(version, actors, sites, events):
        out.write(chunk.encode("utf-8"))


def store_chunks(
    version: int, actors: Iterable[dict[str, Any]], sites: Iterable[dict[str, Any]], events: Iterable[dict[str, Any]],
) -> Iterator[str]:  # fmt: skip
    """A store's text in the line layout, a thousand event lines at a time (what ``export --format json`` streams)."""
    yield dump_head(version, actors, sites) + '"events": ['
    lines: list[str] = []
    written = False
    for record in events:
        lines.append(record_line(record))
        if len(lines) == 1000:
            yield (",\n" if written else "\n") + ",\n".join(lines)
            lines, written = [], True
    if lines:
        yield (",\n" if written else "\n") + ",\n".join(lines)
        written = True
    yield "\n]\n}\n" if written else "]\n}\n"


def dump_head(version: int, actors: Iterable[dict[str, Any]], sites: Iterable[dict[str, Any]]) -> str:
    """The text of a store up to where its events list begins."""
    return f'{{\n"schema_version": {version},\n{_dump_table("actors", actors)},\n{_dump_table("sites", sites)},\n'


def _dump_table(table: str, records: Iterable[dict[str, Any]]) -> str:
    rows = ",\n".join(record_line(r) for r in records)
    return f'"{table}": [\n{rows}\n]' if rows else f'"{table}": []'


def record_line(record: dict[str, Any]) -> str:
    """One record as the single line dump_store writes for it: its compact JSON, as ``--json`` prints it."""
    return json_text(record)


def line_id(row: bytes) -> str | None:
    """The id of an event line as JSON reads it, without decoding the line; None when that is not certain.

    The line must start with its id, as record_line writes it. JSON keeps the
    *last* of repeated keys, so that first id is the record's only when no other
    key of the line can spell "id": one that is the four bytes ``"id"`` or
    escapes a letter of it (``\\u0069``, ``\\u0064``). A line with either (say, a
    tag that is the word "id") is not read here: the caller decodes the store
    whole, which is slower but never wrong.
    """
    match = re.match(_EVENT_ID, row)
    if not match or row.count(b'"id"') != 1 or b"\\u0069" in row or b"\\u0064" in row:
        return None
    return match[1].decode("ascii")


# --- where events are added -------------------------------------------------------


class AppendPoint(NamedTuple):
    """Where new event lines go in a store file, with a digest of every byte before that point.

    ``insert_at``: the offset just after the last event line (before its
    newline), or just after '"events": [' when the list is empty. ``size``: the
    file's size; the bytes from ``insert_at`` to the end are always the same
    closing text, so the point and the digest describe the whole file.
    """

    insert_at: int
    empty: bool
    digest: str
    size: int

    def to_json(self) -> list:
        return [self.insert_at, self.empty, self.digest, self.size]

    @classmethod
    def from_json(cls, value: Any) -> AppendPoint | None:
        if not isinstance(value, list) or len(value) != 4:
            return None
        insert_at, empty, digest, size = value
        return cls(int(insert_at), bool(empty), str(digest), int(size))


def _hasher() -> Any:
    import hashlib  # only index builds, deltas and write checks hash (3 ms to import for every read otherwise)

    return hashlib.sha256()  # the fastest of hashlib's here (SHA extensions), and no collision in practice


def _hash_prefix(handle: BinaryIO, length: int) -> Any:
    """A hasher fed with the first ``length`` bytes of the file (None if the file is shorter)."""
    hasher = _hasher()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    handle.seek(0)
    left = length
    while left:
        got = handle.readinto(view[: min(left, _CHUNK)])  # type: ignore[attr-defined]  # binary files and BytesIO have it
        if not got:
            return None
        hasher.update(view[:got])
        left -= got
    return hasher


def is_unchanged(handle: BinaryIO, point: AppendPoint) -> bool:
    """Whether the open file holds exactly the bytes ``point`` was taken from (reads it whole)."""
    if _size(handle) != point.size:
        return False
    hasher = _hash_prefix(handle, point.insert_at)
    if hasher is None or hasher.hexdigest() != point.digest:
        return False
    handle.seek(point.insert_at)
    return handle.read(point.size - point.insert_at + 1) == (_EMPTY_TAIL if point.empty else _TAIL)


def read_appended(
    handle: BinaryIO, point: AppendPoint, max_bytes: int
) -> tuple[list[tuple[int, bytes]], AppendPoint] | None:
    """The event lines added to a file since ``point`` was taken, with the new point; None on any doubt.

    The file must be, byte for byte, the one ``point`` describes with event
    lines inserted at its insertion point (what ``write_appended`` does): every
    byte before the point is hashed and compared, and what follows must be the
    new lines, one record each, then the closing text. Reads the whole file
    (hashing is far cheaper than parsing it); ``max_bytes`` bounds what is read
    of the new lines.
    """
    size = _size(handle)
    grown = size - point.size
    if grown <= 0 or grown > max_bytes:
        return None
    hasher = _hash_prefix(handle, point.insert_at)
    if hasher is None or hasher.hexdigest() != point.digest:
        return None
    handle.seek(point.insert_at)
    rest = handle.read(size - point.insert_at + 1)
    opening = b"\n" if point.empty else b",\n"
    if len(rest) != size - point.insert_at or not rest.startswith(opening) or not rest.endswith(_TAIL):
        return None
    added = rest[len(opening) : -len(_TAIL)]
    lines = []
    offset = point.insert_at + len(opening)
    rows = added.split(b"\n")
    for number, line in enumerate(rows):
        last = number == len(rows) - 1
        body = line if last else line[:-1]
        if (not last and not line.endswith(b",")) or not body.startswith(b"{") or not body.endswith(b"}"):
            return None
        lines.append((offset, body))
        offset += len(line) + 1
    hasher.update(rest[: len(opening) + len(added)])
    insert_at = point.insert_at + len(opening) + len(added)
    return lines, AppendPoint(insert_at, False, hasher.hexdigest(), size)


# --- reading line by line ---------------------------------------------------------


class LineReader:
    """Reads an open store file in dump_store's layout, one record line at a time.

    ``records()`` yields ``(table, offset, body)`` for every record (body without
    its comma and newline) and raises NotLineLayout as soon as the file departs
    from the layout; once it is exhausted, ``point`` says where new events go
    (with a digest of the bytes before, when ``digest`` was asked for).
    """

    def __init__(self, handle: BinaryIO, digest: bool = False):
        self._handle = handle
        self._hasher = _hasher() if digest else None
        self.position = 0
        self.version = 0
        self.events_at = 0  # where the '"events"' line begins
        self.point: AppendPoint | None = None

    def _line(self) -> bytes:
        line = self._handle.readline(MAX_LINE_BYTES)
        self.position += len(line)
        return line

    def _hash(self, data: bytes) -> None:
        if self._hasher is not None:
            self._hasher.update(data)

    def read_head(self) -> None:
        """The first two lines; the version is then known."""
        self._handle.seek(0)
        self.position = 0
        first, second = self._line(), self._line()
        version = re.fullmatch(_VERSION, second)
        if first != b"{\n" or not version:
            raise NotLineLayout
        self._hash(first + second)
        self.version = int(version[1])

    def records(self, tables: Iterable[str] = TABLES) -> Iterator[tuple[str, int, bytes]]:
        if not self.version:
            self.read_head()
        for table in tables:
            last = table == "events"
            end = b"\n" if last else b",\n"
            if last:
                self.events_at = self.position
            opening = self._line()
            if opening == f'"{table}": []'.encode() + end:
                if last:
                    self._hash(opening[:-2])  # up to and with the '['
                    self.point = self._finish(self.position - 2, empty=True)
                else:
                    self._hash(opening)
                continue
            if opening != f'"{table}": [\n'.encode():
                raise NotLineLayout
            self._hash(opening)
            more, count, pending = True, 0, b""
            while True:
                start = self.position
                line = self._line()
                if line == b"]" + end:
                    if count == 0 or more:  # "[", "]" on two lines, or a comma before "]"
                        raise NotLineLayout
                    break
                if not more or not line.endswith(b"\n"):
                    raise NotLineLayout
                body = line[:-1]
                more = body.endswith(b",")
                if more:
                    body = body[:-1]
                # Event lines are hashed without their newline until the next one comes:
                # the point where new events go is just before the last one.
                if last:
                    self._hash(pending + line[:-1])
                    pending = b"\n"
                else:
                    self._hash(line)
                count += 1
                yield table, start, body
            if last:
                self.point = self._finish(self.position - len(b"]\n") - 1, empty=False)
            else:
                self._hash(line)

    def _finish(self, insert_at: int, empty: bool) -> AppendPoint:
        if self._line() != b"}\n" or self._line() != b"":
            raise NotLineLayout
        digest = self._hasher.hexdigest() if self._hasher is not None else ""
        return AppendPoint(insert_at, empty, digest, self.position)


def store_lines(path: Path, version: int) -> Iterator[tuple[str, bytes]]:
    """Every record of the store at ``path`` as ``(table, line)``, read one line at a time.

    For a reader that goes through a whole store without holding it (validate,
    export). NotLineLayout, as soon as it shows, when the file is not in the
    line layout of schema ``version`` (an older store needs migrating, a
    hand-edited one reading whole) or is missing: the caller then reads it whole.
    """
    handle = open_store(path)
    if handle is None:
        raise NotLineLayout
    with handle:
        reader = LineReader(handle)
        reader.read_head()
        if reader.version != version:
            raise NotLineLayout
        for table, _, body in reader.records():
            yield table, body


class StoreScan:
    """What a write that only adds needs of a store in the line layout, read without decoding any event.

    ``event_ids`` and ``held`` read the events list of ``handle`` when asked
    (the file must stay open and unchanged meanwhile: writers hold the lock).
    """

    # A plain class: every query imports this module, and making a dataclass costs a millisecond.
    def __init__(
        self, handle: BinaryIO, version: int, actors: list[dict[str, Any]], sites: list[dict[str, Any]], events_at: int, point: AppendPoint,
    ):  # fmt: skip
        self.handle = handle
        self.version = version
        self.actors = actors
        self.sites = sites
        self.events_at = events_at
        self.point = point
        self._ids: list[str] | None = None  # read when first asked
        self._known: dict[str, bool] = {}  # id -> held, for ids asked before

    @property
    def event_ids(self) -> list[str]:
        """Every event's id, in file order (NotLineLayout if a line leaves any doubt about its id)."""
        if self._ids is None:
            self._ids = [] if self.point.empty else _scan_event_ids(self.handle, self._first_event, self.point.insert_at)
        return self._ids

    def held(self, ids: Iterable[str]) -> set[str]:
        """Which of these ids are ids of events in the store.

        A few ids are looked for as text, in one pass over the events at the
        speed of a memory search: an id that appears nowhere in quotes, in a
        file with no \\u escape that could spell one, is no event's. Any doubt,
        or many ids, and every id is read (``event_ids``).
        """
        ids = list(dict.fromkeys(ids))
        unknown = [i for i in ids if i not in self._known]
        searched = unknown and self._ids is None and len(unknown) <= _SEARCHED_IDS and not self.point.empty
        if searched and not _appear(self.handle, self._first_event, self.point.insert_at, unknown):
            self._known.update((i, False) for i in unknown)
            unknown = []
        if unknown:
            every = set(self.event_ids)
            self._known.update((i, i in every) for i in unknown)
        return {i for i in ids if self._known[i]}

    @property
    def _first_event(self) -> int:
        return self.events_at + len(b'"events": [\n')


# At most this many new ids are looked for as text; more, and every id is read.
_SEARCHED_IDS = 16


def scan_store(handle: BinaryIO) -> StoreScan:
    """The head of a store in the line layout (version, actors, sites) and where its events end.

    Reads only the actors and sites and the last bytes of the file; the events
    are read when their ids are asked for (StoreScan). NotLineLayout for any
    other layout.
    """
    reader = LineReader(handle)
    records: dict[str, list[dict[str, Any]]] = {"actors": [], "sites": []}
    try:
        for table, _, body in reader.records(("actors", "sites")):
            records[table].append(json.loads(body))
    except (ValueError, RecursionError):
        raise NotLineLayout from None
    events_at = reader.position
    opening = reader._line()
    size = _size(handle)
    if opening == b'"events": []\n':
        if reader._line() != b"}\n" or reader._line() != b"":
            raise NotLineLayout
        point = AppendPoint(reader.position - len(_EMPTY_TAIL), True, "", reader.position)
    elif opening == b'"events": [\n':
        end = size - len(_TAIL)
        handle.seek(end - 1)
        # The last event line ends the list, and the file (one byte more is asked: none may come).
        if end <= reader.position or handle.read(len(_TAIL) + 2) != b"}" + _TAIL:
            raise NotLineLayout
        point = AppendPoint(end, False, "", size)
    else:
        raise NotLineLayout
    return StoreScan(handle, reader.version, records["actors"], records["sites"], events_at, point)


def _appear(handle: BinaryIO, start: int, end: int, ids: list[str]) -> bool:
    """Whether any of ``ids`` appears quoted between ``start`` and ``end``, or a \\u escape does."""
    patterns = [b'"' + i.encode("ascii") + b'"' for i in ids]
    overlap = max(len(p) for p in patterns)
    tail = b""  # the end of the block before, to find what straddles two blocks
    for block in _blocks(handle, start, end):
        seam = tail + block[:overlap]
        if any(p in block or p in seam for p in patterns):
            return True
        # A single-byte search first: many times faster than looking for two bytes.
        if (b"\\" in block and b"\\u" in block) or b"\\u" in seam:
            return True
        tail = block[-overlap:]
    return False


def _blocks(handle: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The bytes of the file from ``start`` to ``end``, in big blocks (NotLineLayout if it ends sooner)."""
    handle.seek(start)
    left = end - start
    while left:
        block = handle.read(min(left, 8 * _CHUNK))
        if not block:
            raise NotLineLayout
        left -= len(block)
        yield block


def _size(handle: BinaryIO) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        assert isinstance(handle, io.BytesIO), handle
        return len(handle.getbuffer())  # in memory


def _scan_event_ids(handle: BinaryIO, start: int, end: int) -> list[str]:
    """The ids of the event lines between ``start`` and ``end`` (where the last one ends), read in big blocks."""
    ids: list[str] = []
    carry = b""
    for block in _blocks(handle, start, end):
        data = carry + block
        cut = data.rfind(b"\n") + 1
        lines, carry = data[:cut], data[cut:]
        if len(carry) > MAX_LINE_BYTES:
            raise NotLineLayout
        ids += _ids_of(lines)
    ids += _ids_of(carry + b",\n")  # the last line has no comma: given one, it is checked as every line is
    if not ids:
        raise NotLineLayout
    return ids


def count_event_lines(scan: StoreScan) -> int:
    """How many events a scanned store holds, its lines counted in big blocks and none decoded.

    Every line must look like one event as record_line writes it: an object,
    with the comma before the next (NotLineLayout otherwise: blank lines, an
    event spread over several). What a line holds is not checked.
    """
    if scan.point.empty:
        return 0
    # Where one event line ends and the next begins. Searched for as these four bytes: with the
    # id's quote after them, the search skipped little (a quote is every few bytes of JSON), 4x slower.
    between = b"},\n{"
    edge = len(between) - 1
    carry = b""  # the last bytes before this block: a boundary may straddle two blocks
    newlines = boundaries = 0
    for block in _blocks(scan.handle, scan._first_event, scan.point.insert_at):
        if not carry and not block.startswith(b'{"id": "'):  # the first line
            raise NotLineLayout
        newlines += block.count(b"\n")
        # Those in the block, and those across its start (neither part alone can hold one).
        boundaries += block.count(between) + (carry + block[:edge]).count(between)
        carry = (carry + block[-edge:])[-edge:]
    if boundaries != newlines:
        raise NotLineLayout
    return newlines + 1  # the last line has no newline: it ends where new events would go


def lines_dated(scan: StoreScan, date: str) -> list[bytes] | None:
    """The event lines of a scanned store that give ``date`` as their date, found as text; None on doubt.

    A line holds ``"date": "<date>"`` as record_line writes it exactly when its
    event has that date, since a quote inside a JSON string is always escaped;
    a \\u escape anywhere could spell a date or a key another way, and gives
    None (the caller then decodes the store whole). A line written by hand with
    other spacing is not found. Read in big blocks, searched without copying.
    """
    if scan.point.empty:
        return []
    needle = b'"date": ' + json.dumps(date).encode("ascii")
    found: list[bytes] = []
    handle, left = scan.handle, scan.point.insert_at - scan._first_event
    handle.seek(scan._first_event)
    while left:
        data = handle.read(min(left, 8 * _CHUNK))
        if not data:
            raise NotLineLayout
        # Whole lines only: the next block starts where the last line here began.
        cut = len(data) if len(data) == left else data.rfind(b"\n") + 1
        if cut == 0:
            raise NotLineLayout  # a "line" longer than a block: not a record
        handle.seek(cut - len(data), io.SEEK_CUR)
        left -= cut
        if data.find(b"\\", 0, cut) != -1 and data.find(b"\\u", 0, cut) != -1:  # one byte first: far faster
            return None
        at = data.find(needle, 0, cut)
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at, cut)
            line = data[start : cut if end == -1 else end]
            found.append(line[:-1] if line.endswith(b",") else line)
            at = data.find(needle, start + len(line), cut)
    return found


def _ids_of(lines: bytes) -> list[str]:
    """The ids of a block of whole event lines, each ending with a comma and a newline."""
    found = re.findall(_EVENT_IDS, lines)
    count = lines.count(b"\n")
    if (
        len(found) == count == lines.count(b"},\n") == lines.count(b'"id"')
        and b"\\u0069" not in lines and b"\\u0064" not in lines
    ):  # fmt: skip
        return [f.decode("ascii") for f in found]
    ids = []
    for line in lines.split(b"\n")[:-1]:
        event_id = line_id(line[:-1]) if line.endswith(b"},") else None
        if event_id is None:
            raise NotLineLayout
        ids.append(event_id)
    return ids


def write_appended(
    scan: StoreScan,
    out: BinaryIO,
    actors: Iterable[dict[str, Any]] = (),
    sites: Iterable[dict[str, Any]] = (),
    events: Iterable[dict[str, Any]] = (),
) -> None:
    """Write to ``out`` the scanned store with these records added at the end of their lists.

    The event lines already there are copied as they are from the file that
    was scanned, by the operating system where it can: none of them
    is held in memory. New actors or sites rewrite the short head of the file.
    ``out`` is written from its current position on, unbuffered or flushed.
    """
    actors, sites = list(actors), list(sites)
    added = ",\n".join(record_line(r) for r in events).encode("utf-8")
    start = 0
    if actors or sites:
        out.write(dump_head(scan.version, [*scan.actors, *actors], [*scan.sites, *sites]).encode("utf-8"))
        start = scan.events_at
    _copy_range(scan.handle, out, start, scan.point.insert_at - start)
    if added:
        out.write((b"\n" if scan.point.empty else b",\n") + added + _TAIL)
    else:
        out.write(_EMPTY_TAIL if scan.point.empty else _TAIL)


def _copy_range(source: BinaryIO, out: BinaryIO, offset: int, length: int) -> None:
    """Append ``length`` bytes of ``source`` from ``offset`` to ``out``: in the kernel where it can."""
    position, left = offset, length
    copy = getattr(os, "copy_file_range", None)
    try:
        out.flush()
        in_fd, out_fd = source.fileno(), out.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        copy = None  # in memory (BytesIO)
    while copy is not None and left:
        try:
            done = copy(in_fd, out_fd, min(left, 1 << 30), position)
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF):
                raise
            break  # not between these files: copy through memory, a block at a time
        if done == 0:
            raise NotLineLayout  # the file is shorter than when it was scanned
        position += done
        left -= done
    if left:
        source.seek(position)
    while left:
        block = source.read(min(left, 8 * _CHUNK))
        if not block:
            raise NotLineLayout
        out.write(block)
        left -= len(block)


# --- the whole file, in memory ----------------------------------------------------


class LineLayout(NamedTuple):
    """A store file in dump_store's layout, held in memory, with its events left undecoded."""

    data: bytes
    version: int
    actors: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    event_ids: list[str]
    scan: StoreScan

    def with_events(self, records: Iterable[dict[str, Any]]) -> bytes:
        """The file with these event records added at the end of its events list."""
        return self.with_records(events=records)

    def with_records(
        self, actors: Iterable[dict[str, Any]] = (), sites: Iterable[dict[str, Any]] = (),
        events: Iterable[dict[str, Any]] = (),
    ) -> bytes:  # fmt: skip
        """The file with these records added at the end of their lists; the event lines carried over as they are."""
        out = io.BytesIO()
        write_appended(self.scan, out, actors, sites, events)
        return out.getvalue()


def parse_layout(data: bytes) -> LineLayout | None:
    """The parts of a store file written by dump_store; None for any other layout."""
    try:
        scan = scan_store(io.BytesIO(data))
        ids = scan.event_ids
    except NotLineLayout:
        return None
    return LineLayout(data, scan.version, scan.actors, scan.sites, ids, scan)


def read_catalogue_lines(path: Path) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]] | None:
    """A store's schema version, actors and sites, read up to where its events begin.

    None when the file is not in dump_store's layout, or missing (the caller reads it whole, and says so).
    Actors and sites come before the events, so a million-event store costs no
    more here than an empty one.
    """
    records: dict[str, list[dict[str, Any]]] = {"actors": [], "sites": []}
    handle = open_store(path)
    if handle is None:
        return None
    with handle:
        reader = LineReader(handle)
        try:
            for table, _, body in reader.records(("actors", "sites")):
                records[table].append(json.loads(body))
        except (NotLineLayout, ValueError, RecursionError):
            return None
        if not reader._line().startswith(b'"events": ['):
            return None
    return reader.version, records["actors"], records["sites"]
