"""Synthetic stores for the benchmarks: realistic events from a fixed seed, written as they stream.

The same seed and size always give the same file, byte for byte. Events name a
handful of real actors from the bundled dataset (``sdf``, ``us``, ``russia`` ...)
beside invented ones, hundreds of sites, dates over 2012-2026 at day, month and
year precision, one to three sources and a 150-250-character summary.

The store is written by ``storefile.write_store``, the one writer of the
store file's layout, record by record, so that a million events never sit in
memory at once. ``write_acled_csv`` writes the same kind of events
as an ACLED export, for the import benchmark.

Usage: python benchmarks/generate.py SIZE PATH [--acled]   (SIZE: 1k, 10k, 100k, 1M or a number)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SEED = 20260221
# Bumped whenever the generator's output changes, so that kept stores are made again
# (2: no alias that names a bundled actor, which validate refuses).
GENERATOR_VERSION = 2
FIRST_DAY = dt.date(2012, 1, 1)
LAST_DAY = dt.date(2026, 6, 30)
SITE_COUNT = 400

# Actors that also exist in the bundled dataset, so that names such as "SDF"
# resolve the same way with the bundled layer underneath.
REAL_ACTORS = [
    ("sdf", "Syrian Democratic Forces", ["SDF", "Syrian Democratic Forces", "QSD"], "non_state_armed_group", "Syria"),
    ("us", "United States", ["US", "U.S.", "United States", "American forces"], "state", "United States"),
    ("russia", "Russia", ["Russia", "Russian Federation", "Russian forces"], "state", "Russia"),
    ("turkey", "Turkey", ["Turkey", "Türkiye"], "state", "Turkey"),
    ("syrian-army", "Syrian Army", ["Syrian army", "SAA"], "state_armed_force", "Syria"),
    ("isis", "Islamic State", ["ISIS", "ISIL", "Daesh", "Islamic State"], "non_state_armed_group", None),
    ("iran", "Iran", ["Iran", "Islamic Republic of Iran"], "state", "Iran"),
    ("ypg", "People's Protection Units", ["YPG", "People's Protection Units"], "non_state_armed_group", "Syria"),
]
INVENTED_ACTORS = 24
OUTLETS = ["Reuters", "Associated Press", "AFP", "Al Jazeera", "SANA", "Hawar News", "Syrian Observatory for Human Rights",
           "Enab Baladi", "Rudaw", "Shafaq News", "North Press Agency", "Anadolu", "TASS", "The New York Times"]  # fmt: skip
TYPES = ["withdrawal", "deployment", "handover", "control_change", "detainee_transfer", "attack", "clash",
         "offensive", "prison_break", "ceasefire", "agreement", "meeting", "statement", "alliance",
         "leadership_change"]  # fmt: skip
TYPE_WEIGHTS = [8, 8, 3, 6, 2, 20, 22, 4, 1, 2, 3, 5, 12, 1, 1]
STATUSES = ["confirmed", "reported", "claimed", "planned", "disputed"]
STATUS_WEIGHTS = [35, 45, 10, 5, 5]
GOVERNORATES = ["al-Hasakah", "Deir ez-Zor", "Raqqa", "Aleppo", "Idlib", "Homs", "Hama", "Latakia", "Tartus",
                "Damascus", "Rif Dimashq", "Daraa", "Quneitra", "As-Suwayda"]  # fmt: skip
SITE_KINDS = ["base", "garrison", "town", "city", "camp", "oil_field", "border_crossing", "airport", "prison"]
VERBS = ["moved", "withdrew", "deployed", "redeployed", "pulled back", "reinforced positions", "clashed",
         "handed over positions", "set up checkpoints", "evacuated personnel", "sent a convoy"]  # fmt: skip
PLACES_TEXT = ["near the river crossing", "on the road south of the town", "around the old airfield",
               "along the border strip", "in the eastern countryside", "at the grain silos",
               "outside the oil facility", "inside the former school compound"]  # fmt: skip
CLAUSES = ["according to local sources", "residents said", "a monitoring group reported",
           "officials speaking anonymously said", "footage shared online appeared to show",
           "the report could not be independently verified", "a spokesperson later confirmed",
           "witnesses counted dozens of vehicles", "the move followed days of negotiations",
           "tensions had risen in the area for weeks"]  # fmt: skip
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000}


def parse_size(text: str) -> int:
    return SIZES.get(text) or int(text.replace("_", ""))


def actors() -> list[dict[str, Any]]:
    records = [
        {"id": i, "name": n, "aliases": a, "kind": k, "country": c, "parent": None, "affiliations": []}
        for i, n, a, k, c in REAL_ACTORS
    ]
    for n in range(1, INVENTED_ACTORS + 1):
        records.append({"id": f"armed-group-{n:02d}", "name": f"Armed Group {n}", "aliases": [f"AG{n}"],
                        "kind": "non_state_armed_group", "country": "Syria", "parent": None,
                        "affiliations": []})  # fmt: skip
    records[-1]["parent"] = "sdf"  # one parent link, as real data has
    return records


def sites(rng: random.Random) -> list[dict[str, Any]]:
    records = []
    for n in range(1, SITE_COUNT + 1):
        kind = rng.choice(SITE_KINDS)
        gov = rng.choice(GOVERNORATES)
        records.append({
            "id": f"site-{n:03d}", "name": f"{kind.replace('_', ' ').title()} {n} ({gov})",
            "aliases": [f"S{n}"], "kind": kind, "country": "Syria", "admin1": gov,
            "lat": round(rng.uniform(32.5, 37.2), 4), "lon": round(rng.uniform(35.8, 42.3), 4),
            "location_precision": rng.choice(["exact", "approximate"]),
            # Every third site past the tenth lies inside one of the first ten, as a base in its
            # governorate does (chosen without the random generator, so the events stay the same).
            "parent": f"site-{n % 10 + 1:03d}" if n > 10 and n % 3 == 0 else None,
        })  # fmt: skip
    return records


def _day(rng: random.Random) -> dt.date:
    # Recent years are better covered, as in real event data: weight by sqrt.
    span = (LAST_DAY - FIRST_DAY).days
    return FIRST_DAY + dt.timedelta(days=int(span * rng.random() ** 0.5))


def _summary(rng: random.Random, who: str, where: str) -> str:
    text = f"{who} {rng.choice(VERBS)} {rng.choice(PLACES_TEXT)} of {where}"
    while len(text) < 150:
        text += f"; {rng.choice(CLAUSES)}"
    if len(text) > 245:
        text = text[:245].rsplit(" ", 1)[0]
    return text + "."


def events(size: int, actor_records: list[dict], site_records: list[dict], rng: random.Random) -> Iterator[dict]:
    actor_ids = [a["id"] for a in actor_records]
    # The real actors are named far more often than the invented ones.
    actor_weights = [12] * len(REAL_ACTORS) + [1] * INVENTED_ACTORS
    names = {a["id"]: a["name"] for a in actor_records}
    site_ids = [s["id"] for s in site_records]
    for n in range(size):
        day = _day(rng)
        roll = rng.random()
        if roll < 0.05:
            date, precision = f"{day.year:04d}", "year"
        elif roll < 0.15:
            date, precision = f"{day.year:04d}-{day.month:02d}", "month"
        else:
            date, precision = day.isoformat(), "day"
        end_date = None
        if precision == "day" and rng.random() < 0.1:
            end_date = (day + dt.timedelta(days=rng.randint(1, 20))).isoformat()
            if end_date > LAST_DAY.isoformat():
                end_date = None
        kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        who = list(dict.fromkeys(rng.choices(actor_ids, actor_weights, k=rng.choice((1, 1, 2, 2, 3)))))
        site = rng.choice(site_ids)
        moving = kind in ("withdrawal", "deployment", "detainee_transfer")
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        sources = [
            {"outlet": outlet, "document": f"report-{rng.randint(1, 99999):05d}",
             "url": f"https://news.example/{day.year}/{rng.randint(1, 10**9):09d}",
             "published": (day + dt.timedelta(days=rng.randint(0, 3))).isoformat()}
            for outlet in rng.sample(OUTLETS, rng.randint(1, 3))
        ]  # fmt: skip
        yield {
            "id": f"{date}-{kind.replace('_', '-')}-{n:07d}",
            "date": date,
            "end_date": end_date,
            "date_precision": precision,
            "approximate": rng.random() < 0.1,
            "type": kind,
            "stage": rng.choice(["began", "ongoing", "completed", None]) if kind == "withdrawal" else None,
            "actors": who,
            "site": site,
            "origin": site if moving and rng.random() < 0.5 else None,
            "destination": rng.choice(site_ids) if moving else None,
            "quantities": {"vehicles": rng.randint(2, 120)} if rng.random() < 0.2 else {},
            "status": status,
            "summary": _summary(rng, names[who[0]], site.replace("-", " ")),
            "sources": sources,
            "disputes": (
                [{"claim": "Another outlet gave a different date for the same movement.", "sources": sources[:1]}]
                if status == "disputed" else []
            ),
            "tags": rng.sample(["northeast", "euphrates", "border", "oil", "detainees", "convoy"], rng.randint(0, 2)),
        }


def write_store(path: Path, size: int, seed: int = SEED) -> Path:
    """Write a store of ``size`` events to ``path`` in the store file's layout (storefile.write_store); returns path."""
    from syriabrief.storage.storefile import write_store as write_layout

    rng = random.Random(seed)
    actor_records, site_records = actors(), sites(rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        write_layout(out, 1, actor_records, site_records, events(size, actor_records, site_records, rng))
    tmp.replace(path)
    return path


ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]  # fmt: skip
_ACLED_TYPES = {
    "attack": ("Violence against civilians", "Attack"), "clash": ("Battles", "Armed clash"),
    "offensive": ("Battles", "Armed clash"),
    "control_change": ("Battles", "Government regains territory"),
    "deployment": ("Strategic developments", "Headquarters or base established"),
    "withdrawal": ("Strategic developments", "Non-violent transfer of territory"),
    "handover": ("Strategic developments", "Non-violent transfer of territory"),
    "agreement": ("Strategic developments", "Agreement"), "ceasefire": ("Strategic developments", "Agreement"),
    "meeting": ("Strategic developments", "Agreement"),
}  # fmt: skip


def write_acled_csv(path: Path, size: int, seed: int = SEED) -> Path:
    """Write ``size`` rows shaped like an ACLED export (API column names, ISO dates) to ``path``."""
    rng = random.Random(seed)
    actor_records, site_records = actors(), sites(rng)
    names = {a["id"]: a["name"] for a in actor_records}
    where = {s["id"]: s for s in site_records}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(ACLED_COLUMNS)
        for n, e in enumerate(events(size, actor_records, site_records, rng), 1):
            day = e["date"] if len(e["date"]) == 10 else (e["date"] + "-01-01")[:10]
            event_type, sub_type = _ACLED_TYPES.get(e["type"], ("Strategic developments", "Other"))
            site = where[e["site"]]
            writer.writerow([
                f"SYR{n}", day, day[:4], {"day": 1, "month": 2, "year": 3}[e["date_precision"]],
                "Political violence", event_type, sub_type, names[e["actors"][0]], "",
                rng.randint(1, 8), names[e["actors"][1]] if len(e["actors"]) > 1 else "", "", 0, 10, "",
                760, "Middle East", "Syria", site["admin1"], "", "", site["name"], site["lat"], site["lon"], 1,
                "; ".join(s["outlet"] for s in e["sources"]), "National", e["summary"],
                rng.choice([0, 0, 0, 1, 2, 5]), "", 1700000000 + n,
            ])  # fmt: skip
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="1k, 10k, 100k, 1M or a number of events")
    parser.add_argument("path", type=Path)
    parser.add_argument("--acled", action="store_true", help="write an ACLED-format CSV instead of a store")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    writer = write_acled_csv if args.acled else write_store
    writer(args.path, parse_size(args.size), args.seed)
    print(args.path, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
