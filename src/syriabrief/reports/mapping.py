"""What the map shows: every site that can be placed, who holds it, and the mark it is drawn with.

The states are ``base_list``'s (``--at``: ``change_report``'s as well), so the map
agrees with ``base`` and ``compare --at``. A site is marked by the force that holds
it — the top of its holder's chain of parents, as ``brief`` groups bases — with a
letter: upper case while the force holds it, lower case while it is leaving.
Sites nobody is recorded at any more, or ever, get symbols. The report is the
``map --json`` contract: ``features()`` are GeoJSON Point features shaped as
``export --format geojson --sites --nested`` writes them, with the map's own keys added.
No presentation here: the terminal and the SVG draw these marks their own way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from syriabrief.domain.filters import EventFilter
from syriabrief.domain.geometry import SYRIA
from syriabrief.domain.model import DRIVING_TYPES
from syriabrief.reports.briefing import AREA_KINDS, Dataset, base_list, change_report, force_of_state
from syriabrief.reports.types import Report, SiteIdentity, StatusView, flat

__all__ = ["LEFT", "NO_HOLDER", "UNCHANGED", "MapForce", "MapSite", "SiteMap", "shared_mark", "site_map"]

# The marks that are not a force's letter.
LEFT = "○"  # someone left and nobody is recorded there since
NO_HOLDER = "+"  # no event places anyone there
UNCHANGED = "·"  # with --at: the same holder and status on both days
# A map state for each site status.
_STATES = {
    "active": "held",
    "withdrawing": "leaving",
    "vacated": "left",
    "handed_over": "left",
    "lost": "left",
    "unknown": "none",
}


@dataclass(frozen=True, eq=False, repr=False)
class MapForce(Report):
    """One line of the legend: a force's letter and the holders under it on the map."""

    marker: str  # "" for a force that only left sites (they are drawn as LEFT)
    force: str
    force_name: str
    holders: tuple[str, ...]  # names of the actors holding or leaving sites, the force's own name included
    held: int  # sites it holds
    leaving: int  # sites it is leaving
    left: int  # sites it left that nobody is recorded at since


@dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class MapSite(Report):
    site: SiteIdentity = flat()
    as_of: str = ""
    status: StatusView = flat()
    force: str | None = None  # the force marking the site: its holder's, else its last holder's
    force_name: str | None = None
    state: str = "none"  # held, leaving, left or none
    marker: str = NO_HOLDER
    on_map: bool = True  # False: its coordinates fall outside the map's frame
    changed: bool | None = None  # with --at: whether holder or status changed between the two days
    before: StatusView | None = None  # with --at: the state on the first day

    @property
    def point(self) -> tuple[float, float]:
        """(lon, lat): every site a map holds has both (the others are listed as unplaced)."""
        lon, lat = self.site.lon, self.site.lat
        assert lon is not None and lat is not None, self.site.id
        return lon, lat


@dataclass(frozen=True, eq=False, repr=False)
class SiteMap(Report):
    as_of: str
    since: str | None  # with --at: the first day
    frame: tuple[float, float, float, float]  # west, south, east, north
    sites: tuple[MapSite, ...]  # every placeable site, in the map's frame or not
    legend: tuple[MapForce, ...]
    areas: tuple[str, ...] = ()  # regions and countries: areas, not points, so not drawn
    unplaced: tuple[str, ...] = ()  # sites without coordinates

    @property
    def on_map(self) -> tuple[MapSite, ...]:
        return tuple(s for s in self.sites if s.on_map)

    @property
    def beyond(self) -> tuple[MapSite, ...]:
        return tuple(s for s in self.sites if not s.on_map)

    def features(self) -> list[dict[str, Any]]:
        """One GeoJSON Point feature per site (coordinates ``[lon, lat]``)."""
        out = []
        for item in self.sites:
            properties = {"feature": "site", **item.to_json()}
            lon, lat = properties.pop("lon"), properties.pop("lat")
            out.append(
                {"type": "Feature", "id": item.site.id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
                 "properties": properties}
            )  # fmt: skip
        return out

    def to_json(self) -> dict[str, Any]:
        """A FeatureCollection; the legend, days and what was left out ride along as foreign members (RFC 7946 §6.1)."""
        return {
            "type": "FeatureCollection",
            "as_of": self.as_of,
            "since": self.since,
            "frame": list(self.frame),
            "legend": [f.to_json() for f in self.legend],
            "areas": list(self.areas),
            "unplaced": list(self.unplaced),
            "features": self.features(),
        }


def site_map(
    data: Dataset,
    as_of: datetime.date,
    since: datetime.date | None = None,
    *,
    actors: frozenset[str] = frozenset(),
    sites: frozenset[str] = frozenset(),
    governorates: frozenset[str] = frozenset(),
) -> SiteMap:
    """Every site with coordinates and its state at ``as_of``; with ``since``, what changed from that day.

    ``actors``, ``sites`` and ``governorates`` narrow it as they narrow ``brief``:
    a site stays when its holder or last holder is one of the actors, it is one of
    the sites, or it lies in one of the governorates. Give an actor with the forces
    under it (``Catalogue.under``), as the command line does.
    """
    rows = base_list(data, as_of).rows
    changes = {c.site: c for c in change_report(data, since, as_of).differences} if since else {}
    folded = {g.casefold() for g in governorates}
    placed: list[tuple[MapSite, str | None]] = []
    areas, unplaced = [], []
    for row in rows:
        identity, status = row.site, row.status
        if sites and identity.id not in sites:
            continue
        if folded and (identity.admin1 or "").casefold() not in folded:
            continue
        change = changes.get(identity.id)
        before = change.before if change else None
        who = status.holder or status.previous
        if actors and not any(a in actors for a in (who, before.holder if before else None, before.previous if before else None) if a):
            continue
        if identity.kind in AREA_KINDS:
            areas.append(identity.id)
            continue
        if identity.lat is None or identity.lon is None:
            unplaced.append(identity.id)
            continue
        force = force_of_state(data, status, as_of)
        item = MapSite(
            site=identity,
            as_of=as_of.isoformat(),
            status=status,
            force=force,
            force_name=data.actor_name(force) if force else None,
            state=_STATES.get(status.status, "none"),
            on_map=SYRIA.contains(identity.lon, identity.lat),
            changed=(change is not None) if since else None,
            before=before,
        )
        placed.append((item, who))
    # The legend names the forces whose letters are drawn (with --at, on the sites that changed).
    legend = _legend(data, [(item, who) for item, who in placed if since is None or item.changed])
    letters = {f.force: f.marker for f in legend}
    marked = tuple(_with_marker(item, letters, since is not None) for item, _ in placed)
    return SiteMap(
        as_of=as_of.isoformat(),
        since=since.isoformat() if since else None,
        frame=(SYRIA.west, SYRIA.south, SYRIA.east, SYRIA.north),
        sites=marked,
        legend=legend,
        areas=tuple(areas),
        unplaced=tuple(unplaced),
    )


def shared_mark(sites: Iterable[MapSite]) -> str | None:
    """The one mark that can stand for sites drawn at one spot, or None when they need a number.

    Sites that agree share their mark. Where one force's letter is the only letter among
    them, it stands for the rest (a city nobody is recorded holding, beside the base a force
    holds): the list under the map names them all.
    """
    marks = {s.marker for s in sites}
    if len(marks) == 1:
        return marks.pop()
    letters = {m for m in marks if m.isalpha()}
    return letters.pop() if len(letters) == 1 else None


def _with_marker(item: MapSite, letters: dict[str, str], comparing: bool) -> MapSite:
    if comparing and not item.changed:
        return replace(item, marker=UNCHANGED)
    if item.state == "left":
        return replace(item, marker=LEFT)
    if item.state == "none" or item.force is None:
        return replace(item, marker=NO_HOLDER)
    letter = letters[item.force]
    return replace(item, marker=letter if item.state == "held" else letter.lower())


def _legend(data: Dataset, placed: list[tuple[MapSite, str | None]]) -> tuple[MapForce, ...]:
    """A letter for every force with a site held or being left: the same on every map of the data,
    unless a force on this one has none of the 25 the data hands out (then the busiest choose first)."""
    letters = _letters(data)
    counts: dict[str, dict[str, int]] = {}
    holders: dict[str, list[str]] = {}
    for item, who in placed:
        if item.force is None or item.state == "none":
            continue
        tally = counts.setdefault(item.force, {"held": 0, "leaving": 0, "left": 0})
        tally[item.state] += 1
        if who and item.state in ("held", "leaving"):
            holders.setdefault(item.force, []).append(data.actor_name(who))
    order = sorted(counts, key=lambda f: (-(counts[f]["held"] + counts[f]["leaving"]), data.actor_name(f).casefold(), f))
    marked = [f for f in order if counts[f]["held"] + counts[f]["leaving"]]
    if any(letters.get(f, OTHER) == OTHER for f in marked):
        # A map crowded past the letters the data hands out: the busiest forces on it choose first.
        letters = _lettered(marked, data)
    legend = []
    for force in order:
        name = data.actor_name(force)
        # A force that only left sites has no letter: those sites are drawn as LEFT.
        letter = letters[force] if force in marked else ""
        legend.append(
            MapForce(letter, force, name, tuple(sorted(set(holders.get(force, ())), key=str.casefold)),
                     counts[force]["held"], counts[force]["leaving"], counts[force]["left"])
        )  # fmt: skip
    return tuple(legend)


def _letters(data: Dataset) -> dict[str, str]:
    """Each force's letter, chosen once for the data whatever the day, so that two maps read alike:
    the forces in the most moves choose first (the Syrian government S, the Iraqi government G)."""
    moves: dict[str, int] = {}
    for actor, count in data.actor_counts(EventFilter(types=DRIVING_TYPES)).items():
        force = data.force_of(actor)
        moves[force] = moves.get(force, 0) + count
    return _lettered(sorted(moves, key=lambda f: (-moves[f], data.actor_name(f).casefold(), f)), data)


def _lettered(forces: Iterable[str], data: Dataset) -> dict[str, str]:
    """A letter for each of ``forces`` from its name, each choosing in turn among those left."""
    taken: set[str] = set()
    letters = {}
    for force in forces:
        letters[force] = _letter(data.actor_name(force), taken)
        taken.add(letters[force])
    return letters


# Letters a force's name may not take: they read as other marks.
_AVOID = {"O"}
# When A-Z are all taken, forces share this mark (each site's force is in the list under the map).
OTHER = "#"


def _letter(name: str, taken: set[str]) -> str:
    """The first free letter among the initials of a name's words, then its other letters, then A-Z."""
    words = [w for w in name.replace("-", " ").split() if w.casefold() not in ("the", "of", "and")]
    candidates: Iterable[str] = [
        *(w[0] for w in words),
        *(c for w in words for c in w[1:]),
        *"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ]
    for char in candidates:
        letter = char.upper()
        if "A" <= letter <= "Z" and letter not in taken and letter not in _AVOID:
            return letter
    return OTHER

