"""The bundled dataset's integrity: what every later command relies on."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from syriabrief.domain.model import DISPUTE_ASPECTS, STATE_ASPECTS
from syriabrief.domain.validate import check_records, check_store_layout
from syriabrief.storage.paths import bundled_path
from syriabrief.storage.store import load_plain, read_store

RAW = json.loads(bundled_path().read_text(encoding="utf-8"))
DATA = load_plain([bundled_path()])  # the reference dataset: every event in memory
DATA_SOURCES_DOC = Path(__file__).resolve().parents[1] / "docs" / "data-sources.md"
# The two seed articles the dataset started from (../shared/seeds), cited by the pages that published them.
SEED_QASRAK = "https://www.grayscaleinsight.com/topic-post/3946"
SEED_PAGES = {
    SEED_QASRAK: "Grayscale Insight",  # the US leaving Qasrak, 24 Feb 2026
    "https://www.thebeiruter.com/article/russia-alters-its-military-posture-in-northeast-syria/986": "The Beiruter",
}
NO_OUTLET = "No outlet found"


def _event(event_id):
    return next(e for e in DATA.events if e.id == event_id)


def _all_sources(event):
    """Every source an event cites, for its own account and for each other account."""
    return [*event.sources, *(s for d in event.disputes for s in d.sources)]


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
    assert any(s.url == SEED_QASRAK for e in shaddadi for d in e.disputes for s in d.sources)


def test_dates_carry_their_precision():
    for record in RAW["events"]:
        assert record["date_precision"] == {4: "year", 7: "month", 10: "day"}[len(record["date"])]


def test_a_seed_quoted_as_a_conflicting_account_is_not_also_a_source():
    # Issue 11: seed 000 dates the US exit from al-Shaddadi to January; it was both a source of the
    # 15 February handover and the dispute against it. A seed's own voice that disagrees about who,
    # when, whether or where must not also vouch for the event. Agencies the seed quotes (AP,
    # Reuters) are other reporters, and a disagreement over figures may quote one of the pages whose
    # figures the event's range already spans.
    for event in DATA.events:
        own = {(s.outlet, s.url) for s in event.sources if s.url in SEED_PAGES}
        for dispute in event.disputes:
            if dispute.about in STATE_ASPECTS:
                quoted = {(s.outlet, s.url) for s in dispute.sources if s.url in SEED_PAGES}
                assert not quoted & own, (event.id, dispute.claim)
    shaddadi = _event("2026-02-15-us-hands-al-shaddadi-base-to-army")
    assert not [s for s in shaddadi.sources if s.url in SEED_PAGES]
    assert [s for d in shaddadi.disputes for s in d.sources if s.url == SEED_QASRAK]


def test_every_source_names_the_outlet_that_reported_it_or_says_plainly_there_is_none():
    for event in DATA.events:
        for source in _all_sources(event):
            outlet = source.outlet.strip()
            assert outlet and outlet != "syriabrief research notes", event.id
            # the agency rule: "a Times of Israel page running an AFP story" is AFP, not "X (citing AFP)"
            assert not re.search(r"\((citing|via) ", outlet), (event.id, outlet)
            # A seed article's own voice is its publisher; what it quotes is the agency quoted.
            if source.url in SEED_PAGES and outlet not in ("Associated Press", "Reuters", "The Wall Street Journal"):
                assert outlet == SEED_PAGES[source.url], (event.id, source)
            if outlet == NO_OUTLET:
                assert source.url is None and len(source.document or "") > 40, (event.id, source)


def test_every_source_points_to_a_page_and_carries_the_date_the_page_shows():
    undated, pages = 0, set()
    for event in DATA.events:
        for source in _all_sources(event):
            if source.outlet != NO_OUTLET:
                assert source.url, (event.id, source)
            if source.published is None:
                undated += 1
                pages.add(source.url or source.document)
    # A null date is allowed only where the page shows none; docs/data-sources.md says how many.
    stated = re.search(r"(\d+) sources \(on (\d+) pages\) have no publication date", DATA_SOURCES_DOC.read_text())
    assert stated, "docs/data-sources.md must say how many sources have no publication date"
    assert (int(stated[1]), int(stated[2])) == (undated, len(pages))


def test_every_dispute_says_what_it_is_about():
    for record in RAW["events"]:
        for dispute in record["disputes"]:
            assert dispute.get("about") in DISPUTE_ASPECTS, (record["id"], dispute["claim"])


def test_one_move_is_one_event_the_us_exit_from_al_omar():
    exits = [e for e in DATA.events if e.site == "al-omar-oil-field" and e.type in ("withdrawal", "handover") and "us" in e.actors]
    assert [e.id for e in exits] == ["2025-05-us-leaves-green-village-sdf-takes-over"]
    assert "kurdistan24.net/en/story/843755" in " ".join(s.url or "" for s in exits[0].sources)


def test_casualties_are_figures_of_the_event_and_not_a_force_size():
    raqqa = _event("2026-02-21-isis-attack-raqqa")
    assert raqqa.quantities == {"soldiers_killed": 1, "civilians_killed": 1}
    assert raqqa.strength_names == []
    assert _event("2026-02-23-us-convoy-leaves-qasrak-for-kurdistan-region").strength_names == ["troops_remaining"]


def test_a_count_of_those_who_left_is_a_figure_of_the_event_not_a_force_size():
    departures = [e for e in DATA.events if any("withdrawn" in q for q in e.quantities)]
    assert {q for e in departures for q in e.quantities if "withdrawn" in q} == {"troops_withdrawn", "sdf_fighters_withdrawn"}
    assert all(not any("withdrawn" in n for n in e.strength_names) for e in departures)
