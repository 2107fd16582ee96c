"""Names as people type them: the one matcher for actor and site names.

A typed name is compared with every id, name and alias of one kind of record
at three levels, the first that finds anything deciding:

1. **exact** — the same text, ignoring case and runs of spaces;
2. **folded** (``fold``) — also ignoring diacritics, punctuation (hyphens,
   apostrophes, dots), and the Arabic article and English "the" before a word:
   "Al Tanf", "at-Tanf" and "Tanf" are one name;
3. **transliteration key** (``name_key``) — also ignoring the spelling habits
   of Arabic and Kurdish names in Latin letters: vowels after a word's first
   letter (Rmelan, Rumeilan, Rimelan), doubled letters (Hassakeh), kh/h, q/k,
   c/k, dh/d, th/t, ph/f, ch/sh, a final -h after a vowel (Raqqah), and an
   article glued to the next word (Deir Ezzor). Loose, so it is used only for
   names of four letters or more that also look like the name they match.

A site also answers to each of its names without the kind word at its end
("Qamishli" for "Qamishli airport", "Hasakah" for "Hasakah province").

When a name matches several records it is not settled by picking one. A
record and a site that contains it (``Site.parent``) are one answer: the
containing one, which includes the other ("Qamishli" is the city, airport
included). Anything else is ambiguous (``AmbiguousNameError``), and so is a
name whose key several unrelated records share in the data, even where one of
them lists that very spelling: "Shaddadi", "Shadadi" and "Ash-Shaddadah" ask
whether the town or the base is meant. A record's own name or id always
resolves to it.

Unknown names get suggestions (``NotFoundError``), but never a different
place that only shares the kind word: "Roj camp" is not offered "Hol camp".

The index is built on the first lookup, not when a dataset is made: most
commands resolve a name or two, some none. Standard library only.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import Protocol

from syriabrief.domain.model import site_class
from syriabrief.errors import AmbiguousNameError, NotFoundError

__all__ = ["NameIndex", "fold", "name_clashes", "name_key", "without_kind"]

# Articles dropped before another word: Arabic al-/el- and the sun-letter forms
# (ad-, ash-, as-, at-, az-, ar-, an- and their e- spellings), and English "the".
ARTICLES = frozenset(
    "al el il ul ad ed adh ash esh as es at et ath az ez ar er an en the".split()
)
# Kind words at the end of a site's name that people leave out ("Qasrak" for
# "Qasrak base"), longest first. "village" and "region" are left out on purpose:
# "Green Village" is not "Green", "Kurdistan Region" is not "Kurdistan".
# Each with the site kinds it may name: "Raqqa city" is the city, not the province.
_BASES = frozenset({"base", "air_base", "garrison", "naval_base", "airport"})
_AIR = frozenset({"air_base", "airport"})
KIND_WORDS: dict[str, frozenset[str]] = {
    "international airport": _AIR, "landing zone": _AIR, "naval facility": frozenset({"naval_base"}),
    "naval base": frozenset({"naval_base"}), "air base": _AIR, "oil field": frozenset({"oil_field"}),
    "gas field": frozenset({"oil_field"}), "gas plant": frozenset({"oil_field"}),
    "border crossing": frozenset({"border_crossing"}), "airbase": _AIR, "airport": _AIR, "airfield": _AIR,
    "airstrip": _AIR, "oilfield": frozenset({"oil_field"}), "base": _BASES, "garrison": _BASES,
    "camp": frozenset({"camp"}), "prison": frozenset({"prison"}), "jail": frozenset({"prison"}),
    "town": frozenset({"town", "city"}), "city": frozenset({"city", "town"}),
    "governorate": frozenset({"region"}), "province": frozenset({"region"}), "dam": frozenset({"dam"}),
    "field": frozenset({"oil_field"}), "crossing": frozenset({"border_crossing"}),
    "port": frozenset({"naval_base"}),
}  # fmt: skip
# The key is loose: a typed name must have this many letters to be matched by it,
MIN_KEY_LETTERS = 4
# and look this much like the spelling it matches (difflib ratio of folded forms).
MIN_KEY_LIKENESS = 0.5
# Suggestions: how alike a known spelling must be (the mean of the difflib ratios of
# the folded forms and of the keys), and the least ratio of folded forms worth scoring,
SUGGEST_CUTOFF = 0.6
SUGGEST_FLOOR = 0.5
# A bonus for a spelling that starts with the same letter.
SUGGEST_SAME_START = 0.05
# and how alike the names must be once kind words are set aside ("Roj" vs "Hol").
SUGGEST_BARE_CUTOFF = 0.6
SUGGESTIONS = 3
# A name typed in capitals and this short is taken for an acronym when suggesting (``suggest``).
ACRONYM_LETTERS = 3
# A suggestion this far behind the closest one is left out ("SFD": "SDF", not "SAA" too).
SUGGEST_BEHIND_BEST = 0.1

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼʻʿʾ.")
# Letters that stand for two in English spelling (Turkish and Kurdish: Qamişlo, Haseke).
_DIGRAPH_LETTERS = str.maketrans({"ş": "sh", "Ş": "Sh", "ç": "ch", "Ç": "Ch", "ı": "i"})
# Patterns are compiled when first used (the re module keeps them): a query that names an
# actor or site already in the index's name table needs none of them.
_WORD = r"[^\W_]+"
# ASCII punctuation: apostrophes and dots vanish ("U.S." is "us"), the rest separates words.
_ASCII_FOLD = str.maketrans(
    {c: ("" if c in "'`." else " ") for c in map(chr, range(128)) if not c.isalnum() and not c.isspace()}
)
# A kind word may be plural ("the al-Omar oil fields").
_KIND_SUFFIX = r"^(.*?\S)\s+(" + "|".join(re.escape(w) for w in KIND_WORDS) + r")s?$"
# An article glued to a later word: "Deir Ezzor", "Deir Azzour" (-> zor), "Kharab Aljir" (-> jir).
_GLUED_ARTICLE = r"^(?:[ae](?=zz)|al(?=[^aeiou]\w\w))"
# Letter pairs written either way, replaced in order in each folded word.
_PAIRS = (("ch", "sh"), ("kh", "h"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ph", "f"), ("ck", "k"),
          ("q", "k"), ("c", "k"), ("x", "ks"))  # fmt: skip
_FINAL_H = r"(?<=[aeiouy])h$"  # a final -h after a vowel: Raqqah, Hasakah
_NO_LATER_VOWELS = str.maketrans("", "", "aeiouyw")
_FIRST_VOWEL = {"e": "a", "i": "a", "o": "u"}  # Erbil/Arbil/Irbil, Omar/Umar


class Named(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


def fold(name: str) -> str:
    """Lower case, no diacritics or punctuation, no article before a word: "Ash-Shaddādah" -> "shaddadah"."""
    if name.isascii():  # most names: no diacritics to take off, and punctuation is a table away
        words = name.lower().translate(_ASCII_FOLD).split()
    else:
        text = unicodedata.normalize("NFKD", name.translate(_DIGRAPH_LETTERS))
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_APOSTROPHES)
        words = re.findall(_WORD, text)
    last = len(words) - 1
    return " ".join(w for i, w in enumerate(words) if i == last or w not in ARTICLES)


def name_key(name: str) -> str:
    """The transliteration key: "Deir ez-Zor", "Dayr az-Zawr", "Deir Ezzor" -> "drzr"."""
    return _folded_key(fold(name))


def _acronym_slip(typed: str, spelling: str) -> bool:
    """Whether ``spelling`` is what a short name, taken for an acronym, was meant to be: the same
    letters in another order (SFD for SDF) or with one left out (IRG for IRGC). One letter changed
    makes another force, and is never offered: FSA is not SAA.
    """
    if sorted(typed) == sorted(spelling):
        return True
    letters = iter(spelling)
    return len(spelling) == len(typed) + 1 and all(c in letters for c in typed)


def _folded_key(folded: str) -> str:
    return "".join(_word_key(word, i > 0) for i, word in enumerate(folded.split()))


@functools.lru_cache(maxsize=4096)
def _word_key(word: str, later: bool) -> str:
    # Cached: the words of names repeat ("al", "base", "camp", "Tal") across thousands of sites.
    # Each regular expression only where it can apply: most words need none of them.
    if later and word[:1] in ("a", "e"):
        word = re.sub(_GLUED_ARTICLE, "", word)
    for pair, replacement in _PAIRS:
        if pair in word:
            word = word.replace(pair, replacement)
    if word.endswith("h"):
        word = re.sub(_FINAL_H, "", word)
    word = "".join(letter for letter, _ in itertools.groupby(word))  # doubled letters: Hassakeh, Shaddadi
    if not word:
        return ""
    return _FIRST_VOWEL.get(word[0], word[0]) + word[1:].translate(_NO_LATER_VOWELS)


def without_kind(name: str) -> str | None:
    """The name without a kind word at its end ("qamishli airport" -> "qamishli"), or None."""
    split = _split_kind(name)
    return split[0] if split else None


def _split_kind(name: str) -> tuple[str, frozenset[str]] | None:
    """The name without the kind word at its end, and the site kinds that word may name."""
    match = re.match(_KIND_SUFFIX, _exact(name))
    if match is None:
        return None
    bare = fold(match[1])
    if not bare or bare in ARTICLES:
        return None
    return match[1], KIND_WORDS[match[2]]


def _exact(name: str) -> str:
    return " ".join(name.casefold().split())


def _letters(folded: str) -> int:
    """How many letters (and digits) a folded name has: all but its spaces."""
    return len(folded) - folded.count(" ")


def name_clashes(
    kind: str, records: Sequence[Named], others: Iterable[Named] = (), only: Container[str] | None = None
) -> list[tuple[int, str, str]]:
    """Each name or alias of ``records`` that another record of the kind already has: (position, field, message).

    Another record has a name when it is its id, name or alias in any case and
    punctuation (``fold``, as ``NameIndex.taken`` sees it): a typed name must
    lead to one record. A site may share a name with a site that is plainly
    another place: of another class (the town of Qasrak beside Qasrak base,
    ``site_class``) or more than ``SAME_PLACE_KM`` away; a typed name that fits
    both then asks which. ``others`` are the records beneath (another layer);
    one with the id of a record of ``records`` is replaced by it. With
    ``only``, just the names of those ids are checked (a write checks what it
    changes; a file's records are checked whole).
    """
    mine = {r.id for r in records}
    owners: dict[str, list[Named]] = {}
    for record in [*(o for o in others if o.id not in mine), *records]:
        for form in {fold(n) for n in (record.id, record.name, *record.aliases)}:
            owners.setdefault(form, []).append(record)
    clashes = []
    for position, record in enumerate(records):
        if only is not None and record.id not in only:
            continue
        for field, names in (("name", (record.name,)), ("aliases", record.aliases)):
            for name in names:
                form = fold(name)
                other = next((o for o in owners.get(form, ()) if o.id != record.id and not _other_class(kind, o, record)), None) if form else None
                if other is not None:
                    clashes.append((position, field, f"{name!r} already names the {kind} {other.name!r} (id "
                                                     f"{other.id}); events can name it as it is, or choose another "
                                                     f"name for a new {kind}"))  # fmt: skip
    return clashes


def _other_class(kind: str, one: Named, other: Named) -> bool:
    """Whether two sites of one name are plainly two places (actors never are)."""
    if kind != "site":
        return False
    if site_class(getattr(one, "kind", None)) != site_class(getattr(other, "kind", None)):
        return True
    lat1, lon1 = getattr(one, "lat", None), getattr(one, "lon", None)
    lat2, lon2 = getattr(other, "lat", None), getattr(other, "lon", None)
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return False  # nothing tells them apart: one place named twice
    # Here, not at the top: building a name index is rare (an index keeps its own), and the map's
    # geometry is 1 ms of every query's start-up otherwise.
    from syriabrief.domain.geometry import SAME_PLACE_KM, distance_km

    return distance_km(lat1, lon1, lat2, lon2) > SAME_PLACE_KM


# How many values NameIndex.state holds: a kept state of another shape is not restored.
NAME_STATE_FIELDS = 7


class NameIndex:
    """Every id, name and alias of one kind of record, at the three levels, with how records nest.

    ``parent_of`` gives a record's parent id (sites); None for records that do
    not nest (actors), whose kind words are not dropped either.
    """

    def __init__(
        self,
        records: Mapping[str, Named],
        kind: str,
        parent_of: Callable[[str], str | None] | None = None,
        kind_of: Callable[[str], str | None] | None = None,
    ):
        self.records = records
        self.kind = kind
        self._parent_of = parent_of
        self._kind_of = kind_of
        self._built = False
        self._kept: Callable[[], tuple | None] | None = None  # restore_from

    # --- building ------------------------------------------------------------------

    def _build(self) -> None:
        if self._built:
            return
        kept = self._kept() if self._kept is not None else None
        if kept is not None:
            self.restore(kept)
            return
        self.exact: dict[str, set[str]] = {}
        self.folded: dict[str, set[str]] = {}
        self.keyed: dict[str, dict[str, set[str]]] = {}  # key -> record id -> folded forms
        self.own_names: dict[str, set[str]] = {}  # exact form of a name or id -> record ids
        self.taken_forms: dict[str, set[str]] = {}  # folded explicit spellings (no kind word dropped)
        self.spellings: dict[str, tuple[str, str]] = {}  # folded -> (spelling as written, record id)
        nests = self._parent_of is not None
        for rid, record in self.records.items():
            # An id is matched as typed (and first of all, in ``candidates``); its
            # words are the name's, so folding it would only cost time.
            self.own_names.setdefault(rid, set()).add(rid)
            self.exact.setdefault(rid, set()).add(rid)
            self.taken_forms.setdefault(fold(rid), set()).add(rid)
            seen: set[str] = set()
            for name in (record.name, *record.aliases):
                exact = _exact(name)
                if exact in seen:
                    continue
                seen.add(exact)
                folded = fold(name)
                self.taken_forms.setdefault(folded, set()).add(rid)
                self.spellings.setdefault(folded, (name, rid))
                self._add(rid, exact, folded)
                bare = re.match(_KIND_SUFFIX, exact) if nests else None
                if bare and bare[1] not in seen:
                    seen.add(bare[1])
                    bare_folded = fold(bare[1])
                    if bare_folded and bare_folded not in ARTICLES:
                        self._add(rid, bare[1], bare_folded)
            self.own_names.setdefault(_exact(record.name), set()).add(rid)
        # Keys that records unrelated by nesting share: names that mean more than one place.
        self.shared = {k for k, owners in self.keyed.items() if k and len(self.outermost(owners)) > 1}
        self._built = True

    def state(self) -> tuple:
        """What the first lookup works out, in plain values (dicts, sets, tuples) to be kept
        and handed to ``restore``: an index file keeps it rather than every query working it out
        again (4 ms for the actors of a store, 12 ms for its sites)."""
        self._build()
        return (self.exact, self.folded, self.keyed, self.own_names, self.taken_forms, self.spellings, self.shared)

    def restore_from(self, kept: Callable[[], tuple | None]) -> None:
        """Where the ``state`` of an index of these very records can be had: the first lookup
        restores it from there (None: worked out after all) instead of building it."""
        self._kept = kept

    def restore(self, state: tuple) -> None:
        """Take the ``state`` of an index of these very records instead of building it."""
        (self.exact, self.folded, self.keyed, self.own_names, self.taken_forms, self.spellings, self.shared) = state
        self._built = True

    def _add(self, rid: str, exact: str, folded: str) -> None:
        self.exact.setdefault(exact, set()).add(rid)
        self.folded.setdefault(folded, set()).add(rid)
        # A short name (IAF, IOF, SAA) is never looked up by its key, so it does not get
        # one: its key would only make it seem to share a name (IAF and IOF are both "af").
        if _letters(folded) >= MIN_KEY_LETTERS:
            self.keyed.setdefault(_folded_key(folded), {}).setdefault(rid, set()).add(folded)

    # --- nesting -------------------------------------------------------------------

    def ancestors(self, rid: str) -> list[str]:
        """The records that contain ``rid``, nearest first (a cycle is cut where it closes)."""
        found: list[str] = []
        if self._parent_of is None:
            return found
        parent = self._parent_of(rid)
        while parent and parent not in found and parent != rid:
            found.append(parent)
            parent = self._parent_of(parent)
        return found

    def outermost(self, ids: Iterable[str]) -> set[str]:
        """The ids that no other of them contains: one answer for a place and what lies in it."""
        ids = set(ids)
        return {rid for rid in ids if ids.isdisjoint(self.ancestors(rid))}

    # --- looking up ----------------------------------------------------------------

    def candidates(self, name: str) -> set[str]:
        """The records ``name`` may mean, before nesting settles anything (empty: none)."""
        self._build()
        text = name.strip()
        if text in self.records:
            return {text}
        return self._lookup(text)

    def _lookup(self, text: str) -> set[str]:
        exact, folded = _exact(text), fold(text)
        key = name_key(text)
        keyed = self._keyed(folded, key)
        if key in self.shared and keyed and not self.own_names.get(exact):
            return keyed
        found = self.exact.get(exact) or self.folded.get(folded) or keyed
        if found:
            # A place that holds the match under another spelling of the name is the
            # answer too ("Raqqah" is the city's alias, "Raqqa" the province's).
            return found | {a for a in keyed if any(a in self.ancestors(rid) for rid in found)}
        if self._kind_of is None:
            return set()
        # "Raqqa city", "Hmeimim airport": the name without its kind word, if that names such a place.
        split = _split_kind(text)
        if split is None:
            return set()
        bare, kinds = split
        return {rid for rid in self._lookup(bare) if self._kind_of(rid) in kinds}

    def _keyed(self, folded: str, key: str) -> set[str]:
        if _letters(folded) < MIN_KEY_LETTERS or key not in self.keyed:
            return set()
        return {
            rid
            for rid, forms in self.keyed[key].items()
            if max(difflib.SequenceMatcher(None, folded, form).ratio() for form in forms) >= MIN_KEY_LIKENESS
        }

    def how(self, name: str, rid: str) -> str:
        """How ``name`` reaches record ``rid``, for a report: the first level at which it matches."""
        self._build()
        if name.strip() == rid:
            return "id"
        if rid in self.exact.get(_exact(name), ()):
            return "exact alias"
        if rid in self.folded.get(fold(name), ()):
            return "folded spelling"
        if rid in self._keyed(fold(name), name_key(name)):
            return "transliteration"
        return "other spelling"  # a kind word dropped, or a place holding the match

    def resolve(self, name: str) -> str:
        """The id of the one record ``name`` means; NotFoundError or AmbiguousNameError otherwise."""
        found = self.candidates(name)
        if not found:
            raise NotFoundError(self.kind, name, *self.suggest(name))
        settled = self._settle(name, found)
        if isinstance(settled, str):
            return settled
        ordered = sorted(settled, key=lambda rid: (self.records[rid].name.casefold(), rid))
        raise AmbiguousNameError(self.kind, name, self._choices(ordered), ordered)

    def find(self, name: str) -> str | None:
        """``resolve`` without the errors: None for an unknown or ambiguous name.

        For callers that try several spellings in turn (an importer): no
        suggestions are looked for, which costs far more than the lookup.
        """
        found = self.candidates(name)
        settled = self._settle(name, found) if found else None
        return settled if isinstance(settled, str) else None

    def _settle(self, name: str, found: set[str]) -> str | set[str]:
        """The one record of ``found`` the name means, or the records it cannot choose between."""
        outer = self.outermost(found)
        if len(outer) == 1:
            return outer.pop()
        own = self.own_names.get(_exact(name.strip()), set()) & outer
        return own.pop() if len(own) == 1 else outer

    def lookup(self, name: str) -> str | None:
        """The id of the one record ``name`` spells (exact or folded, as ``resolve``), or None.

        Not loose: for callers that try many spellings (every run of words in an
        article), where the transliteration key would find names in ordinary words.
        """
        self._build()
        text = name.strip()
        if text in self.records:
            return text
        found = self.exact.get(_exact(text)) or self.folded.get(fold(text))
        if not found:
            return None
        outer = self.outermost(found)
        if len(outer) != 1:
            outer = self.own_names.get(_exact(text), set()) & outer
        return next(iter(outer)) if len(outer) == 1 else None

    def taken(self, name: str) -> set[str]:
        """The records that list ``name`` (in any case and punctuation) among their names: not loose."""
        self._build()
        return set(self.taken_forms.get(fold(name), ()))

    def _choices(self, ids: list[str]) -> list[tuple[str, str | None]]:
        """(name, kind) of each record; the id stands in for a name two of them share."""
        records = [self.records[rid] for rid in ids]
        names = [r.name.casefold() for r in records]
        return [
            (r.name if names.count(r.name.casefold()) == 1 else r.id, self._label(r.id))
            for r in records
        ]

    def _label(self, rid: str) -> str | None:
        kind = self._kind_of(rid) if self._kind_of else None
        return kind.replace("_", " ") if kind else None

    # --- suggestions ---------------------------------------------------------------

    def suggest(self, name: str) -> tuple[list[str], dict[str, str]]:
        """Up to three known spellings close to ``name``, and what each means where it is an alias.

        A spelling is offered only if the names are alike once kind words are
        set aside, so a different camp is never offered for a camp.
        """
        self._build()
        folded = fold(name)
        if not folded:
            return [], {}
        # Score: how alike the spellings are and how alike their keys, on average, so
        # that letters in common ('Rusland', 'al-Julani') count for less than sounds.
        key = _folded_key(folded)
        # Typed in capitals and short, a name is an acronym (FSA): "Hul" or "قصد" are words, and suggested as such.
        typed = name.strip()
        short = len(folded) <= ACRONYM_LETTERS and typed.isascii() and typed.isupper()
        scored = []
        for spelling in self.spellings:
            if short and not _acronym_slip(folded, spelling):
                continue
            matcher = difflib.SequenceMatcher(None, folded, spelling)
            if matcher.real_quick_ratio() < SUGGEST_FLOOR or matcher.quick_ratio() < SUGGEST_FLOOR:
                continue
            ratio = matcher.ratio()
            if ratio < SUGGEST_FLOOR:
                continue
            score = (ratio + difflib.SequenceMatcher(None, key, _folded_key(spelling)).ratio()) / 2
            if spelling[0] == folded[0]:  # people seldom get the first letter wrong: SFD is SDF, not QSD
                score += SUGGEST_SAME_START
            if score >= SUGGEST_CUTOFF:
                scored.append((score, spelling))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        bare = self._bare(folded)
        chosen: dict[str, str] = {}  # record id -> spelling
        for ratio, spelling in scored:
            written, rid = self.spellings[spelling]
            # Far behind the best is another name, not another spelling of this one.
            if ratio < scored[0][0] - SUGGEST_BEHIND_BEST:
                break
            if rid in chosen or not self._alike(bare, self._bare(spelling)):
                continue
            chosen[rid] = written
            if len(chosen) == SUGGESTIONS:
                break
        meanings = {
            written: self.records[rid].name for rid, written in chosen.items() if fold(written) != fold(self.records[rid].name)
        }
        return list(chosen.values()), meanings

    def _bare(self, folded: str) -> str:
        return (without_kind(folded) if self._parent_of else None) or folded

    @staticmethod
    def _alike(a: str, b: str) -> bool:
        if difflib.SequenceMatcher(None, a, b).ratio() >= SUGGEST_BARE_CUTOFF:
            return True
        ka, kb = name_key(a), name_key(b)
        return bool(ka) and difflib.SequenceMatcher(None, ka, kb).ratio() >= 0.75
