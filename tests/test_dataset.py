"""The bundled dataset's integrity: what every later command relies on."""

import json
import re
from collections import Counter

import pytest

from syriabrief.storage.paths import bundled_path
from syriabrief.storage.store import read_store
from syriabrief.storage.loading import load_dataset
from syriabrief.domain.validate import check_records, check_store_layout

RAW = json.loads(bundled_path().read_text(encoding="utf-8"))
DATA = load_dataset([bundled_path()])


def test_the_file_is_a_valid_store_with_every_record_valid():
    assert check_store_layout(RAW) == []
    for table, kind in (("actors", "actor"), ("sites", "site"), ("events", "event")):
        assert [str(p) for p in check_records(kind, RAW[table])] == []


def test_every_reference_resolves():
    # load_dataset refuses dangling references; check the counts it kept, too.
    assert len(DATA.events) == len(RAW["events"]) >= 40
    assert len(DATA.actors) >= 15 and len(DATA.sites) >= 12


def test_every_event_cites_an_outlet_and_a_document():
    for event in DATA.events:
        assert event.sources, event.id
        for source in event.sources:
            assert source.outlet.strip() and source.document, event.id


def test_every_event_keeps_every_key_of_the_json_contract():
    keys = list(read_store(bundled_path()).events[0].to_json())
    for record in RAW["events"]:
        assert list(record) == keys, record["id"]


def test_ids_are_unique_slugs_and_event_ids_start_with_their_date():
    for table in ("actors", "sites", "events"):
        ids = [r["id"] for r in RAW[table]]
        assert not [i for i, n in Counter(ids).items() if n > 1]
    for record in RAW["events"]:
        assert record["id"].startswith(record["date"]), record["id"]


def test_no_spelling_names_two_different_actors_or_sites():
    for table in ("actors", "sites"):
        owners: dict[str, str] = {}
        for record in RAW[table]:
            for name in {record["name"], *record["aliases"]}:
                key = " ".join(name.casefold().replace(".", "").split())
                assert owners.setdefault(key, record["id"]) == record["id"], (name, owners[key], record["id"])


@pytest.mark.parametrize(
    "kind, spelling, expected",
    [
        ("site", "Kasrak", "qasrak"), ("site", "Al-Kasrak", "qasrak"), ("site", "Khmeimim", "hmeimim"),
        ("site", "Rumeilan", "rmelan"), ("site", "Kharab al-Jir", "rmelan"),
        ("actor", "Syrian Democratic Forces", "sdf"), ("actor", "Ahmed Shala", "al-sharaa"),
        ("actor", "U.S.", "us"), ("actor", "United States", "us"),
    ],
)  # fmt: skip
def test_the_spellings_users_type_resolve(kind, spelling, expected):
    assert getattr(DATA, kind)(spelling).id == expected


def test_the_al_shaddadi_dates_keep_both_accounts():
    shaddadi = [e for e in DATA.events if "al-shaddadi-base" in e.places and e.type in ("withdrawal", "handover")]
    disputed = [e for e in shaddadi if e.status == "disputed"]
    assert disputed, "the US exit from al-Shaddadi must stay disputed"
    claims = " ".join(d.claim for e in shaddadi for d in e.disputes)
    assert re.search("January", claims)
    assert any(s.document.startswith("000_") for e in shaddadi for d in e.disputes for s in d.sources)


def test_dates_carry_their_precision():
    for record in RAW["events"]:
        assert record["date_precision"] == {4: "year", 7: "month", 10: "day"}[len(record["date"])]
