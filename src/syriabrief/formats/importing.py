"""One import: a file's records read, checked as a whole, sorted into adds and updates, written all or none.

``import_records`` is what ``syriabrief import`` (and the article reader's import)
calls. Each record is decoded into its model object once, and checked once
here: the write is told so (``checked``) and checks only what depends on the
store under its lock (ids, references, names). The write itself is handed in
by the caller, since formats never touches the store (docs/architecture.md).
The outcome is plain data with its own sentences; the caller prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from syriabrief.domain.model import Event
from syriabrief.domain.validate import Problem
from syriabrief.formats import (
    NameMatch,
    NearDuplicate,
    all_problems,
    decoded_entries,
    events_near_duplicates,
    read_records,
    split_decoded,
)

if TYPE_CHECKING:
    from syriabrief.domain.dataset import Dataset

__all__ = ["ImportOutcome", "WriteReport", "import_records"]

# The tables of a store, in the order an import writes and reports them.
_TABLES = ("actors", "sites", "events")


class WriteReport(Protocol):
    """What the write says it did: ids per table (store.ChangeReport)."""

    added: dict[str, list[str]]
    updated: dict[str, list[str]]
    unchanged: dict[str, list[str]]


# The write: the records to add or replace per table ("actors", "sites", "events"), already checked.
Write = Callable[[dict[str, list[Any]]], WriteReport]
# A progress bar: given the total and a label, a context whose value advances it by one.
Progress = Callable[[int, str], AbstractContextManager[Callable[[], None]]]


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do), or why it wrote nothing (``problems``)."""

    file: str  # as the user named it; "-" is standard input
    format: str | None
    store: str
    dry_run: bool
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # any, and nothing was written
    names: list[NameMatch] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    added: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in _TABLES})
    updated: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in _TABLES})
    unchanged: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in _TABLES})

    def to_json(self) -> dict[str, Any]:
        """The ``import --json`` contract (docs/json.md)."""
        return {
            "file": self.file,
            "format": self.format,
            "store": self.store,
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "names": [match.to_json() for match in self.names],
            "near_duplicates": [repeat.to_json() for repeat in self.near_duplicates],
        }

    @property
    def refusal(self) -> str:
        """Why nothing was imported, in one line (each problem is a line of its own)."""
        them = "it" if len(self.problems) == 1 else "them"
        return f"nothing imported: {_count(len(self.problems), 'problem')} in {self.source}; fix {them} and import again."

    @property
    def source(self) -> str:
        return "standard input" if self.file == "-" else self.file

    def repeat_notes(self) -> list[str]:
        return [
            f"Note: event {repeat.event} ({repeat.where}) has the date, type, actors and site of "
            f"{repeat.same_as}; both are kept — check whether they report the same thing"
            for repeat in self.near_duplicates
        ]

    def name_lines(self) -> list[str]:
        """``site  Al Shaddadi -> al-shaddadi-town (folded spelling; 0.0 km from the row's coordinates)``."""
        lines = []
        for match in sorted(self.names, key=lambda m: (m.kind, m.name.casefold())):
            why = match.how + (f" {match.via!r}" if match.via else "")
            if match.note:
                why += (": " if match.how == "new" else "; ") + match.note
            lines.append(f"{match.kind:<5} {match.name} -> {match.record} ({why})")
        return lines

    def would_lines(self) -> list[str]:
        """In a dry run, each record that would be added or updated."""
        if not self.dry_run:
            return []
        return [
            f"would {verb} {table[:-1]} {record_id}"
            for verb, ids_by_table in (("add", self.added), ("update", self.updated))
            for table, ids in ids_by_table.items()
            for record_id in ids
        ]

    def summary(self) -> str:
        def counts(by_table: dict[str, list[str]]) -> str:
            return ", ".join(_count(len(ids), table[:-1]) for table, ids in by_table.items() if ids)

        parts = []
        if counts(self.added):
            parts.append(("would add " if self.dry_run else "added ") + counts(self.added))
        if counts(self.updated):
            parts.append(("would update " if self.dry_run else "updated ") + counts(self.updated))
        unchanged = sum(len(ids) for ids in self.unchanged.values())
        if unchanged:
            parts.append(f"{unchanged:,} already present unchanged")
        if self.skipped:
            parts.append(f"{_count(len(self.skipped), 'row')} skipped")
        changes = "; ".join(parts) or "the file holds no records"
        head = "Dry run, nothing written:" if self.dry_run else "Imported"
        return f"{head} {self.source} ({self.format}) into {self.store}: {changes}."


def import_records(
    raw: bytes,
    file: str,
    fmt: str | None,
    known: Dataset,
    *,
    write: Write,
    store: str,
    dry_run: bool,
    date_order: str | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportOutcome:
    """Read ``raw`` (the file ``file``) against ``known`` (the bundled data and the user's store), check
    every record, and hand the records that are new or changed to ``write``; all or nothing.

    A file with any problem writes nothing: the outcome lists the problems.
    Records that ``known`` holds as they are stay out of the write; a record new to
    the user's store that replaces a bundled one is reported as an update.
    """
    parsed = read_records(raw, fmt, known, date_order)
    outcome = ImportOutcome(file, parsed.format, store, dry_run, notes=list(parsed.notes),
                            names=parsed.names, skipped=parsed.skipped)  # fmt: skip
    if progress is None:
        outcome.problems = all_problems(parsed, known, today=today)
    else:
        with progress(parsed.records, f"Checking {parsed.records:,} records") as advance:
            outcome.problems = all_problems(parsed, known, progress=advance, today=today)
    if outcome.problems:
        return outcome
    decoded = decoded_entries(parsed)
    split = split_decoded(decoded, known)
    outcome.near_duplicates = events_near_duplicates(
        [(entry.where, record) for entry, record in decoded if isinstance(record, Event)], known
    )
    # The records as read are done with: let them go before the write, which encodes the model objects.
    del decoded
    parsed.entries.clear()
    report = write(split.writes)
    for table in _TABLES:
        # A record new to the user's store that replaces a bundled one is an update.
        replacing = split.replacing[table]
        outcome.added[table] = [i for i in report.added[table] if i not in replacing]
        outcome.updated[table] = [*report.updated[table], *(i for i in report.added[table] if i in replacing)]
        outcome.unchanged[table] = [*report.unchanged[table], *split.unchanged[table]]
    return outcome


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else ("es" if word.endswith("s") else "s"))
