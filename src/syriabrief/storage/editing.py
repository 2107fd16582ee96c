"""Adding one record at a time: the event, actor or site a user types on the command line.

Everything here writes through ``store.update_store``, so an id is chosen while
the store is locked: two people adding "the same" report at once get two ids,
never one event silently replacing the other. Names given by the user are
resolved by the caller (Dataset.actor / Dataset.site); this module turns typed
values (dates, quantities) into stored forms and picks ids.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Container, Sequence
from pathlib import Path
from typing import Any

from syriabrief.domain.model import Actor, Event, Quantity, Site
from syriabrief.domain.validate import check_records
from syriabrief.errors import StoreError, UsageError
from syriabrief.storage.paths import same_file
from syriabrief.storage.store import Changes, StoreIds, load_catalogue, read_store, update_store

__all__ = ["add_record", "parse_quantity", "slugify", "unique_id"]

# Words that add length but no meaning to an id made from a summary.
_FILLER = frozenset(
    "a an the of to from and in on at by for with its their his her was were is are has had".split()
)
# An id made from a summary keeps at most this many words and characters.
ID_WORDS = 7
ID_CHARACTERS = 80
_MODELS: dict[str, type[Event] | type[Actor] | type[Site]] = {"event": Event, "actor": Actor, "site": Site}
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_RANGE = re.compile(rf"({_NUMBER})\s*-\s*({_NUMBER})")


def slugify(text: str, max_words: int = ID_WORDS) -> str:
    """Lowercase ASCII words joined by dashes, without filler words: "The US left Tanf" -> "us-left-tanf"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    kept = [w for w in words if w not in _FILLER] or words
    slug = "-".join(kept[:max_words])
    return slug[:ID_CHARACTERS].strip("-")


def unique_id(wanted: str, taken: Container[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever no record has yet."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def parse_quantity(text: str) -> tuple[str, Quantity]:
    """``troops=200`` or ``escaped=120-1500`` as a named figure; UsageError otherwise."""
    name, sep, value = text.partition("=")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value:
        raise UsageError(
            f"cannot read the quantity {text!r}; write NAME=NUMBER or NAME=LOW-HIGH, e.g. troops=200"
        )
    span = _RANGE.fullmatch(value)
    if span:
        low, high = _number(span[1]), _number(span[2])
        if low > high:
            raise UsageError(f"in the quantity {text!r} the low figure is above the high one")
        return name, {"low": low, "high": high}
    if not re.fullmatch(_NUMBER, value.replace(",", "")):
        raise UsageError(f"cannot read the figure in {text!r}; write a number (200) or a range (120-1500)")
    return name, _number(value.replace(",", ""))


def _number(text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):  # pragma: no cover - the pattern admits only plain digits
        raise UsageError(f"{text!r} is not a finite number")
    return int(value) if value.is_integer() and "." not in text else value


def add_record(
    path: Path,
    kind: str,
    record: dict[str, Any],
    *,
    wanted_id: str | None,
    id_hint: str,
    beneath: Sequence[Path],
    dry_run: bool = False,
) -> Event | Actor | Site:
    """Add one new ``kind`` record (its JSON form, without an id) to the store at ``path``.

    With ``wanted_id`` that id is used, and refused if any record of the kind in
    the store or beneath it has it. Without, the id is ``id_hint`` made unique
    there. The record is checked first, alone (UsageError listing its problems),
    then with the whole store (store.InvalidChangesError).
    """
    problems = check_records(kind, [{**record, "id": wanted_id or "placeholder"}])
    if problems:
        details = "; ".join(f"{p.field}: {p.message}" if p.field else p.message for p in problems)
        raise UsageError(f"cannot add this {kind}: {details}")
    table = f"{kind}s"
    below: set[str] = set()
    if kind == "event":
        # Event ids beneath: the whole layers must be read, but only when one is asked for.
        for layer in beneath:
            if layer.exists() and not same_file(layer, path):
                below |= {e.id for e in read_store(layer).events}
    else:
        layers = [layer for layer in beneath if layer.exists() and not same_file(layer, path)]
        below = set(getattr(load_catalogue(layers), table))
    made: list[Any] = []

    def plan(current: StoreIds) -> Changes:
        mine = getattr(current, table)  # asked, not copied: a big store's event ids are looked up, not all read
        if wanted_id is not None:
            if wanted_id in mine or wanted_id in below:
                where = "your store" if wanted_id in mine else "the bundled dataset"
                article = "an" if kind[0] in "aeiou" else "a"
                raise StoreError(
                    f"{wanted_id!r} is already the id of {article} {kind} in {where}; choose another --id"
                )
            record_id = wanted_id
        else:
            record_id = unique_id(id_hint or kind, _Either(mine, below))
        made.append(_MODELS[kind].from_json({**record, "id": record_id}))
        added: dict[str, Any] = {table: [made[-1]]}
        return Changes(**added)

    update_store(path, plan, dry_run, beneath=beneath)
    return made[-1]


class _Either:
    """Ids taken in either of two collections, asked one id at a time."""

    def __init__(self, first: Container[str], second: Container[str]):
        self._first, self._second = first, second

    def __contains__(self, value: object) -> bool:
        return value in self._second or value in self._first
