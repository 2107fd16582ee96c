"""Reading a news report into draft events: rules over the project's own names, dates and event types.

``read_text`` splits an article into sentences and, for each sentence that says
something happened, proposes a ``Draft``: the event type from the verb (the
vocabulary of ``model.EVENT_TYPES``), the actors and sites the sentence names
(resolved through the dataset's own lookup, so aliases and spelling folding are
the commands'), the date resolved against publication (``timephrases``), the
figures and what they count, and the outlet the fact is attributed to. Every
draft keeps the sentences it came from and a confidence; names that look like
places or parties but resolve to nothing are offered, never created.

Why rules and not a statistical parser: the words that matter here are few and
domain-specific (who withdrew from which base, per which outlet), the gazetteer
already knows every actor and site by every spelling, and a rule's output can be
explained sentence by sentence. A general NLP model would still need these rules
on top, cost tens of MB and seconds of start-up, and cannot show its work.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from syriabrief.domain.dataset import Catalogue
from syriabrief.domain.model import Actor, Site
from syriabrief.domain.timephrases import When, dateline_end, find_when

__all__ = [
    "KNOWN_OUTLETS",
    "Draft",
    "Figure",
    "Reading",
    "Unresolved",
    "find_figures",
    "find_outlets",
    "read_text",
    "split_sentences",
]

# --- sentences ---------------------------------------------------------------------

# A period after one of these does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col maj capt sgt adm sen rep gov pres prof st no vs etc jan feb mar apr jun jul "
    "aug sep sept oct nov dec approx est fig e.g i.e a.m p.m".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
# A paragraph this short without closing punctuation is a heading, not a sentence.
HEADING_WORDS = 25
# Sentences longer than this are cut: no wire sentence runs to it, and the rules are quadratic in words.
MAX_SENTENCE_CHARACTERS = 1_500


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    number: int  # 1-based, in reading order
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """The article's sentences in order, headings and questions left out."""
    sentences: list[Sentence] = []
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    for number, paragraph in enumerate(paragraphs, 1):
        paragraph = " ".join(paragraph.split())
        if not re.search(r"[.!\"”’]$", paragraph) and len(paragraph.split()) < HEADING_WORDS:
            continue  # a heading, a byline, a date line
        start = 0
        pieces = []
        for match in _SENTENCE_END.finditer(paragraph):
            before = paragraph[start : match.start()].rstrip("\"”’')]")
            last_word = re.search(r"([A-Za-z.]+)\.$", before)
            if last_word and (
                last_word[1].lower().rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", last_word[1])
            ):
                continue
            pieces.append(paragraph[start : match.start()].strip())
            start = match.end()
        pieces.append(paragraph[start:].strip())
        for piece in pieces:
            if piece and not piece.endswith("?") and re.search(r"[A-Za-z]", piece):
                sentences.append(Sentence(piece[:MAX_SENTENCE_CHARACTERS], len(sentences) + 1, number))
    return sentences


# --- words and names ------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f0-9]+(?:[.'’\-][A-Za-z\u00c0-\u024f0-9]+)*\.?")
# The longest name tried, in words ("Combined Joint Task Force Operation Inherent Resolve" is 7).
MAX_NAME_WORDS = 7
_PLACE_WORDS = frozenset(
    "in at from to toward towards into near inside outside around across within out of on through via".split()
)
# Words that turn a country's adjective into its forces or government: "Russian troops".
_FORCE_NOUNS = frozenset(
    "troops forces soldiers military army units personnel convoy convoys aircraft jets warplanes "
    "drones helicopters navy marines officials official government authorities".split()
)
DEMONYMS = {
    "american": "United States", "u.s.": "United States", "us": "United States", "russian": "Russia",
    "turkish": "Turkey", "iraqi": "Iraq", "iranian": "Iran", "syrian": "Syria", "israeli": "Israel",
    "jordanian": "Jordan", "french": "France", "british": "United Kingdom", "kurdish": "Kurdistan",
}  # fmt: skip
# "the base" means the base last named; each word with the kinds of site it can stand for.
_SITE_NOUNS = {
    "base": ("air_base", "base", "garrison", "naval_base", "airport"),
    "airbase": ("air_base", "airport"),
    "air base": ("air_base", "airport"),
    "airport": ("airport", "air_base"),
    "garrison": ("garrison", "base"),
    "facility": ("air_base", "base", "garrison", "naval_base", "airport", "prison", "camp"),
    "prison": ("prison",),
    "camp": ("camp",),
    "town": ("town",),
    "city": ("city",),
    "province": ("region",),
    "governorate": ("region",),
}
# How specific a site is: a base is more precise than its town, a town than its province.
_SITE_RANK = {
    "air_base": 0, "base": 0, "garrison": 0, "airport": 0, "naval_base": 0, "camp": 0, "prison": 0,
    "oil_field": 0, "dam": 0, "border_crossing": 0, "town": 1, "city": 2, "region": 3, "country": 4,
}  # fmt: skip
_PRONOUNS = frozenset("they it he she we".split())
# Capitalised words that start many sentences or titles but name nobody.
_NOT_NAMES = frozenset(
    """the a an this that these those in on at of for from to and but or as after before during while
    when where which who what how why however meanwhile also although though since until despite
    president prime minister general minister spokesman official officials sources source reports report
    earlier later last next today yesterday according some several many most all both each other such
    syrian russian american iraqi iranian turkish kurdish u.s us islamic state government army military
    forces troops security senior informed intensified living sealed one two three it its they their he
    his she her we our his constructed maintaining redeploying recovering additionally once voices
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday clashes dozens hundreds thousands fighting
    about around nearly almost roughly approximately over more fewer up""".split()
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    actor: Actor | None
    site: Site | None
    token: int  # index of its first word


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A name in a draft's sentence that is neither a known actor nor a known site."""

    name: str
    kind: str  # "actor" | "site": what the sentence uses it as
    sentence: int

    def to_json(self) -> dict:
        return {"name": self.name, "as": self.kind, "sentence": self.sentence}


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _lookup_text(text: str) -> str:
    return re.sub(r"['’]s?$", "", text.rstrip("."))


def find_mentions(text: str, names: Catalogue, skip: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """Every known actor or site the text names, longest name first, left to right."""
    tokens = _tokens(text)
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        if any(a <= tokens[i].start() < b for a, b in skip):
            i += 1
            continue
        found = None
        for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            first, last = tokens[i], tokens[i + n - 1]
            span = _lookup_text(text[first.start() : last.end()])
            if n == 1 and len(span) <= 4 and not span[:1].isupper():
                continue  # "us", "is", "oir": words, not names
            if n == 1 and span.lower() in ("the", "a"):
                continue
            actor, site = names.find_actor(span), names.find_site(span)
            if actor is None and site is None and n <= 3:
                actor = _demonym_force(tokens, i, n, text, names)
            if actor is None and site is None and n == 1:
                agent = _HYPHENATED_AGENT.fullmatch(span)  # "US-facilitated transfers", "Turkish-backed factions"
                actor = names.find_actor(agent[1]) if agent else None
            if actor or site:
                found = Mention(first.start(), last.end(), span, actor, site, i)
                i += n
                break
        if found:
            mentions.append(found)
        else:
            i += 1
    return mentions


_HYPHENATED_AGENT = re.compile(r"(.+?)-(?:led|backed|facilitated|brokered|supported|mediated|sponsored|run)", re.IGNORECASE)


def _demonym_force(tokens: list[re.Match[str]], i: int, n: int, text: str, names: Catalogue) -> Actor | None:
    """ "Russian troops", "Turkish military officials": the country's actor, when the words say forces."""
    if n != 2:
        return None
    country = DEMONYMS.get(tokens[i].group().lower().rstrip("."))
    if country is None and tokens[i].group() in ("U.S.", "US"):
        country = "United States"
    noun = tokens[i + 1].group().lower().rstrip(".")
    if country is None or noun not in _FORCE_NOUNS:
        return None
    if country == "Syria" and noun not in ("officials", "official", "government", "authorities"):
        return names.find_actor("Syrian army")
    return names.find_actor(country)


def _country_site(word: str, names: Catalogue) -> Site | None:
    country = DEMONYMS.get(word.lower())
    return names.find_site(country) if country else None


# --- figures ----------------------------------------------------------------------------

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "a hundred": 100, "a dozen": 12, "a thousand": 1000,
}  # fmt: skip
# Words for "many", as the ranges they are stored as.
_VAGUE = {
    "a few": (2, 5), "several": (3, 9), "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999),
    "several hundred": (300, 900), "thousands": (2000, 9999), "several thousand": (3000, 9000),
    "tens of thousands": (20000, 99999),
}  # fmt: skip
# What a figure counts, and the name it is stored under.
_COUNTED = {
    "soldier": "troops", "soldiers": "troops", "troop": "troops", "troops": "troops", "personnel": "troops",
    "servicemen": "troops", "service members": "troops", "marines": "troops",
    "fighter": "fighters", "fighters": "fighters", "militant": "militants", "militants": "militants",
    "detainee": "detainees", "detainees": "detainees", "prisoner": "detainees", "prisoners": "detainees",
    "inmates": "detainees", "suspects": "detainees", "captives": "detainees",
    "truck": "trucks", "trucks": "trucks", "lorries": "trucks", "vehicle": "vehicles", "vehicles": "vehicles",
    "armored vehicles": "vehicles", "armoured vehicles": "vehicles", "tanks": "tanks", "convoys": "convoys",
    "aircraft": "aircraft", "planes": "aircraft", "jets": "aircraft", "warplanes": "aircraft",
    "helicopters": "helicopters", "drones": "drones", "civilian": "civilians", "civilians": "civilians",
    "people": "people", "attack": "attacks", "attacks": "attacks", "escapes": "escaped", "bases": "bases",
    "positions": "positions", "days": "days", "weeks": "weeks", "months": "months", "members": "members",
    "countries": "countries",
}  # fmt: skip
_NUMBER_WORDS = "|".join(sorted((re.escape(w) for w in [*_WORD_NUMBERS, *_VAGUE]), key=len, reverse=True))
_FIGURE = re.compile(
    r"\b(?:(?P<between>between) )?(?P<qualifier>about|approximately|around|nearly|almost|some|roughly|more than|over|"
    r"at least|up to|fewer than|less than|an estimated|as many as|estimated|just over|just under)?\s*"
    rf"(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?(?: (?:million|thousand))?|{_NUMBER_WORDS})"
    r"(?:(?: and| to|-|–) ?(?P<high>[0-9][0-9,]*))?"
    r"(?: of)? (?P<adjectives>(?:[A-Za-z.\-]+ ){0,3}?)"
    r"(?P<noun>" + "|".join(sorted((re.escape(w) for w in _COUNTED), key=len, reverse=True)) + r")\b"
    r"(?! ago)",
    re.IGNORECASE,
)
_REMAINING = re.compile(r"\b(?:remain(?:ed|s|ing)?|stay(?:ed|s|ing)?|left behind|still)\b", re.IGNORECASE)
_KILLED_BEFORE = re.compile(r"\b(?:deaths? of|killing|killed|kill)\s*$", re.IGNORECASE)
_KILLED_AFTER = re.compile(r"^\s*(?:were |was )?(?:killed|dead|died)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: int | float | dict
    phrase: str


def find_figures(sentence: str) -> list[Figure]:
    """The counts a sentence gives: "about 200 soldiers" -> troops 200; "dozens of trucks" -> a range."""
    figures: list[Figure] = []
    for m in _FIGURE.finditer(sentence):
        value = _figure_value(m)
        if value is None:
            continue
        before = sentence[max(0, m.start() - 40) : m.start()]
        if m["noun"].lower() in ("days", "weeks", "months") and not re.search(r"\b(?:for|by|extended)\s*$", before, re.IGNORECASE):
            continue  # "over the past three days" is a date; "extended by 15 days" a figure
        name = _COUNTED[m["noun"].lower()]
        after = sentence[m.end() : m.end() + 60]
        if _KILLED_BEFORE.search(before) or _KILLED_AFTER.search(after):
            name += "_killed"
        elif _REMAINING.search(after[:40]):
            name += "_remaining"
        figures.append(Figure(name, value, m.group(0).strip()))
    return figures


def _figure_value(m: re.Match[str]) -> int | float | dict | None:
    text = m["number"].lower()
    if text in _VAGUE:
        low, high = _VAGUE[text]
        return {"low": low, "high": high}
    if text in _WORD_NUMBERS:
        value: float = _WORD_NUMBERS[text]
    else:
        digits, _, scale = text.partition(" ")
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            return None
        value *= {"million": 1_000_000, "thousand": 1_000}.get(scale, 1)
        if re.fullmatch(r"(?:19|20)[0-9]{2}", digits) and m["noun"].lower() in ("days", "weeks", "months"):
            return None
    number: int | float = int(value) if float(value).is_integer() else value
    if m["high"]:
        top = float(m["high"].replace(",", ""))
        high_value = int(top) if top.is_integer() else top
        if high_value > number:
            return {"low": number, "high": high_value}
    return number


# --- outlets ------------------------------------------------------------------------------

# Outlets and agencies as they are named in copy, with the name they are stored under.
KNOWN_OUTLETS = {
    "Associated Press": "Associated Press", "the AP": "Associated Press", "AP": "Associated Press",
    "Reuters": "Reuters", "Agence France-Presse": "AFP", "AFP": "AFP", "Agence France Presse": "AFP",
    "Wall Street Journal": "The Wall Street Journal", "WSJ": "The Wall Street Journal",
    "New York Times": "The New York Times", "Washington Post": "The Washington Post",
    "Al Jazeera": "Al Jazeera", "Al-Jazeera": "Al Jazeera", "Al Arabiya": "Al Arabiya", "BBC": "BBC",
    "CNN": "CNN", "TASS": "TASS", "RIA Novosti": "RIA Novosti", "Interfax": "Interfax",
    "Anadolu": "Anadolu Agency", "Anadolu Agency": "Anadolu Agency", "SANA": "SANA",
    "Syrian Arab News Agency": "SANA", "Rudaw": "Rudaw", "Kurdistan24": "Kurdistan24",
    "Shafaq News": "Shafaq News", "North Press": "North Press", "Hawar News": "Hawar News", "ANHA": "Hawar News",
    "Enab Baladi": "Enab Baladi", "Syrian Observatory for Human Rights": "Syrian Observatory for Human Rights",
    "SOHR": "Syrian Observatory for Human Rights", "Asharq Al-Awsat": "Asharq Al-Awsat",
    "The National": "The National", "Middle East Eye": "Middle East Eye", "Daily Sabah": "Daily Sabah",
    "The Guardian": "The Guardian", "Financial Times": "Financial Times", "Bloomberg": "Bloomberg",
    "Axios": "Axios", "Politico": "Politico", "Al-Monitor": "Al-Monitor", "France 24": "France 24",
    "Deutsche Welle": "Deutsche Welle", "Xinhua": "Xinhua", "Moscow Times": "The Moscow Times",
    "The Moscow Times": "The Moscow Times", "Kommersant": "Kommersant", "Izvestia": "Izvestia",
    "Sky News": "Sky News", "Fox News": "Fox News", "CBS News": "CBS News", "NBC News": "NBC News",
    "Institute for the Study of War": "Institute for the Study of War", "ISW": "Institute for the Study of War",
}  # fmt: skip
# Names that are never outlets, whatever a store cites ("Article (publisher not named)").
_NOT_OUTLETS = frozenset(("syriabrief research notes", "syrian sources", "article (publisher not named)"))


class _Outlets:
    """The outlet names to look for: the known ones and every outlet the store already cites."""

    def __init__(self, extra: Iterable[str] = ()):
        names = dict(KNOWN_OUTLETS)
        for outlet in extra:
            if outlet and outlet.casefold() not in _NOT_OUTLETS and len(outlet) >= 3 and "(" not in outlet:
                names.setdefault(outlet, outlet)
                if outlet.startswith("The "):
                    names.setdefault(outlet[4:], outlet)
        # Longest first, so that "The Moscow Times" is found before "Moscow Times".
        self.spellings = sorted(names.items(), key=lambda item: len(item[0]), reverse=True)

    def find(self, sentence: str) -> list[tuple[str, int, int]]:
        """(outlet, start, end) for each outlet named; acronyms ("AP", "WSJ") only in capitals."""
        folded = sentence.casefold()
        found: list[tuple[str, int, int]] = []
        for spelling, outlet in self.spellings:
            exact = spelling.isupper() or spelling == "the AP"
            haystack, needle = (sentence, spelling) if exact else (folded, spelling.casefold())
            at = haystack.find(needle)
            while at >= 0:
                end = at + len(needle)
                bounded = (at == 0 or not _word_char(sentence[at - 1])) and (end == len(sentence) or not _word_char(sentence[end]))
                if bounded and not any(a <= at < b for _, a, b in found):
                    found.append((outlet, at, end))
                at = haystack.find(needle, end)
        return sorted(found, key=lambda item: item[1])


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "-_"


def find_outlets(sentence: str, extra: Iterable[str] = ()) -> list[str]:
    """The outlets a sentence attributes its facts to, in order, each once."""
    return list(dict.fromkeys(name for name, _, _ in _Outlets(extra).find(sentence)))


# A sentence that goes on quoting the previous one's source: "The official stated that ...".
_CONTINUED_QUOTE = re.compile(
    r"^(?:The|This|That) (?:\w+ )?(?:officials?|sources?|spokesman|spokeswoman|spokesperson|officer|commander|report)\b"
    r"|^(?:He|She|They) (?:said|added|stated|noted|told|explained)\b",
    re.IGNORECASE,
)

# --- what happened: verbs and nouns -------------------------------------------------------

# (pattern, type, kind) — kind "verb": the verb itself says it happened; "noun": the noun counts
# only when a verb such as "began" or "completed" governs it, or a date is given for it.
_TRIGGERS: list[tuple[str, str, str]] = [
    (r"heads? to [\w’']+ for talks|(?:travel(?:led|ed|s)?|flew|arrived|went) to [\w’']+ for talks", "meeting", "verb"),
    (r"withdr(?:ew|aw|awn|awing|aws)", "withdrawal", "verb"),
    (r"pull(?:ed|ing|s)? (?:out|back)|pulled (?:its |their )?(?:\w+ )?out", "withdrawal", "verb"),
    (r"evacuat(?:ed|ing|es|e)", "withdrawal", "verb"),
    (r"vacat(?:ed|ing|es)|abandon(?:ed|ing|s)|depart(?:ed|ing|s)|exit(?:ed|ing)", "withdrawal", "verb"),
    (r"relocat(?:ed|ing|es)|redeploy(?:ed|ing|s)?|transported|shipped|flown out|moved (?=from|out of|to)|left(?= the [a-z]+ (?!behind)|\s+[A-Z])", "withdrawal", "verb"),
    (r"head(?:ed|ing|s)? (?:toward|towards|for|to)|originat(?:ed|ing) from|(?:were |was |been )?returned to|left for", "withdrawal", "verb"),
    (r"(?:withdrawal|pullback|pull-out|pullout|evacuation|drawdown|departure|exit|retreat)", "withdrawal", "noun"),
    (r"deploy(?:ed|ing|s)?|reinforc(?:ed|ing) (?:its |their |the )?(?:\w+ )?(?:positions?|troops|forces|presence|bases?|garrisons?)|arriv(?:ed|ing|es)|dispatch(?:ed|ing)|sent (?:troops|forces|reinforcements)", "deployment", "verb"),
    (r"(?:set up|built|constructed|established|opened)(?! by)", "deployment", "verb"),
    (r"(?:deployment|reinforcements|arrival)", "deployment", "noun"),
    (r"remain(?:ed|s)? (?:at|in|on)|stay(?:ed|s)? (?:at|in|on|behind)|(?:still )?(?:maintains?|retains?|keeps)|(?:is|are|were|was|remain) stationed|hosts|still (?:holds?|operates?|controls?)|(?:has|have) (?:held|kept|maintained)", "presence", "verb"),
    (r"hand(?:ed|ing|s)? (?:[\w\-]+ ){0,3}?over|turn(?:ed|s)? over|ced(?:ed|es)", "handover", "verb"),
    (r"(?:handover|hand-over)", "handover", "noun"),
    (r"(?:took|taken|take|takes|taking|seized?|seizing|gained|regained|assumed|expanded) (?:full |their |its )?control|seized|captured|recaptured|retook|took over|overran|entered", "control_change", "verb"),
    (r"transferr(?:ed|ing)|transfer", "detainee_transfer", "verb"),
    (r"transfers", "detainee_transfer", "noun"),
    (r"claim(?:ed|s)? responsibility for|attack(?:ed|ing)|struck|shelled|bombed|ambushed|targeted", "attack", "verb"),
    (r"attacks?|(?:air|drone) ?strikes?|bombing", "attack", "noun"),
    (r"clash(?:ed|es)?|fought|exchanged fire|fighting between", "clash", "verb"),
    (r"(?:launched|launch|began|mounted) (?:an |a |their |its )?(?:\w+ )?offensive|offensive (?:by|against|on)|advanced (?:on|into)", "offensive", "verb"),
    (r"prison break|jailbreak|broke out of|escaped from", "prison_break", "verb"),
    (r"ceasefire|cease-fire|truce", "ceasefire", "verb"),
    (r"agreed|signed (?:an |a )?(?:\w+ )?(?:agreement|deal|accord)|reached (?:an |a )?(?:\w+ )?(?:agreement|deal|accord)", "agreement", "verb"),
    (r"met|meets|meet|meeting with|visit(?:ed|s|ing)?|held talks|heads? to \w+ for talks|hosted", "meeting", "verb"),
    (r"joined the (?:[\w.\-]+ ){0,3}(?:coalition|alliance)", "alliance", "verb"),
    (r"fled|assumed office|sworn in|ousted|toppled|resigned", "leadership_change", "verb"),
    (r"said|says|stated|announced|declared|told|warned|confirmed|revealed|disclosed|reported", "statement", "verb"),
]
_TRIGGER = re.compile(
    "|".join(rf"(?P<t{n}>\b(?:{pattern})\b)" for n, (pattern, _, _) in enumerate(_TRIGGERS)), re.IGNORECASE
)
# Statements are kept only when nothing else happened in the sentence.
_REPORTING = frozenset(("statement",))
_GOVERNORS = re.compile(
    r"\b(?:beg[au]n|start(?:ed|s)?|complet(?:ed|es|e)|finish(?:ed|es)|extended|continu(?:ed|es|ing)|carried out|"
    r"conducted|under ?way|launched|ordered|resumed|wrapped up)\b",
    re.IGNORECASE,
)
_BEGAN = re.compile(r"\b(?:beg[au]n|start(?:ed|s|ing)?|begins|beginning|initial|first)\b", re.IGNORECASE)
_COMPLETED = re.compile(r"\b(?:complet(?:ed|ely|es|e)|fully|finish(?:ed|es)|final|wrapped up|entire(?:ly)?)\b", re.IGNORECASE)
_ONGOING = re.compile(
    r"\b(?:continu(?:ed|es|ing)|ongoing|still|(?:is|are|was|were|been) \w+ing|extended)\b", re.IGNORECASE
)
_NEGATION = re.compile(r"\b(?:not|n't|never|no longer|denied|refused to|without)\b[\w\s,]{0,25}$", re.IGNORECASE)
_MODAL = re.compile(r"\b(?:may|might|could|would|should|can)\b(?: \w+){0,2}\s*$", re.IGNORECASE)
_PLANNED = re.compile(
    r"\b(?:plans?|planned|planning|intends?|intended|will|is set|are set|scheduled|expected|aims?|to be)\b(?: \w+){0,3}\s*$",
    re.IGNORECASE,
)
# ... or said right after a movement's noun, its subject: "the withdrawal was expected to be completed",
# "the pullout from Tanf will end" (a few words of place between, no "and", "what" or relative clause).
_PLANNED_AFTER = re.compile(
    r"^(?:(?:from|of|at|in|out of)\s+(?:(?!(?:and|or|but|what|who|that|which|is|are|was|were|will|would)\b)[\w.'’-]+\s+){1,4}?)?"
    r"(?:(?:is|are|was|were)\s+(?:expected|scheduled|set|due|planned|slated|meant|to\s+be)\b|will\b|would\b)",
    re.IGNORECASE,
)
# Said later in the sentence to have happened ("... will take weeks and began on Monday", "but it
# was completed"): not a plan.
_DONE_LATER = re.compile(r"(?<!be )\b(?:began|started|completed|finished|ended|concluded)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"(?:^|[,;]\s*|\b)(?:if|when|once|unless|whether|even after|after|before)\s[^,;]*$", re.IGNORECASE)
_CLAUSE_START = re.compile(
    r"\bthat\b|;|:|—|–|\bas\b|\bwhile\b|\bwhereas\b|\bbut\b|, and\b|\bwhich\b|\bwho\b|\bwhere\b"
    # an attribution after a comma: "..., the defence ministry said" names who told it, not a party to it
    r"|,(?=[^,;]{0,80}\b(?:said|says|stated|announced|added|reported|told|according to)\b)",
    re.IGNORECASE,
)
# Words that make a movement's detainees the thing moved.
_DETAINEES = re.compile(r"\b(?:detainees?|prisoners?|militants|inmates|suspects|captives|detained)\b", re.IGNORECASE)
_TERRITORY = re.compile(r"\b(?:areas?|territor(?:y|ies)|ground|swathes?|much of|parts? of|villages|countryside)\b", re.IGNORECASE)
# Movement types: a site after "from" is where they left, after "to" where they went.
_MOVEMENTS = frozenset(("withdrawal", "deployment", "detainee_transfer"))
_ORIGIN_WORDS = frozenset(("from", "out of", "originated from"))
_DESTINATION_WORDS = frozenset(("to", "toward", "towards", "into", "for", "back to"))
# Confidence below which a draft is not proposed at all.
MIN_CONFIDENCE = 0.3


@dataclass
class Draft:
    """A proposed event and the evidence for it."""

    type: str
    when: When
    actors: list[str]
    site: str | None = None
    origin: str | None = None
    destination: str | None = None
    stage: str | None = None
    status: str = "reported"
    quantities: dict = field(default_factory=dict)
    outlets: list[str] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    confidence: float = 0.5
    unresolved: list[Unresolved] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trigger: str = ""
    paragraph: int = 0
    inherited_actor: bool = False
    position: int = 0  # where its verb is in its first sentence
    anaphoric: bool = False  # "this convoy ...": goes on telling the event just told

    @property
    def confidence_word(self) -> str:
        return "high" if self.confidence >= 0.7 else "medium" if self.confidence >= 0.5 else "low"


@dataclass
class Reading:
    """What reading an article found."""

    drafts: list[Draft]
    sentences: int
    published: date
    unresolved: list[Unresolved] = field(default_factory=list)


class _Context:
    """What the article has said so far: whom a "they" means, which site "the base" is."""

    def __init__(self) -> None:
        self.agent: str | None = None
        self.speaker: str | None = None
        self.sites: list[Site] = []

    def site_for(self, noun: str) -> Site | None:
        kinds = _SITE_NOUNS.get(noun)
        if kinds is None:
            return None
        if noun in ("airport", "prison", "camp", "town", "city"):
            for site in reversed(self.sites):
                if site.kind == kinds[0]:
                    return site
        for site in reversed(self.sites):
            if site.kind in kinds:
                return site
        return None

    def region(self) -> Site | None:
        for site in reversed(self.sites):
            if site.kind == "region":
                return site
        return None


def read_text(
    text: str, published: date, names: Catalogue, outlets: Iterable[str] = (), *, default_days: int = 7
) -> Reading:
    """Propose draft events from an article's text, dates resolved against ``published``.

    ``outlets`` are extra outlet names to recognise (those the store cites).
    A sentence without a date phrase is dated to the ``default_days`` before
    publication, approximately.
    """
    finder = _Outlets(outlets)
    context = _Context()
    drafts: list[Draft] = []
    sentences = split_sentences(text)
    previous_outlets: list[str] = []
    for sentence in sentences:
        found_outlets = finder.find(sentence.text)
        sentence_outlets = list(dict.fromkeys(name for name, _, _ in found_outlets))
        continued = bool(_CONTINUED_QUOTE.search(sentence.text))
        if not sentence_outlets and continued:
            sentence_outlets = previous_outlets
        previous_outlets = sentence_outlets
        skip = [(a, b) for _, a, b in found_outlets]
        mentions = find_mentions(sentence.text, names, skip)
        for draft in _drafts_of(sentence, mentions, names, context, published, default_days, continued):
            draft.outlets = list(sentence_outlets)
            _merge_or_add(drafts, draft, names)
        for mention in mentions:
            if mention.site is not None and (mention.actor is None or _is_place(sentence.text, mention)):
                context.sites.append(mention.site)
    kept = [d for d in drafts if d.confidence >= MIN_CONFIDENCE and d.actors]
    unresolved = list({(u.name, u.kind): u for d in kept for u in d.unresolved}.values())
    return Reading(kept, len(sentences), published, unresolved)


_DIRECTIONS = r"(?:north|south|east|west|central|(?:north|south)(?:east|west))(?:ern)?|coastal|rural|eastern|western|northern|southern"


def _is_place(text: str, mention: Mention) -> bool:
    if re.match(r"['’]", text[mention.end : mention.end + 1]):
        return False  # "at Damascus’ request": the government's
    before = text[max(0, mention.start - 30) : mention.start].lower().split()
    words = [w for w in before if w not in ("the", "a", "an") and not re.fullmatch(_DIRECTIONS, w)]
    return bool(words) and (words[-1] in _PLACE_WORDS or " ".join(words[-2:]) in ("out of",))


_DETERMINER = re.compile(r"(?:\b(?:the|a|an|this|that|these|those|its|their|his|her|our|any|no)|['’]s?)\s+(?:[\w\-]+\s+){0,2}$", re.IGNORECASE)
# A verb form that cannot be a noun: "originated", "withdrew", "fled", "withdrawing"; and the verbs of
# a presence, which no noun shares ("the United States still maintains", "the US remains at").
_INFLECTED = re.compile(
    r"(?:ed|ew|ing|fled|met|fought|struck|took|sent|built|left)\b|^still\b|\b(?:maintains?|retains?|remains?|keeps|hosts)\b",
    re.IGNORECASE,
)
# Types whose trigger words are nouns anyway: "a ceasefire", "the prison break".
_NOUN_TYPES = frozenset(("ceasefire", "prison_break", "offensive", "alliance"))
# Types whose site is a place the parties are in (the site after the verb), not parties themselves.
_PLACE_TYPES = frozenset(("withdrawal", "deployment", "presence", "control_change", "handover", "meeting", "detainee_transfer"))
# Types that need a site to mean anything for positions.
_SITED_TYPES = frozenset(("withdrawal", "deployment", "presence", "handover", "control_change"))
# Types that happen over an area: with no place named, the region the article last named.
_AREA_TYPES = frozenset(("offensive", "ceasefire", "clash"))


def _drafts_of(
    sentence: Sentence, mentions: list[Mention], names: Catalogue, context: _Context, published: date,
    default_days: int, continued: bool,
) -> list[Draft]:  # fmt: skip
    text = sentence.text
    covered = [(m.start, m.end) for m in mentions if m.actor or m.site]
    triggers = [
        (m.start(), m.end(), _TRIGGERS[int(name[1:])][1], _TRIGGERS[int(name[1:])][2], m.group(0))
        for m in _TRIGGER.finditer(text)
        for name, value in m.groupdict().items()
        if value is not None and not any(a <= m.start() < b for a, b in covered)
    ]
    when_found = find_when(text, published)
    figures = find_figures(text)
    drafts: list[Draft] = []
    events = [t for t in triggers if t[2] not in _REPORTING]
    for group in (events, [t for t in triggers if t[2] in _REPORTING][:1]):
        seen: set[tuple[str, str | None]] = set()
        for index, (start, end, kind, form, word) in enumerate(group):
            if form == "verb" and kind not in _NOUN_TYPES and not _INFLECTED.search(word) and _DETERMINER.search(text[max(0, start - 40) : start]):
                form = "noun"  # "the visit", "Sharaa's visit", "this transfer"
            if not _happened(text, start, end, kind, form, word, when_found, mentions):
                continue
            later = [t for t in group[index + 1 :] if t[2] != kind]
            region_end = min([later[0][0]] if later else [len(text)])
            boundary = _CLAUSE_START.search(text, end)
            if boundary and boundary.start() < region_end and kind not in ("meeting", "statement"):
                region_end = boundary.start()
            planned = bool(_PLANNED.search(text[max(0, start - 50) : start])) or _planned_after(text, start, end, form)
            draft = _build(
                sentence, kind, form, word, start, end, region_end, mentions, names, context, published,
                when_found, figures, default_days, planned, continued,
            )  # fmt: skip
            key = (draft.type, draft.actors[0] if draft.actors and not draft.inherited_actor else None) if draft else None
            if draft is not None and key is not None and key not in seen and (draft.type, None) not in seen:
                drafts.append(draft)
                _remember(draft, context, names)
                seen.add(key)
                if draft.type not in ("leadership_change", "statement"):
                    seen.add((draft.type, None))
        if drafts:
            break
    _share_figures(drafts, figures, text)
    return drafts


def _remember(draft: Draft, context: _Context, names: Catalogue) -> None:
    """The party a later "they" or an unnamed convoy means: the last one seen moving; and the last speaker."""
    if not draft.actors or draft.inherited_actor:
        return
    if draft.type == "statement":
        context.speaker = draft.actors[0]
    elif draft.type in _MOVEMENTS | {"presence", "control_change", "handover"} and _agent_worthy(names, draft.actors[0]):
        context.agent = draft.actors[0]


def _planned_after(text: str, start: int, end: int, form: str) -> bool:
    """Whether a movement's noun is the subject of a plan ("the withdrawal will be completed"), and
    nothing in the sentence says it happened."""
    if form != "noun" or _GOVERNORS.search(text[max(0, start - 40) : start]):  # "completed the withdrawal"
        return False
    after = text[end:].lstrip()
    plan = _PLANNED_AFTER.match(after)
    return plan is not None and not _DONE_LATER.search(after, plan.end())


def _happened(text: str, start: int, end: int, kind: str, form: str, word: str, when: When | None, mentions) -> bool:
    """Whether the words around a trigger report that it happened (or is planned), not a maybe or a never."""
    left = text[:start]
    if form == "noun" and not _GOVERNORS.search(text[max(0, start - 60) : end + 40]):
        return False
    if kind == "meeting" and word.lower() in ("met", "meet", "meets") and not re.match(r"\s+(?:with\s+)?(?:the\s+)?[A-Z]", text[end:]):
        return False
    if word.lower() == "entered" and not any(m.site and 0 <= m.start - end <= 5 for m in mentions):
        return False
    if kind == "agreement" and re.match(r"\s+(?:on|to)\s+(?:a|an|the)\s+(?:\w+\s+)?(?:ceasefire|cease-fire|truce)", text[end:], re.IGNORECASE):
        return False  # "agreed on a ceasefire": the ceasefire is the event
    if _NEGATION.search(left[-40:]):
        return False
    if _MODAL.search(left[-40:]) and not _PLANNED.search(left[-50:]):
        return False
    if word.lower().endswith("ing") and (
        not left.strip() or re.search(r"(?:^|[,;]\s*|\b)(?:even after|after|before|by|while|without)\s+(?:\w+\s+)?$", left, re.IGNORECASE)
    ):
        return False  # "Redeploying some resources ... aligns", "even after fully withdrawing from ..."
    if re.search(r"\b(?:when|if|once|unless|whether)\b[^,;]*$", left, re.IGNORECASE):
        return False  # "When U.S. troops withdraw, ...": not a report that they did
    if form == "verb" and _reduced_relative(left, word, text[end : end + 12]):
        return False  # "troops stationed in Syria", "fighters stationed at the base"
    return True


def _share_figures(drafts: list[Draft], figures: list[Figure], text: str) -> None:
    """Each figure goes to the draft whose verb is nearest to it (all drafts got every figure so far)."""
    if len(drafts) < 2:
        return
    for figure in figures:
        position = text.find(figure.phrase)
        nearest = min(drafts, key=lambda d: abs(d.position - position))
        for draft in drafts:
            names = [n for n, v in draft.quantities.items() if v == figure.value and (n == figure.name or n.startswith(figure.name[:5]))]
            if draft is not nearest:
                for name in names:
                    draft.quantities.pop(name, None)


def _clause(left: str) -> str:
    starts = [m.end() for m in _CLAUSE_START.finditer(left)]
    return left[starts[-1] :] if starts else left


_PASSIVE_PARTICIPLES = ("stationed", "based", "deployed", "located", "positioned", "sent", "moved", "transported")


def _reduced_relative(left: str, word: str, after: str = "") -> bool:
    """ "troops stationed in Syria": a participle after a noun describes it; nothing happened."""
    if not word.lower().startswith(_PASSIVE_PARTICIPLES) and not re.fullmatch(r"(?:is|are|were|was|remain) stationed", word.lower()):
        return False
    if re.match(r"\s+(?:to|into|toward|towards)\b", after):
        return False  # "Turkish forces deployed to Kobani": they went
    previous = re.search(r"(\w+)\s*$", left)
    return previous is not None and previous[1].lower() in (
        "troops", "forces", "soldiers", "fighters", "units", "personnel", "militias", "equipment", "assets",
    )  # fmt: skip


def _build(
    sentence: Sentence, kind: str, form: str, word: str, start: int, end: int, region_end: int,
    mentions: list[Mention], names: Catalogue, context: _Context, published: date,
    when_found: When | None, figures: list, default_days: int, planned: bool, continued: bool,
) -> Draft | None:  # fmt: skip
    text = sentence.text
    left = text[:start]
    clause_text = _clause(left)
    clause_start = start - len(clause_text)
    before = [m for m in mentions if clause_start <= m.start < start]
    after = [m for m in mentions if end <= m.start < region_end]
    if kind == "alliance":  # "joined the U.S.-led coalition": the coalition is inside the trigger
        after = [m for m in mentions if start + 6 <= m.start < region_end]
    confidence = 0.55 if form == "verb" else 0.4
    notes: list[str] = []

    # What kind of thing happened, refined by what the words around it say.
    window = text[end : min(len(text), end + 90)]
    moved = any(w in word.lower() for w in ("transfer", "relocat", "transport", "mov", "flown"))
    if kind == "withdrawal" and moved and _DETAINEES.search(text[max(0, start - 30) : end + 90]):
        kind = "detainee_transfer"
    if kind == "detainee_transfer" and not _DETAINEES.search(text[max(0, start - 40) : end + 90]):
        if re.search(r"\bcontrol\b", window[:50], re.IGNORECASE):
            kind = "handover"
        else:
            return None  # "to transfer security responsibilities", "a personnel transfer"
    if kind == "control_change" and _TERRITORY.search(window[:60]) and re.search(
        r"\b(?:seized|took|gained|expanded)\b", word, re.IGNORECASE
    ):
        kind = "offensive"
    status = "planned" if planned else "reported"
    if kind == "attack" and re.search(r"\bclaim", word, re.IGNORECASE):
        status = "claimed"
    if planned and kind in _MOVEMENTS | {"handover", "control_change"}:
        notes.append(f"planned, not done: drafted as a statement of intent ({kind.replace('_', ' ')})")
        kind = "statement"

    # Who: the parties named in the clause before the verb; for a noun, "of X"/"X's"; else "they".
    actors: list[str] = []
    inherited = False
    candidates = [m for m in before if m.actor and not (m.site and _is_place(text, m))]
    if kind == "statement":
        # "Russia did not withdraw ..., officials said": the speaker is named next to the verb.
        candidates = [m for m in candidates if start - m.end <= 40]
    subject = _subject(text, candidates)
    if subject:
        actors = [m.actor.id for m in subject if m.actor]
    elif re.search(r"\bwho\s*$", left[:clause_start], re.IGNORECASE):
        # "President Sharaa, who assumed office": the one named just before "who".
        antecedent = [m for m in mentions if m.actor and m.start < clause_start]
        if antecedent:
            actors = [antecedent[-1].actor.id]  # type: ignore[union-attr]  # filtered on m.actor above
    if form == "noun" or not actors or word.lower().endswith(" by"):
        agent = (_agent_after(text, end, after, word.lower().endswith(" by")) if kind != "detainee_transfer" else None) or _possessive_before(text, start, before)
        if agent and agent.id not in actors:
            if form == "noun" or word.lower().endswith(" by"):
                actors.insert(0, agent.id)
            else:
                actors.append(agent.id)
    if not actors and kind == "statement" and continued and context.speaker:
        actors = [context.speaker]
        inherited = True
        notes.append("the speaker is the one quoted in the sentence before")
    pronoun = _pronoun_subject(clause_text)
    if not actors and pronoun in ("they", "he", "she") and context.agent:
        actors = [context.agent]
        inherited = True
        notes.append(f"'{pronoun}' taken to mean the party named before")
    if not actors and kind in _MOVEMENTS | {"presence"} and context.agent:
        actors = [context.agent]
        inherited = True
        notes.append("no party named: taken to be the one the article was last about")
    if kind not in ("withdrawal", "deployment", "presence", "statement"):
        for m in after:
            if not m.actor or m.actor.id in actors or len(actors) >= 4:
                continue
            if m.site and (_is_place(text, m) or kind in _PLACE_TYPES):
                continue
            if kind not in ("attack", "offensive", "clash") and re.search(r"\bagainst\s+(?:the\s+)?$", text[:m.start], re.IGNORECASE):
                continue
            actors.append(m.actor.id)
    actors = list(dict.fromkeys(actors))
    if actors and not inherited:
        confidence += 0.15
    elif inherited:
        confidence -= 0.05

    # Where: the site left or reached for movements, else the most specific site named.
    local = [m for m in mentions if clause_start - 80 <= m.start < region_end]
    site, origin, destination = _places(text, kind, word, start, end, region_end, local, names, context, actors)
    region = context.region() if site is None and kind in _AREA_TYPES else None
    if region is not None:
        site = region.id
        notes.append("no place named: the region the article last named")
        confidence -= 0.05
    if site or origin or destination:
        confidence += 0.1
    elif kind in _SITED_TYPES:
        confidence -= 0.45  # a withdrawal from nowhere in particular tells positions nothing
    else:
        confidence -= 0.05

    # When.
    when = when_found
    if when is None:
        first = published - timedelta(days=default_days)
        when = When(first.isoformat(), published.isoformat(), True, "", explicit=False)
        notes.append(f"no date in the sentence: taken as the {default_days} days up to publication")
    else:
        confidence += 0.1

    # Stage.
    stage = None
    if kind in ("withdrawal", "deployment", "detainee_transfer"):
        near = text[max(0, start - 40) : end + 30]
        if _COMPLETED.search(near):
            stage = "completed"
        elif _BEGAN.search(near):
            stage = "began"
        elif _ONGOING.search(near) or re.search(r"\b(?:is|are|was|were|been)\s+$", left) or re.search(
            r"^(?:head|transport|relocat|redeploy|originat|ship|left for)", word.lower()
        ):
            stage = "ongoing"
    if kind == "withdrawal" and re.search(r"\bpartial\b", text[max(0, start - 30) : start]):
        return None  # "the partial withdrawal ... is part of a plan": a comment on the withdrawal

    quantities: dict = {}
    for figure in figures:
        name = figure.name
        if name == "militants" and kind in ("detainee_transfer", "prison_break"):
            name = "detainees"
        quantities.setdefault(name, figure.value)

    draft = Draft(
        type=kind,
        when=when,
        actors=actors,
        site=site,
        origin=origin,
        destination=destination,
        stage=stage,
        status=status,
        quantities=quantities,
        sentences=[sentence.number],
        evidence=[text],
        confidence=round(max(0.05, min(0.95, confidence)), 2),
        unresolved=_unresolved(sentence, names, mentions),
        notes=notes,
        trigger=word,
        paragraph=sentence.paragraph,
        inherited_actor=inherited,
    )
    draft.position = start
    draft.anaphoric = (
        bool(re.search(r"\b(?:this|the|that) convoy\b", text, re.IGNORECASE))
        or word.lower().startswith("originat")
        or (kind in _NOUN_TYPES and re.fullmatch(r"\s*(?:the|this|that)\s+", left, re.IGNORECASE) is not None)
    )  # "this convoy ...", "The ceasefire was brokered by ...": the event just told
    return draft


def _subject(text: str, candidates: list[Mention]) -> list[Mention]:
    """The party nearest before the verb and those joined to it by "and": "Russia and Iran have ..."."""
    heads = [
        m for m in candidates
        if not re.search(r"\b(?:led|backed|supported|facilitated|commanded|by|against|with|of|for|under)\s+(?:the\s+)?(?:[A-Za-z]+\s+){0,1}$", text[: m.start], re.IGNORECASE)
    ]  # fmt: skip
    if not heads:
        return candidates[:1]
    chosen = [heads[-1]]
    for m in reversed(heads[:-1]):
        if re.fullmatch(r"\s*(?:,|and|&|, and)\s*(?:the\s+|its\s+|their\s+)?(?:[a-z]+\s+){0,1}", text[m.end : chosen[0].start]):
            chosen.insert(0, m)
        else:
            break
    return chosen


def _agent_worthy(names: Catalogue, actor_id: str) -> bool:
    actor = names.actors.get(actor_id)
    return actor is not None and actor.kind != "person"


def _agent_after(text: str, end: int, after: list[Mention], said_by: bool = False) -> Actor | None:
    """ "the withdrawal of U.S. troops", "an offensive by government forces": the party after the noun."""
    preposition = r"(?:(?:of|by)\s+)?" if said_by else r"(?:of|by)\s+"
    for m in after:
        gap = text[end : m.start].lower()
        if m.actor and re.fullmatch(rf"\s*{preposition}(?:the\s+)?(?:[\w\-]+\s+){{0,2}}", gap):
            return m.actor
    return None


def _possessive_before(text: str, start: int, before: list[Mention]) -> Actor | None:
    for m in reversed(before):
        if m.actor and re.match(r"['’]s?\s+(?:[\w\-]+\s+){0,2}$", text[m.end : start]):
            return m.actor
    return None


def _pronoun_subject(clause: str) -> str | None:
    match = re.search(r"\b(they|it|he|she)\b(?:\s+\w+){0,3}\s*$", clause, re.IGNORECASE)
    return match[1].lower() if match else None


def _places(
    text: str, kind: str, word: str, start: int, end: int, region_end: int, mentions: list[Mention],
    names: Catalogue, context: _Context, actors: list[str],
) -> tuple[str | None, str | None, str | None]:  # fmt: skip
    sites: list[tuple[Site, str, int]] = []  # (site, role, position)
    for m in mentions:
        if m.site is None:
            continue
        if m.actor is not None and not _is_place(text, m):
            # "Damascus consolidates power": the government; "visit Moscow": the city.
            if not (kind in _PLACE_TYPES and end <= m.start <= end + 6):
                continue
        sites.append((m.site, _role(text, m.start), m.start))
    # "the base", "the airport": the one named last.
    for found in re.finditer(r"\bthe (air ?base|base|airport|garrison|facility|prison|camp)\b", text, re.IGNORECASE):
        if any(a.site and a.start <= found.start() < a.end + 12 for a in mentions):
            continue
        if re.match(r"\s+(?:of|in|at|near)\b", text[found.end() :]):
            continue
        site = context.site_for(found.group(1).lower().replace(" ", ""))
        if site is not None:
            sites.append((site, _role(text, found.start()), found.start()))
    # "toward the Iraqi border", "on the Syrian coast": the country.
    for found in re.finditer(r"\b(?:the )?(\w+) (?:border|coast|frontier)\b", text, re.IGNORECASE):
        country = _country_site(found.group(1), names)
        if country is not None:
            sites.append((country, _role(text, found.start()), found.start()))
    # "Constructed around 2015, it has since served ...": the base named before.
    if kind == "deployment" and re.match(r"(?:set up|built|constructed|established|opened)", word, re.IGNORECASE):
        base = context.site_for("base")
        if base is not None and not any(_SITE_RANK.get(s.kind or "", 3) == 0 for s, _, _ in sites):
            sites.append((base, "location", start))
    if not sites:
        return None, None, None
    origins = [s for s, role, pos in sites if role == "origin"]
    destinations = [s for s, role, pos in sites if role == "destination" and pos > start]
    located = [s for s, role, _ in sites if role == "location"]
    origin = _most_specific(origins)
    destination = _most_specific(destinations)
    if destination is not None and origin is not None and destination.id == origin.id:
        destination = None
    actor_country = next((names.actors[a].country for a in actors[:1] if a in names.actors), None)
    if kind == "withdrawal":
        if origin is None:
            origin = _most_specific(located or [s for s, _, _ in sites if s is not destination])
        if destination is not None and origin is not None and (_within(names, origin, destination) or destination.id == origin.id):
            destination = None  # "from Qamishli to western Syria"
        site = origin
        if site is not None and site.kind in ("city", "town"):
            # "Qamishli" after "Qamishli airport" was named: the airport.
            site = _narrower_named(site, context) or site
            origin = site
        return _id(site), _id(origin), _id(destination)
    if kind == "deployment":
        if "return" in word.lower() and destination is not None and destination.name == actor_country:
            return _id(origin), _id(origin), _id(destination)
        site = destination or _most_specific(located)
        return _id(site), _id(origin), _id(destination if destination is not site else None)
    if kind == "detainee_transfer":
        site = origin or _most_specific(located)
        return _id(site), _id(origin), _id(destination)
    if kind == "presence":
        after = [s for s, _, pos in sites if pos > start]
        return _id(_most_specific(after or [s for s, _, _ in sites])), None, None
    return _id(_most_specific([s for s, _, _ in sites])), None, None


def _role(text: str, position: int) -> str:
    before = text[max(0, position - 60) : position].lower()
    words = re.findall(r"[a-z\-]+", before)
    # Walk back over "the", adjectives and a noun or two: "from detention centers in northeastern Syria".
    for distance, w in enumerate(reversed(words)):
        if distance > 5:
            break
        if w == "from" or (w == "of" and distance + 1 < len(words) and words[-distance - 2] == "out"):
            return "origin"
        if w in ("to", "toward", "towards", "into", "for"):
            return "destination"
        if w in ("at", "in", "near", "inside", "outside", "around", "across", "within", "on"):
            if distance <= 2:
                # "from detention centers in northeastern Syria": the place of what they left.
                further = words[max(0, len(words) - distance - 5) : len(words) - distance - 1]
                if "from" in further:
                    return "origin"
                if any(x in further for x in ("to", "toward", "towards", "into")) and "extended" not in further:
                    return "destination"
                return "location"
            continue
    return "location"


def _most_specific(sites: list[Site]) -> Site | None:
    if not sites:
        return None
    return min(sites, key=lambda s: _SITE_RANK.get(s.kind or "", 3))


def _within(names: Catalogue, inner: Site, outer: Site) -> bool:
    """Whether ``outer`` contains ``inner``: its country, or its province."""
    if outer.kind == "country":
        return (inner.country or "") == outer.name or inner.id == outer.id
    if outer.kind == "region" and outer.admin1:
        return inner.admin1 == outer.admin1
    return False


def _narrower_named(site: Site, context: _Context) -> Site | None:
    for other in reversed(context.sites):
        if other.id != site.id and other.name.casefold().startswith(site.name.casefold() + " "):
            return other
    return None


def _id(site: Site | None) -> str | None:
    return site.id if site is not None else None


_NAME_RUN = re.compile(
    r"(?<![\w'’-])((?:[A-Z][\w\-]*|al-[A-Z][\w\-]*)(?:\s+(?:al-|ez-|el-|of\s+|bin\s+)?[A-Z][\w\-]*){0,4})(?:['’]s)?"
)


def _unresolved(sentence: Sentence, names: Catalogue, mentions: list[Mention]) -> list[Unresolved]:
    """Capitalised names in the sentence that resolve to nothing, as the place or party the sentence makes them."""
    found: list[Unresolved] = []
    text = sentence.text
    # The story's dateline names its city and its agency, not a party to what happened.
    covered = [(0, dateline_end(text)), *((m.start, m.end) for m in mentions)]
    for m in _NAME_RUN.finditer(text):
        if any(a <= m.start() < b or a < m.end(1) <= b for a, b in covered):
            continue
        words = m.group(1).split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        if not words or all(w.lower() in _NOT_NAMES for w in words):
            continue
        name = " ".join(words)
        if len(name) < 3 or name in KNOWN_OUTLETS or any(name in k for k in KNOWN_OUTLETS.values()):
            continue
        if names.find_actor(name) or names.find_site(name):
            continue
        before = text[max(0, m.start() - 25) : m.start()].lower().split()
        before = [w for w in before if w not in ("the", "a", "an")]
        as_place = bool(before) and before[-1] in _PLACE_WORDS
        found.append(Unresolved(name, "site" if as_place else "actor", sentence.number))
    return found


# --- one event told in several sentences --------------------------------------------------

# Sentences this far apart (in paragraphs) are not taken to tell the same event unless they name one site.
MERGE_PARAGRAPHS = 1


def _merge_or_add(drafts: list[Draft], new: Draft, names: Catalogue) -> None:
    for old in reversed(drafts):
        if _same_event(old, new, names):
            _merge(old, new, names)
            return
    drafts.append(new)


def _same_event(old: Draft, new: Draft, names: Catalogue) -> bool:
    if not old.actors or not new.actors:
        return False
    near = new.paragraph - old.paragraph <= MERGE_PARAGRAPHS
    if old.type != new.type:
        # "as of the 23rd, about 200 soldiers remained at the base": part of the withdrawal from it.
        return (
            old.type == "withdrawal" and new.type == "presence" and new.inherited_actor and near
            and new.site is not None and new.site == old.site and old.when.explicit and new.when.explicit
            and _overlap(old.when, new.when)
        )  # fmt: skip
    if new.anaphoric and near and old.type == new.type:
        return True  # "this convoy originated from ...": the convoy just told
    if old.actors[0] != new.actors[0]:
        return False
    if old.type == "statement" and (
        new.sentences[0] - old.sentences[-1] > 1
        or old.status != new.status
        or (old.outlets and new.outlets and not set(old.outlets) & set(new.outlets))
    ):
        return False
    if old.when.explicit != new.when.explicit and (old.stage or "") != (new.stage or ""):
        return False  # "has begun withdrawing" and, dated, "a convoy headed out": two moments
    if old.site is not None and old.site == new.site:
        pass
    elif old.destination is not None and old.destination == new.destination and (old.site is None or new.site is None):
        pass
    elif (old.site is None or new.site is None) and near:
        pass
    else:
        return False
    if old.when.explicit and new.when.explicit:
        return _overlap(old.when, new.when)
    return True


def _overlap(a: When, b: When) -> bool:
    from syriabrief.domain.dates import event_period

    return event_period(a.date, a.end_date).overlaps(event_period(b.date, b.end_date))


def _merge(old: Draft, new: Draft, names: Catalogue) -> None:
    def rank(site_id: str) -> int:
        site = names.sites.get(site_id)
        return _SITE_RANK.get(site.kind or "", 3) if site else 3

    if new.type == "presence" and old.type == "withdrawal":
        new.quantities = {(k if k.endswith("_remaining") or not k.startswith("troops") else "troops_remaining"): v for k, v in new.quantities.items()}
    if new.when.explicit and (not old.when.explicit or _more_precise(new.when, old.when)):
        old.when = new.when
        old.notes = [n for n in old.notes if not n.startswith("no date")]
    if new.anaphoric and new.origin and old.type == "withdrawal":
        old.origin = old.site = new.origin  # "this convoy originated from the Kasrak base"
    for attribute in ("site", "origin", "destination"):
        ours, theirs = getattr(old, attribute), getattr(new, attribute)
        if ours is None or (theirs is not None and attribute == "destination" and rank(theirs) < rank(ours)):
            setattr(old, attribute, theirs)
    if old.type == "withdrawal" and old.origin and old.site != old.origin:
        old.site = old.origin
    if _STATUS_CAUTION.index(new.status) > _STATUS_CAUTION.index(old.status):
        old.status = new.status
    if new.stage == "completed" or old.stage is None:
        old.stage = new.stage or old.stage
    for actor in new.actors:
        if actor not in old.actors and len(old.actors) < 4 and not new.inherited_actor:
            old.actors.append(actor)
    for name, value in new.quantities.items():
        old.quantities.setdefault(name, value)
    old.outlets = list(dict.fromkeys(old.outlets + new.outlets))
    old.sentences += new.sentences
    old.evidence += new.evidence
    old.unresolved += [u for u in new.unresolved if u not in old.unresolved]
    old.notes = list(dict.fromkeys(old.notes + [n for n in new.notes if not (n.startswith("no date") and old.when.explicit)]))
    old.confidence = round(min(0.95, max(old.confidence, new.confidence) + 0.05), 2)
    if old.inherited_actor and not new.inherited_actor:
        old.inherited_actor = False


# A draft told as planned in one sentence and as done in another is kept as the more cautious.
_STATUS_CAUTION = ("confirmed", "reported", "claimed", "planned", "disputed")


def _more_precise(a: When, b: When) -> bool:
    order = {"day": 0, "month": 1, "year": 2}
    return (order[a.precision], a.end_date is not None) < (order[b.precision], b.end_date is not None)
