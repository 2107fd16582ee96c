"""A stateful test: add, import and reopen in any order, and the store always equals a model.

Hypothesis drives a store file through ``store.apply_changes`` (one event added
or changed, a batch imported, a dry run) and reopens it from disk, checking
after every step that the file holds exactly what a plain dict of
``id -> event JSON`` says it should, and that every write reports what it did.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from conftest import ACTORS, SITES
from strategies import actor_json, event_json, light_event_json
from syriabrief.domain.model import Actor, Event, Site, event_sort_key
from syriabrief.domain.names import name_clashes
from syriabrief.storage.loading import load_dataset
from syriabrief.storage.paths import bundled_path
from syriabrief.storage.store import Changes, InvalidChangesError, apply_changes, load_catalogue, read_store

# Few ids, so that adds often hit an existing event (an update, or no change).
EVENT_IDS = st.sampled_from([f"event-{n}" for n in range(8)])
events = st.one_of(light_event_json(ids=EVENT_IDS), event_json(ids=EVENT_IDS))


class StoreAgainstModel(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="syriabrief-stateful-"))
        self.path = self.folder / "store.json"
        self.model: dict[str, dict] = {}  # event id -> its JSON form
        self.actors: dict[str, dict] = {}

    @initialize()
    def start_with_the_actors_and_sites(self):
        report = apply_changes(
            self.path,
            Changes(actors=[Actor.from_json(a) for a in ACTORS], sites=[Site.from_json(s) for s in SITES]),
        )
        assert report.added["actors"] == [a["id"] for a in ACTORS]
        self.actors = {a["id"]: a for a in ACTORS}

    def expected_report(self, records: list[dict]) -> dict[str, list[str]]:
        kinds = {"added": [], "updated": [], "unchanged": []}
        seen = dict(self.model)
        for record in records:
            before = seen.get(record["id"])
            kinds["added" if before is None else "updated" if before != record else "unchanged"].append(record["id"])
            seen[record["id"]] = record
        return kinds

    def write(self, records: list[dict], dry_run: bool = False) -> None:
        expected = self.expected_report(records)
        before = self.path.read_bytes()
        report = apply_changes(self.path, Changes(events=[Event.from_json(r) for r in records]), dry_run=dry_run)
        assert report.added["events"] == expected["added"]
        assert report.updated["events"] == expected["updated"]
        assert report.unchanged["events"] == expected["unchanged"]
        if dry_run or not (expected["added"] or expected["updated"]):
            assert self.path.read_bytes() == before, "a write that changes nothing leaves the file alone"
        if not dry_run:
            self.model.update((r["id"], r) for r in records)

    @rule(record=events)
    def add(self, record):
        self.write([record])

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def change_an_existing_event(self, data):
        old = self.model[data.draw(st.sampled_from(sorted(self.model)))]
        new = data.draw(events)
        self.write([dict(new, id=old["id"])])

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def add_the_same_event_again(self, data):
        self.write([self.model[data.draw(st.sampled_from(sorted(self.model)))]])

    @rule(batch=st.lists(events, max_size=6, unique_by=lambda r: r["id"]), dry_run=st.booleans())
    def import_a_batch(self, batch, dry_run):
        self.write(batch, dry_run=dry_run)

    @rule(record=actor_json(ids=st.sampled_from(["new-actor-1", "new-actor-2"])))
    def add_an_actor(self, record):
        # A name another actor has (here or in the bundled data beneath) is refused, changing nothing.
        actors = [Actor.from_json(a) for a in {**self.actors, record["id"]: record}.values()]
        if name_clashes("actor", actors, load_catalogue([bundled_path()]).actors.values(), {record["id"]}):
            before = self.path.read_bytes()
            with pytest.raises(InvalidChangesError, match="already names the actor"):
                apply_changes(self.path, Changes(actors=[Actor.from_json(record)]))
            assert self.path.read_bytes() == before
            return
        report = apply_changes(self.path, Changes(actors=[Actor.from_json(record)]))
        before = self.actors.get(record["id"])
        expected = "added" if before is None else "updated" if before != record else "unchanged"
        assert getattr(report, expected)["actors"] == [record["id"]]
        self.actors[record["id"]] = record

    @rule()
    def reopen_as_a_dataset(self):
        data = load_dataset([self.path])
        assert [e.to_json() for e in data.select()] == [
            e.to_json() for e in sorted((Event.from_json(r) for r in self.model.values()), key=event_sort_key)
        ]

    @invariant()
    def the_store_on_disk_equals_the_model(self):
        contents = read_store(self.path)
        stored = [e.to_json() for e in contents.events]
        assert len({e["id"] for e in stored}) == len(stored), "each id once"
        assert {e["id"]: e for e in stored} == self.model
        assert {a.id: a.to_json() for a in contents.actors} == self.actors
        assert [s.to_json() for s in contents.sites] == SITES

    def teardown(self):
        shutil.rmtree(self.folder, ignore_errors=True)


StoreAgainstModel.TestCase.settings = settings(
    settings.default,
    max_examples=max(10, settings.default.max_examples // 3),
    stateful_step_count=12,
)
test_the_store_always_equals_the_model = StoreAgainstModel.TestCase
