import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import event, store_json
from strategies import event_json, json_values
from syriabrief.domain.model import EVENT_KEYS
from syriabrief.domain.validate import check_records, check_store_layout


def problems(record: dict) -> list[str]:
    return [str(p) for p in check_records("event", [record])]


def test_a_good_event_has_no_problems():
    assert problems(event("a", "2026-01-15")) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"date": "2026-13"}, "date: '2026-13' has no month 13"),
        ({"date": 2026}, "date: must be a date string"),
        ({"date": "2026-01-15", "date_precision": "month"}, "date_precision: 'month' does not match"),
        ({"end_date": "2025-01-01"}, "end_date: '2025-01-01' is before"),
        ({"type": "invasion"}, "type: 'invasion' is not one of"),
        ({"status": "rumoured"}, "status: 'rumoured' is not one of"),
        ({"sources": []}, "sources: must be a non-empty list"),
        ({"sources": [{"url": "x"}]}, "sources[1].outlet: is required"),
        ({"quantities": {"troops": float("nan")}}, "quantities.troops: must be a finite number"),
        ({"quantities": {"troops": {"low": 5, "high": 1}}}, "quantities.troops: needs numbers with low <= high"),
        ({"quantities": {"troops": True}}, "quantities.troops"),
        ({"id": "Not A Slug"}, "id: must be an id"),
        ({"sumary": "typo"}, "sumary: is not a field"),
        ({"summary": "   "}, "summary: must be non-empty text"),
        ({"actors": "us"}, "actors: must be a list of ids"),
        ({"date": "1066"}, "outside 1900-2100"),
    ],
)
def test_each_problem_names_the_record_the_field_and_what_is_wrong(change, expected):
    record = {**event("a", "2026-01-15"), **change}
    found = problems(record)
    assert any(expected in p for p in found), found
    assert all(p.startswith("event 1") for p in found)


def test_missing_required_fields_are_each_reported_once():
    found = problems({"id": "a"})
    # Once each: a missing field is not also "None is not one of ..." (a store's load error and
    # validate count the same problems).
    assert [p.split(": ", 1)[1] for p in found] == [f"{name}: is required" for name in ("date", "type", "summary", "sources")]


def test_duplicate_ids_in_one_file_are_reported():
    found = [str(p) for p in check_records("event", [event("a", "2026"), event("a", "2026")])]
    assert found == ["event 2 (a): id: 'a' is used by an earlier event"]


def test_store_layout():
    assert check_store_layout(store_json([])) == []
    assert "not a syriabrief store" in check_store_layout([])[0].message
    assert "no schema_version" in check_store_layout({"events": []})[0].message
    assert "newer than" in check_store_layout({"schema_version": 99})[0].message


def test_site_parents_must_exist_and_never_loop():
    from syriabrief.domain.model import Site
    from syriabrief.domain.validate import check_references, site_cycles

    sites = [Site("a", "A", parent="b"), Site("b", "B", parent="c"), Site("c", "C", parent="a"),
             Site("d", "D", parent="a"), Site("e", "E", parent="nowhere")]  # fmt: skip
    problems = [str(p) for p in check_references((), set(), {s.id for s in sites}, sites=sites)]
    assert problems == [
        "site e: parent: no site with id 'nowhere'",
        "site a: parent: makes a site contain itself: a in b in c in a",
    ]
    # A loop through a site of the layer beneath is found too; a chain without one is not a loop.
    assert site_cycles({"x": "y", "y": "x"}, ["x"]) == [["x", "y", "x"]]
    assert site_cycles({"x": "y", "y": None}) == []
    assert [str(p) for p in check_records("site", [{"id": "a", "name": "A", "parent": "a"}])] == [
        "site 1 (a): parent: a site cannot be inside itself"
    ]


def site_problems(record: dict) -> list[str]:
    return [str(p) for p in check_records("site", [record])]


def test_a_site_note_is_a_sourced_fact():
    note = {"text": "About 50 km from the Turkish border.", "sources": [{"outlet": "AP"}]}
    assert site_problems({"id": "qasrak", "name": "Qasrak", "notes": [note]}) == []
    unsourced = site_problems({"id": "qasrak", "name": "Qasrak", "notes": [{"text": "Big."}]})
    assert any("notes[1].sources: must be a non-empty list" in p for p in unsourced), unsourced
    typo = site_problems({"id": "qasrak", "name": "Qasrak", "notes": [{"txt": "Big.", "sources": [{"outlet": "AP"}]}]})
    assert any("notes[1].txt: is not a field of a note" in p for p in typo), typo
    assert any("notes[1].text: is required" in p or "notes[1].text" in p for p in typo), typo



def test_lone_surrogates_are_found_in_a_big_list_without_walking_every_record(monkeypatch):
    """Walking each record in Python was most of the time of checking a big import: only a batch
    whose JSON shows a surrogate (or that JSON cannot encode) is walked."""
    from syriabrief.domain import validate

    walked = []
    real_walk = validate._has_lone_surrogate
    monkeypatch.setattr(validate, "_has_lone_surrogate", lambda value: walked.append(value) or real_walk(value))
    records = [event(f"e{n}", "2026-01-15") for n in range(2500)]
    assert check_records("event", records) == [] and walked == []
    records[1234]["summary"] += "\ud800"
    records[2100]["tags"] = ["ok", b"not json"]  # JSON cannot encode its batch: walked, and nothing found
    found = [str(p) for p in check_records("event", records)]
    assert [p for p in found if "surrogate" in p] == [
        "event 1235 (e1234): holds text that is not valid Unicode (a lone surrogate such as \\ud800)"
    ]
    assert len(walked) == 1000 + 500  # the two batches that needed it (the last holds 500)


_SOURCE = [{"outlet": "SANA", "document": None, "url": None, "published": "2025-05-17"}]


@pytest.mark.parametrize(
    "joined, expected",
    [
        ("syrian-army", "joined: must be an object"),
        ({"date": "2025-01-29", "sources": _SOURCE}, "joined.actor: is required"),
        ({"actor": "Syrian Army", "date": "2025-01-29", "sources": _SOURCE}, "joined.actor: must be an id"),
        ({"actor": "hts", "date": "2025-01-29", "sources": _SOURCE}, "joined.actor: an actor cannot join itself"),
        ({"actor": "syrian-army", "date": "2025-13", "sources": _SOURCE}, "joined.date: '2025-13' has no month 13"),
        ({"actor": "syrian-army", "sources": _SOURCE}, "joined.date: is required"),
        ({"actor": "syrian-army", "date": "2025-01-29"}, "joined.sources: must be a non-empty list"),
        ({"actor": "syrian-army", "date": "2025-01-29", "sources": _SOURCE, "when": "x"}, "joined.when: is not a field"),
    ],
)
def test_an_actor_joining_another_says_which_when_and_who_reported_it(joined, expected):
    record = {"id": "hts", "name": "HTS", "joined": joined}
    found = [str(p) for p in check_records("actor", [record])]
    assert any(expected in p for p in found), found
    assert check_records("actor", [{**record, "joined": {"actor": "syrian-army", "date": "2025-01", "sources": _SOURCE}}]) == []


def test_an_actor_cannot_join_one_that_does_not_exist():
    from syriabrief.domain.model import Actor
    from syriabrief.domain.validate import check_references

    hts = Actor.from_json({"id": "hts", "name": "HTS", "joined": {"actor": "mod", "date": "2025", "sources": _SOURCE}})
    assert [str(p) for p in check_references((), {"hts"}, set(), [hts])] == ["actor hts: joined.actor: no actor with id 'mod'"]


def test_an_actor_cannot_join_itself_through_others():
    """Joining one it is above, or one that joined it, would make it its own force."""
    from syriabrief.domain.model import Actor
    from syriabrief.domain.validate import check_references

    def actor(id, joined=None, parent=None):
        return Actor.from_json({"id": id, "name": id, "parent": parent,
                                "joined": {"actor": joined, "date": "2025", "sources": _SOURCE} if joined else None})  # fmt: skip

    loop = [actor("alpha", joined="beta"), actor("beta", joined="alpha")]
    own_child = [actor("gamma", joined="delta"), actor("delta", parent="gamma")]
    fine = [actor("hts", joined="mod"), actor("mod", parent="gov"), actor("gov")]
    found = [str(p) for p in check_references((), {"alpha", "beta", "gamma", "delta"}, set(), [*loop, *own_child])]
    assert found == [
        "actor alpha: joined.actor: 'beta' is under it, or joined it: an actor cannot join itself",
        "actor beta: joined.actor: 'alpha' is under it, or joined it: an actor cannot join itself",
        "actor gamma: joined.actor: 'delta' is under it, or joined it: an actor cannot join itself",
    ]
    assert check_references((), {"hts", "mod", "gov"}, set(), fine) == []


# Each field an event may have (and one it may not), and each field of its first source.
_CHANGED = [*EVENT_KEYS, "colour", *(f"sources[1].{key}" for key in ("outlet", "document", "url", "published", "page"))]


@st.composite
def _events_changed(draw, key: str) -> dict:
    """A valid event with ``key`` removed or given another value (JSON of any kind, or one nearly right);
    most without other accounts or ranges of figures, which the quick check leaves to the full one."""
    record = draw(event_json())
    if draw(st.integers(0, 3)):
        record["disputes"] = []
        record["quantities"] = {k: v for k, v in record["quantities"].items() if not isinstance(v, dict)}
    changed = record
    if key.startswith("sources[1]."):
        record["sources"][0] = changed = dict(record["sources"][0])
        key = key.removeprefix("sources[1].")
    if draw(st.integers(0, 3)) == 0:
        changed.pop(key, None)
    else:
        nearly = ["", " ", [], [""], ["x"], ["Us"], [1], {}, [{}], "2026-02-30", "1850", "month", "year", True, 1.5]
        changed[key] = draw(json_values | st.sampled_from(nearly))
    return record


@pytest.mark.parametrize("key", _CHANGED)
@settings(max_examples=30)
@given(data=st.data())
def test_the_quick_check_of_an_event_agrees_with_the_full_one(key, data):
    from syriabrief.domain.validate import _clean_event, _event_problems

    record = data.draw(_events_changed(key))
    found = list(_event_problems(record))
    quantities = record.get("quantities")
    ranges = isinstance(quantities, dict) and any(isinstance(v, dict) for v in quantities.values())
    if record.get("disputes") in (None, []) and not ranges:
        assert _clean_event(record) == (found == []), found
    else:  # other accounts and ranges of figures are always checked the long way
        assert not _clean_event(record)
