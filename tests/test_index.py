"""The SQLite index answers exactly as the plain in-memory path does, and never from a stale index."""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ACTORS, SITES, event, store_json
from syriabrief.cli import app
from syriabrief.domain.dataset import Dataset, summarize_events
from syriabrief.domain.dates import parse_user_date
from syriabrief.domain.filters import EventFilter
from syriabrief.domain.model import Event, event_sort_key
from syriabrief.domain.positions import (
    DRIVING_TYPES,
    ActorPositions,
    positions_by_actor,
    replay_prefix,
    site_status,
)
from syriabrief.errors import StoreError
from syriabrief.storage import engine, index, loading, paths, store
from syriabrief.storage import settled as settled_module
from syriabrief.storage.engine import SqlDataset
from syriabrief.storage.index import IndexedDataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

# Summaries whose case-insensitive matching differs between casefold() and SQL's
# ASCII-only LIKE/lower(): German sharp s, dotted capital I, Greek final sigma.
UNICODE_EVENTS = [
    event("2025-05-01-strasse", "2025-05-01", "deployment", actors=["sdf"], site="site-001",
          summary="Convoy seen on the Hauptstraße near the Türkiye border."),
    event("2025-05-02-istanbul", "2025-05-02", "meeting", actors=["turkey"],
          summary="Delegations met in İSTANBUL; ΟΔΟΣ closed."),
    event("2025-05", "2025-05", "statement", actors=["us", "sdf"], summary="A statement in May 2025 (SDF, US)."),
    # Figures: only a force's size counts as strength (EventFilter.with_strength).
    event("2025-06-01-troops", "2025-06-01", "deployment", actors=["us"], site="site-002",
          quantities={"troops": 900, "vehicles": 40}),
    event("2025-06-02-vehicles", "2025-06-02", "deployment", actors=["us"], site="site-002",
          quantities={"vehicles": 12}),
    # Disputed: by status alone, and by another account kept (EventFilter.disputed).
    event("2025-07-01-doubted", "2025-07-01", "withdrawal", actors=["us"], site="site-003", status="disputed"),
    event("2025-07-02-two-accounts", "2025-07-02", "withdrawal", actors=["us"], site="site-003",
          disputes=[{"claim": "It was on 3 July.", "sources": [], "about": "when"}]),
]  # fmt: skip


@pytest.fixture
def always_index(monkeypatch):
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0)


# The three ways a dataset is answered: the in-memory reference, the SQL engine
# in memory (small stores), and the SQL engine over an index file (big stores).
ENGINES = ("reference", "memory", "index")


def use_engine(monkeypatch, name: str) -> None:
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0 if name == "index" else 1 << 62)
    if name == "reference":
        monkeypatch.setattr(loading, "in_memory", lambda plain: plain)
    else:
        monkeypatch.setattr(loading, "in_memory", engine.in_memory)


def plain(paths) -> Dataset:
    return store.load_plain(paths)


def indexed(paths) -> IndexedDataset:
    data = index.open_indexed(paths)
    assert isinstance(data, IndexedDataset)
    return data


def generated(path: Path, size: int, seed: int = 7, extra: list[dict] | None = None, indent=None) -> Path:
    generate.write_store(path, size, seed)
    if extra or indent:
        layout = json.loads(path.read_text(encoding="utf-8"))
        layout["events"] += extra or []
        text = json.dumps(layout, indent=indent, ensure_ascii=False) if indent else store.dump_store(layout)
        path.write_text(text, encoding="utf-8")
    return path


def random_filters(data: Dataset, count: int, seed: int = 1) -> list[tuple[EventFilter, int | None]]:
    rng = random.Random(seed)
    actor_ids, site_ids = sorted(data.actors), sorted(data.sites)
    dates = ["2012", "2016-02", "2019-07-04", "2024", "2025-05", "2025-05-01", "2026-01", "2026-06-30", "2030"]
    words = ["convoy", "CONVOY", "strasse", "STRASSE", "istanbul", "οδος", "ΟΔΟΣ", "residents said", "x", "", "%", "_"]
    filters = [(EventFilter(), None), (EventFilter(), 0), (EventFilter(), 5), (EventFilter(), -1)]
    # Dates alone, and actors with dates: what the engine answers from the link table alone; and
    # the moves positions ask for. Drawn apart, so that the random filters below stay the same.
    fixed = random.Random(seed + 1)
    for since, until in ((None, "2025-05"), ("2016-02", None), ("2019-07-04", "2026-01")):
        days = {"since": parse_user_date(since) if since else None, "until": parse_user_date(until) if until else None}
        filters += [(EventFilter(**days), None), (EventFilter(**days, actors=frozenset(fixed.sample(actor_ids, 2))), 3)]
    filters.append((EventFilter(actors=frozenset(fixed.sample(actor_ids, 1))), None))
    filters += [
        (EventFilter(actors=frozenset(fixed.sample(actor_ids, 1)), types=DRIVING_TYPES), None),
        # Who acts (a comparison's own moves): the actor links' flag 8, merged or listed.
        (EventFilter(actors=frozenset(fixed.sample(actor_ids, 2)), types=DRIVING_TYPES, acting=True), None),
        (EventFilter(actors=frozenset(fixed.sample(actor_ids, 2)), since=parse_user_date("2016-02"), acting=True), 4),
        (EventFilter(acting=True), 2),
        (EventFilter(sites=frozenset(fixed.sample(site_ids, 1)), types=DRIVING_TYPES - {"presence"},
                     until=parse_user_date("2026-01")), 1),  # fmt: skip
    ]
    for _ in range(count):
        since, until = (parse_user_date(rng.choice(dates)) if rng.random() < 0.5 else None for _ in range(2))
        where = EventFilter(
            since=since,
            until=until,
            actors=frozenset(rng.sample(actor_ids, rng.choice((0, 0, 1, 2)))),
            sites=frozenset(rng.sample(site_ids, rng.choice((0, 0, 0, 1, 3)))),
            types=frozenset(rng.sample(generate.TYPES, rng.choice((0, 0, 1, 3)))),
            statuses=frozenset(rng.sample(generate.STATUSES, rng.choice((0, 0, 1)))),
            search=rng.choice([None, None, *words]),
            with_strength=rng.random() < 0.2,
            disputed=rng.random() < 0.2,
        )
        filters.append((where, rng.choice([None, None, 1, 3, 50])))
    return filters


def in_memory(paths) -> SqlDataset:
    return engine.in_memory(plain(paths))


def assert_same_answers(paths, filters=None, open_candidate=indexed):
    reference, candidate = plain(paths), open_candidate(paths)
    assert list(candidate.actors.items()) == list(reference.actors.items())
    assert list(candidate.sites.items()) == list(reference.sites.items())
    for where, limit in filters or random_filters(reference, 120):
        expected = reference.select(where, limit)
        assert candidate.select(where, limit) == expected, (where, limit)
        assert candidate.select_json(where, limit) == reference.select_json(where, limit), (where, limit)
        if limit is None:
            assert list(candidate.stream_json(where)) == reference.select_json(where), where
        for by in ("type", "actor"):
            assert candidate.tally(where, by) == reference.tally(where, by), (where, by)
        assert candidate.count(where) == reference.count(where) == len(reference.select(where)), where
        assert candidate.actor_counts(where) == reference.actor_counts(where), where
        assert candidate.moves(where) == reference.moves(where) == [e.move() for e in reference.select(where)]
        ids = frozenset([e.id for e in expected[::2]] + ["no-such-event"])
        by_id = EventFilter(ids=ids)
        assert candidate.select(by_id) == reference.select(by_id) == sorted(expected[::2], key=event_sort_key)
        assert candidate.span(where) == reference.span(where)
        for day in (datetime.date(2025, 6, 30), datetime.date(2026, 3, 1)):
            assert candidate.last_ended(where, day) == reference.last_ended(where, day), (where, day)
        assert candidate.summarize(where) == reference.summarize(where) == summarize_events(expected if limit is None else reference.select(where)), where
        # Every answer came from SQL: on an error the engine answers from the reference instead.
        assert getattr(candidate, "_plain", None) is None, where
        if where.sites:
            day = where.until.end if where.until else datetime.date(2030, 1, 1)
            made_there = [m for m in reference.moves(where._replace(types=DRIVING_TYPES, since=None, actors=frozenset(),
                          statuses=frozenset(), search=None, with_strength=False, disputed=False, until=where.until)) if m.site in where.sites]  # fmt: skip
            assert reference.replay_at(where.sites, day) == ({}, made_there)
            # The engine may start from kept states: each site replays to the same state.
            states, moves = candidate.replay_at(where.sites, day)
            assert {s: site_status(s, [m for m in moves if m.site == s], day, states.get(s)) for s in where.sites} == {
                s: site_status(s, made_there, day) for s in where.sites
            }
    candidate.close()


def test_indexed_and_plain_agree_on_many_filters(tmp_path, always_index):
    path = generated(tmp_path / "store.json", 400, extra=UNICODE_EVENTS)
    assert_same_answers([path])


def test_the_engine_in_memory_and_the_reference_agree_on_many_filters(tmp_path):
    path = generated(tmp_path / "store.json", 400, extra=UNICODE_EVENTS)
    assert_same_answers([path], open_candidate=in_memory)


def test_the_engine_in_memory_answers_the_bundled_dataset_as_the_reference():
    assert_same_answers([paths.bundled_path()], open_candidate=in_memory)


def test_a_store_read_into_memory_replays_its_sites_only_when_a_position_is_asked(monkeypatch):
    settled = []
    real_settle = settled_module.settle
    monkeypatch.setattr(settled_module, "settle", lambda db: settled.append(1) or real_settle(db))
    data = in_memory([paths.bundled_path()])
    assert data.select(EventFilter(since=parse_user_date("2026-01")))  # a timeline: no positions
    assert settled == []
    day = datetime.date(2026, 2, 24)
    statuses, _ = data.settled_statuses(day)
    assert settled == [1] and statuses["al-tanf"] == site_status("al-tanf", plain([paths.bundled_path()]).moves(), day)
    data.settled_periods(day)
    assert settled == [1]  # once


def test_a_settle_cut_short_leaves_nothing_behind_and_the_next_question_settles_whole(monkeypatch):
    real_keep = settled_module.keep_settled
    calls = []

    def interrupted(db, site, rows):
        calls.append(site)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_keep(db, site, rows)

    data, whole = in_memory([paths.bundled_path()]), in_memory([paths.bundled_path()])
    day = datetime.date(2026, 2, 24)
    monkeypatch.setattr(settled_module, "keep_settled", interrupted)
    with pytest.raises(KeyboardInterrupt):
        data.settled_statuses(day)
    monkeypatch.setattr(settled_module, "keep_settled", real_keep)
    assert data.settled_statuses(day) == whole.settled_statuses(day)
    assert data.settled_periods(day) == whole.settled_periods(day)  # no period kept twice


def test_a_failure_of_the_engine_in_memory_is_answered_by_the_reference(tmp_path, monkeypatch):
    data = in_memory([generated(tmp_path / "store.json", 50)])
    data._db.close()  # any SQL failure
    assert data.select(EventFilter(), 5) == plain([tmp_path / "store.json"]).select(EventFilter(), 5)


def test_search_is_casefold_not_sql_like(tmp_path, always_index):
    path = generated(tmp_path / "store.json", 20, extra=UNICODE_EVENTS)
    data = indexed([path])
    assert [e.id for e in data.select(EventFilter(search="STRASSE"))] == ["2025-05-01-strasse"]
    assert [e.id for e in data.select(EventFilter(search="οδος"))] == ["2025-05-02-istanbul"]
    data.close()


def test_layers_agree_later_layer_wins(tmp_path, always_index):
    bottom = generated(tmp_path / "bottom.json", 300, seed=1)
    layout = json.loads(bottom.read_text(encoding="utf-8"))
    # The top layer replaces some events (moving them in time and between actors) and adds others.
    replaced = [dict(e, date="2026-03-0" + str(1 + n % 9), end_date=None, date_precision="day",
                     actors=["russia"], summary="Replaced: " + e["summary"])
                for n, e in enumerate(layout["events"][::7])]  # fmt: skip
    top = tmp_path / "top.json"
    top.write_text(
        store.dump_store({"schema_version": 1, "actors": [dict(ACTORS[0], name="USA")], "sites": SITES,
                          "events": replaced + UNICODE_EVENTS}),  # fmt: skip
        encoding="utf-8",
    )
    assert_same_answers([bottom, top])


def test_files_not_written_one_record_per_line_are_read_whole(tmp_path, always_index):
    path = generated(tmp_path / "store.json", 150, extra=UNICODE_EVENTS, indent=2)
    assert_same_answers([path])


def test_lines_written_by_hand_give_the_same_json(tmp_path, always_index):
    # Keys in another order, optional keys missing, compact separators: still one record per line.
    lines = [
        {"summary": "Keys in another order.", "id": "2025-01-01-a", "type": "clash", "date": "2025-01-01",
         "sources": [{"url": None, "outlet": "AFP"}], "actors": ["sdf"]},
        {"id": "2025-01-02-b", "date": "2025-01", "type": "attack", "summary": "Few keys.",
         "sources": [{"outlet": "AFP"}], "status": None},
    ]  # fmt: skip
    text = store.dump_store({"schema_version": 1, "actors": ACTORS, "sites": SITES, "events": lines})
    path = tmp_path / "store.json"
    path.write_text(text.replace('"id": "2025-01-02-b", ', '"id":"2025-01-02-b",'), encoding="utf-8")
    assert_same_answers([path], [(EventFilter(), None), (EventFilter(search="keys"), 1)])


def test_a_changed_store_is_never_answered_from_the_old_index(tmp_path, always_index, monkeypatch):
    # No racy window: the index is trusted as long as the signatures match, so
    # only the signature check can catch the change below.
    monkeypatch.setattr(index, "RACY_WINDOW_NS", -10**18)
    path = generated(tmp_path / "store.json", 100)
    first = indexed([path])
    total = first.count()
    first.close()
    assert index._open_if_current(index.index_path([path]), [path], [index._signature(os.stat(path))], False)
    # Same size, same mtime: only the content (and the ctime the kernel sets) differ.
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    victim = next(n for n, line in enumerate(lines) if '"type": "attack"' in line)
    lines[victim] = lines[victim].replace('"type": "attack"', '"type": "clash" ')  # same length
    path.write_text("\n".join(lines), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    second = indexed([path])
    assert second.count() == total
    assert second.count(EventFilter(types=frozenset({"clash"}))) == plain([path]).count(
        EventFilter(types=frozenset({"clash"}))
    )
    second.close()
    # A new store with other events: the answer follows the file.
    generated(path, 60, seed=99)
    third = indexed([path])
    assert third.count() == 60 and third.select() == plain([path]).select()
    third.close()


@pytest.mark.parametrize("rewrite", ["moved", "cut short"])
def test_a_store_rewritten_in_place_while_it_is_read_gives_an_error_not_other_events(tmp_path, always_index, rewrite):
    # The signatures were checked when the index was opened; the file then changes under the
    # open handle (an editor saving in place), so the stored texts are no longer where the
    # index says. select_json reads them straight from the file, and must notice.
    path = generated(tmp_path / "store.json", 100)
    data = indexed([path])
    assert len(data.select_json()) == data.count() == 100
    text = path.read_bytes()
    with path.open("r+b") as handle:  # the same file
        if rewrite == "moved":  # every line one byte later
            handle.write(text.replace(b'"events": [\n', b'"events": [\n ', 1))
        else:  # ending inside the last event's line
            handle.truncate(len(text) - 40)
    with pytest.raises(StoreError, match="changed while it was being read"):
        data.select_json()
    data.close()


def test_without_pread_the_texts_are_read_the_same(tmp_path, always_index, monkeypatch):
    # os.pread is missing on Windows: the texts are read by seeking instead.
    path = generated(tmp_path / "store.json", 100)
    data = indexed([path])
    expected = data.select_json()
    monkeypatch.delattr(os, "pread")
    assert data.select_json() == expected and len(expected) == 100
    assert data.select_json(limit=3) == expected[-3:]
    data.close()


def test_an_index_built_right_after_a_write_is_trusted_for_one_answer_only(tmp_path, always_index):
    import sqlite3

    path = generated(tmp_path / "store.json", 30)
    indexed([path]).close()
    db = sqlite3.connect(index.index_path([path]))
    assert dict(db.execute("SELECT key, value FROM meta"))["provisional"] == "1"
    db.close()
    signatures = [index._signature(os.stat(path))]
    assert index._open_if_current(index.index_path([path]), [path], signatures, accept_provisional=False) is None


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda e: e[5].update(type="parade"), "is not one of"),
        (lambda e: e[40].update(actors=["nobody"]), "no actor with id 'nobody'"),
        (lambda e: e[77].update(id=e[3]["id"]), "is used by an earlier event"),
    ],
)
def test_a_broken_store_gives_the_plain_paths_error(tmp_path, always_index, monkeypatch, damage, message):
    monkeypatch.setattr(index, "BATCH", 16)  # the duplicate sits in another batch than the original
    path = generated(tmp_path / "store.json", 100)
    layout = json.loads(path.read_text(encoding="utf-8"))
    damage(layout["events"])
    path.write_text(store.dump_store(layout), encoding="utf-8")
    with pytest.raises(StoreError) as from_plain:
        plain([path])
    with pytest.raises(StoreError) as from_index:
        index.open_indexed([path])
    assert str(from_index.value) == str(from_plain.value) and message in str(from_plain.value)


def test_small_stores_are_answered_in_memory_by_the_same_engine(tmp_path):
    path = generated(tmp_path / "store.json", 20)
    assert type(loading.load_dataset([path])) is SqlDataset
    assert not paths.cache_dir().exists()


def test_the_timeline_command_prints_the_same_on_both_paths(tmp_path, monkeypatch):
    path = generated(tmp_path / "store.json", 300, extra=UNICODE_EVENTS)
    runner = CliRunner()
    monkeypatch.setattr("syriabrief.cli.timeline.SUMMARISE_ALL_UP_TO", 10)
    outputs = []
    for name in ENGINES:
        use_engine(monkeypatch, name)
        runs = [
            runner.invoke(app, ["timeline", "--db", str(path), *args])
            for args in (["--json"], ["--json", "--actor", "SDF", "--since", "2020", "--limit", "5"],
                         ["--search", "convoy"], ["--site", "S7"], [])
        ]  # fmt: skip
        assert all(r.exit_code == 0 for r in runs), [r.stderr for r in runs]
        outputs.append([(r.stdout, r.stderr) for r in runs])
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
    assert "307 events match; the latest 50" in outputs[1][4][0]
    assert "Showing the latest 50 events of 307" in outputs[1][4][1]


def test_worker_processes_build_the_same_index(tmp_path, always_index, monkeypatch):
    monkeypatch.setattr(index, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(index, "BATCH", 37)
    path = generated(tmp_path / "store.json", 300, extra=UNICODE_EVENTS)
    assert_same_answers([path], random_filters(plain([path]), 30))
    layout = json.loads(path.read_text(encoding="utf-8"))
    layout["events"][200]["date"] = "2026-13"
    path.write_text(store.dump_store(layout), encoding="utf-8")
    with pytest.raises(StoreError, match="has no month 13"):
        index.open_indexed([path])


POSITION_COMMANDS = [
    ["actor"], ["actor", "SDF"], ["actor", "SDF", "--limit", "3"], ["actor", "US", "--since", "2024"],
    ["base"], ["base", "S7"], ["compare", "SDF", "US"], ["compare", "S7", "S12"], ["brief", "--days", "400"],
    ["compare", "--at", "2020-01-01", "--at", "2025-06-30"],
]  # fmt: skip


@pytest.mark.parametrize("as_of", [None, "2019-07-04", "2025-05", "2026-06-30"])
def test_position_commands_print_the_same_on_both_paths(tmp_path, monkeypatch, as_of):
    """Settled histories kept in the index, replays over its moves, the plain path: one answer."""
    path = generated(tmp_path / "store.json", 300)
    runner = CliRunner()
    outputs = []
    for name in ENGINES:
        use_engine(monkeypatch, name)
        runs = []
        for args in POSITION_COMMANDS:
            dated = [] if as_of is None or "--at" in args else ["--as-of", as_of]
            # The text is drawn from the same report as --json: drawn once, for today.
            for form in ([], ["--json"]) if as_of is None else (["--json"],):
                runs.append(runner.invoke(app, [*args, *dated, *form, "--db", str(path)], terminal_width=100))
        assert all(r.exit_code == 0 for r in runs), [r.stderr for r in runs if r.exit_code]
        outputs.append([(r.stdout, r.stderr) for r in runs])
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]


def test_settled_histories_are_kept_for_sites_whose_moves_have_all_happened(tmp_path, always_index):
    path = generated(tmp_path / "store.json", 300)
    data = indexed([path])
    moves = data.moves(EventFilter(types=DRIVING_TYPES))
    last_day = max(m.period.end for m in moves)
    periods, unsettled = data.settled_periods(last_day)
    assert periods and not unsettled
    # A day before the last move's end: the sites that move names are replayed, no others.
    day = last_day - datetime.timedelta(days=1)
    periods, unsettled = data.settled_periods(day)
    late = {m.site for m in moves if m.period.end > day and m.site}
    assert periods and unsettled == late and not {p.site for p in periods} & late
    everyone = positions_by_actor(moves, last_day)
    sdf, none = data.settled_periods(last_day, frozenset({"sdf"}))
    assert ActorPositions.of("sdf", sdf) == everyone["sdf"] and not none
    # Each settled site's state is kept too: what replaying its moves gives on any day from then on.
    statuses, unsettled = data.settled_statuses(day)
    assert unsettled == late and statuses.keys() == {m.site for m in moves if m.site} - late
    assert statuses == {site: site_status(site, moves, day) for site in statuses}
    data.close()


def test_the_actor_list_table_counts_closed_stays_as_the_whole_list_does(tmp_path, always_index):
    """What the table shows is made from open periods and counts; the same as the whole list, on any day."""
    from syriabrief.reports import briefing

    path = generated(tmp_path / "store.json", 400)
    # A person (whose visits are no positions) and areas (a withdrawal from one it was never placed
    # in is a departure, not a hold): what the table leaves out or counts apart.
    last_day = max(m.period.end for m in plain([path]).moves(EventFilter(types=DRIVING_TYPES)))
    before = briefing._positions(plain([path]), last_day)
    person = next(a for a, p in sorted(before.items()) if a.startswith("armed-group") and p.holds and p.left)
    areas = sorted({p.site for p in before["sdf"].holds if p.status == "withdrawing"})[:3]
    assert areas, "the generated SDF should be leaving somewhere"
    layout = json.loads(path.read_text(encoding="utf-8"))
    for record in layout["actors"]:
        record["kind"] = "person" if record["id"] == person else record["kind"]
    for record in layout["sites"]:
        record["kind"] = "region" if record["id"] in areas else record["kind"]
    path.write_text(store.dump_store(layout), encoding="utf-8")
    reference = plain([path])
    days = [datetime.date(2019, 7, 4), datetime.date(2025, 5, 31), last_day - datetime.timedelta(days=1), last_day]
    for with_delta in (False, True):
        if with_delta:  # a delta re-settles the sites its moves touch: read through its overlay
            store.apply_changes(path, store.Changes(events=ADDED), beneath=[])
            reference = plain([path])
        data = indexed([path])
        assert data.added_events == (len(ADDED) if with_delta else 0)
        for day in days:
            assert data.settled_open_periods(day) is not None  # answered by the index, not the whole list
            lines = briefing.actor_lines(data, day)
            assert lines == briefing.actor_list(reference, day).lines(), (with_delta, day)
            assert any(row.left_count for row in lines.rows) or day < last_day
        data.close()


def test_sites_not_settled_resume_their_kept_replay(tmp_path, always_index, monkeypatch):
    path = generated(tmp_path / "store.json", 300)
    moves = indexed([path]).moves(EventFilter(types=DRIVING_TYPES))
    ends = sorted(m.period.end for m in moves)
    built = ends[len(ends) * 3 // 4]  # an index built while a quarter of the moves could still be ahead
    monkeypatch.setattr("syriabrief.storage.settled.resume_day", lambda: built)
    path.touch()  # a new build
    data = indexed([path])
    sites = {m.site for m in moves if m.site}
    unsettled = {m.site for m in moves if m.site and m.period.end > built}
    for day in (built - datetime.timedelta(days=1), built, built + datetime.timedelta(days=30), ends[-1]):
        states, later = data.replay_at(sites, day)
        # Kept for the sites unsettled when built, usable from then on; before then, through an earlier quarter's first day.
        assert states, day
        if day >= built:  # what the build's kept replays hold is not read again
            for site in unsettled:
                at_site = [m for m in moves if m.site == site]
                count, state = replay_prefix(site, at_site, built)
                if state is not None:
                    assert [m for m in later if m.site == site] == [m for m in at_site[count:] if m.period.start <= day], site
        resumed = {s: site_status(s, [m for m in later if m.site == s], day, states.get(s)) for s in sites}
        assert resumed == {s: site_status(s, moves, day) for s in sites}
        # A profile asks for some actors: their closed periods come with each kept replay.
        for_sdf, after = data.replay_at(sites, day, frozenset({"sdf"}))
        assert after == later
        assert positions_by_actor(after, day, only={"sdf"}, resume=for_sdf) == positions_by_actor(moves, day, only={"sdf"})
        # For a status only, a kept replay brings only the closed period a status would tell.
        for_status, again = data.replay_at(sites, day, for_status=True)
        assert again == later and all(len(k.closed) <= 1 for k in for_status.values())
        assert {s: site_status(s, [m for m in later if m.site == s], day, for_status.get(s)) for s in sites} == resumed
    data.close()


def test_a_damaged_index_is_rebuilt_never_trusted(tmp_path, always_index):
    import sqlite3

    path = generated(tmp_path / "store.json", 300)
    runner = CliRunner()
    first = runner.invoke(app, ["actor", "SDF", "--json", "--db", str(path)])
    assert first.exit_code == 0
    [kept] = paths.cache_dir().glob("*.sqlite3")
    build = build_of([path])[0]
    with sqlite3.connect(kept) as db:  # a valid SQLite file, but not the index that was sealed
        db.execute("DROP TABLE settled")
    again = runner.invoke(app, ["actor", "SDF", "--json", "--db", str(path)])
    assert again.exit_code == 0 and again.stdout == first.stdout and again.stderr == ""
    assert build_of([path])[0] != build


def corrupt(path: Path, rng: random.Random) -> None:
    """Overwrite one to eight bytes of ``path`` at random offsets with random values."""
    data = bytearray(path.read_bytes())
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))


COMMANDS = [
    ["timeline", "--json"], ["timeline", "--search", "convoy", "--limit", "5"], ["actor", "SDF", "--json"],
    ["base", "S7"], ["export", "--format", "csv"],
]  # fmt: skip


@pytest.mark.parametrize("damages", [12, pytest.param(400, marks=pytest.mark.slow)])
def test_random_damage_to_the_index_or_its_delta_never_gives_a_wrong_answer(tmp_path, always_index, monkeypatch, figure, damages):
    """Bytes overwritten anywhere in the index (or its delta): the answer is the plain path's, never a traceback."""
    path = generated(tmp_path / "store.json", 300)
    runner = CliRunner()
    outcomes = {"same as the plain path": 0, "traceback": 0, "error": 0, "wrong output": 0}

    def run(args):
        result = runner.invoke(app, [*args, "--db", str(path)])
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        return "traceback" if crashed else (result.exit_code, result.stdout, result.stderr)

    def attack(file: Path, times: int, rng: random.Random) -> None:
        expected = [run(args) for args in COMMANDS]
        pristine = file.read_bytes()
        for attempt in range(times):
            file.write_bytes(pristine)
            corrupt(file, rng)
            answer = run(COMMANDS[attempt % len(COMMANDS)])
            if answer == expected[attempt % len(COMMANDS)]:
                outcomes["same as the plain path"] += 1
            else:
                outcomes["traceback" if answer == "traceback" else "error" if answer[0] else "wrong output"] += 1

    with monkeypatch.context() as plain_only:
        use_engine(plain_only, "reference")
        reference = [run(args) for args in COMMANDS]
    assert all(answer != "traceback" and answer[0] == 0 for answer in reference)
    assert [run(args) for args in COMMANDS] == reference  # and the index is built
    rng = random.Random(12)
    target = index.index_path([path])
    attack(target, damages, rng)
    # The delta an append writes, damaged the same way.
    added = dict(json.loads(path.read_text(encoding="utf-8"))["events"][-1], id="added-later")
    store.apply_changes(path, store.Changes(events=[Event.from_json(added)]), beneath=[])
    run(COMMANDS[0])
    assert index._delta_path(target).exists()
    attack(index._delta_path(target), damages // 4, rng)
    figure(f"damaged index: {damages} + {damages // 4} random overwrites (index, delta; seed 12) -> {outcomes}")
    assert outcomes["same as the plain path"] == damages + damages // 4


def test_an_index_found_intact_is_checked_again_once_changed(tmp_path, always_index, monkeypatch):
    """The marker that spares hashing the index on every query vouches for that very file only."""
    monkeypatch.setattr(index, "RACY_WINDOW_NS", -10**18)  # every check is past the racy window
    path = generated(tmp_path / "store.json", 300)
    indexed([path]).close()
    target = index.index_path([path])
    indexed([path]).close()  # checked, and the marker written
    marker = target.with_name(target.name + ".checked")
    assert json.loads(marker.read_text()) == index._signature(os.stat(target))
    build = build_of([path])[0]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    stat = os.stat(target)
    target.write_bytes(bytes(data))
    # Even with its modification time put back (its change time cannot be), the file is checked again.
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert build_of([path])[0] != build


def test_an_index_keeps_the_name_indexes_its_build_worked_out(tmp_path, always_index, monkeypatch):
    from syriabrief.domain import names as names_module

    path = generated(tmp_path / "store.json", 300)
    data, reference = indexed([path]), plain([path])
    for names in ("actor_names", "site_names"):
        kept, built = getattr(data, names), getattr(reference, names)
        assert kept.state() == built.state(), names
    data.close()
    expected = reference.actor("SDF"), reference.site("S7")

    def unbuildable(*args):
        raise AssertionError("the name index was worked out again")

    monkeypatch.setattr(names_module.NameIndex, "_add", unbuildable)
    data = indexed([path])
    assert (data.actor("SDF"), data.site("S7")) == expected
    data.close()


def test_an_index_named_the_earlier_way_is_removed_once_its_successor_is_built(tmp_path, always_index):
    import hashlib

    path = generated(tmp_path / "store.json", 50)
    digest_named = paths.cache_dir() / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".sqlite3")
    digest_named.parent.mkdir(parents=True, exist_ok=True)
    leftovers = [digest_named, *(digest_named.with_name(digest_named.name + end) for end in (".delta", ".checked"))]
    lock = digest_named.with_name(digest_named.name + ".lock")  # an older syriabrief may hold it
    for leftover in (*leftovers, lock):
        leftover.write_bytes(b"an index of before")
    indexed([path]).close()
    assert index.index_path([path]).exists() and not any(leftover.exists() for leftover in leftovers)
    assert lock.exists()


def test_a_leftover_that_cannot_be_removed_costs_no_index(tmp_path, always_index):
    import hashlib

    path = generated(tmp_path / "store.json", 50)
    digest_named = paths.cache_dir() / (hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:32] + ".sqlite3")
    (digest_named / "inside").mkdir(parents=True)  # a directory where the old index was: unlink fails
    indexed([path]).close()
    assert index.index_path([path]).exists()


def index_files(*layers: Path) -> list[Path]:
    """The index of these store layers and the files that may be kept beside it (not its lock)."""
    target = index.index_path(layers)
    return [target.with_name(target.name + end) for end in index._KEPT_FILES]


def test_an_index_whose_store_is_gone_is_removed_at_the_next_build(tmp_path, always_index):
    kept, gone, busy, partner = (generated(tmp_path / f"{name}.json", 30, seed)
                                 for seed, name in enumerate(("kept", "gone", "busy", "partner")))  # fmt: skip
    for layers in ([kept], [gone], [busy], [kept, partner]):
        indexed(layers).close()
        assert index.index_path(layers).exists()
    junk = paths.cache_dir() / "0123456789abcdef.sqlite3"
    junk.write_bytes(b"not an index")  # unreadable as one: left alone
    gone.unlink()
    busy.unlink()
    partner.unlink()  # one of two layers gone (a user's store over a bundled dataset still there)
    busy_lock = index.index_path([busy]).with_name(index.index_path([busy]).name + ".lock")
    holder = os.open(busy_lock, os.O_RDWR)
    assert index.try_lock(holder)  # as a build of it in another process would hold it
    try:
        indexed([generated(tmp_path / "new.json", 30, 9)]).close()  # a build, which tidies up
    finally:
        index.unlock(holder)
        os.close(holder)
    assert index.index_path([kept]).exists() and index.index_path([busy]).exists() and junk.exists()
    assert not any(f.exists() for f in (*index_files(gone), *index_files(kept, partner)))
    gone_index = index.index_path([gone])
    assert gone_index.with_name(gone_index.name + ".lock").exists()  # locks stay: another process may hold one


def test_only_a_build_removes_the_indexes_of_stores_gone(tmp_path, always_index):
    # A query answered from an existing index removes nothing: tidying costs only a build.
    first, second = generated(tmp_path / "first.json", 30), generated(tmp_path / "second.json", 30, 3)
    indexed([first]).close()
    indexed([second]).close()
    first.unlink()
    indexed([second]).close()
    assert index.index_path([first]).exists()


def test_a_kept_name_state_that_cannot_be_read_is_worked_out_again(tmp_path, always_index, monkeypatch):
    path = generated(tmp_path / "store.json", 300)
    expected = plain([path]).actor("SDF")
    data = indexed([path])
    monkeypatch.setattr(index.marshal, "loads", lambda blob: ("a", "state", "of", "another", "shape"))
    assert data.actor("SDF") == expected  # built from the records instead
    data.close()


def test_a_failure_of_the_index_while_answering_is_answered_by_the_plain_path(tmp_path, always_index, monkeypatch):
    path = generated(tmp_path / "store.json", 300)
    data = indexed([path])

    def broken(fields):
        raise ValueError("bad marshal data")

    monkeypatch.setattr(engine, "_unpack", broken)
    assert data.select(EventFilter(), 5) == plain([path]).select(EventFilter(), 5)
    assert not index.index_path([path]).exists()  # removed: the next run rebuilds it
    data.close()


def test_an_index_reads_its_sites_only_when_a_question_needs_one(tmp_path, always_index, monkeypatch):
    path = generated(tmp_path / "store.json", 300)
    reference = plain([path])
    read = []
    records = index._records
    monkeypatch.setattr(index, "_records", lambda db, table, kind: read.append(table) or records(db, table, kind))
    data = indexed([path])
    where = EventFilter(actors=frozenset(data.under(data.actor("SDF").id)))
    assert data.select_json(where) == reference.select_json(where)
    assert read == ["actors"]  # an actor's timeline decodes no site
    assert data.site("S7") == reference.site("S7") and data.sites == reference.sites
    assert read == ["actors", "sites"]
    data.close()


def test_sites_that_cannot_be_read_from_the_index_come_from_the_plain_path(tmp_path, always_index, monkeypatch):
    path = generated(tmp_path / "store.json", 300)
    data = indexed([path])

    def broken(db, table, kind):
        raise ValueError("bad marshal data")

    monkeypatch.setattr(index, "_records", broken)
    assert data.sites == plain([path]).sites
    assert data.select(EventFilter(), 5) == plain([path]).select(EventFilter(), 5)  # the reference answers the rest
    data.close()


@pytest.mark.parametrize("command", [["timeline", "--json"], ["export"], ["actor", "SDF", "--json"], ["base", "S7", "--json"]])
def test_a_limit_past_sqlites_integers_means_every_event(tmp_path, monkeypatch, command):
    path = generated(tmp_path / "store.json", 300)
    args = [*command, "--limit", str(1 << 63), "--db", str(path)]
    runner = CliRunner()
    with monkeypatch.context() as plain_only:
        use_engine(plain_only, "reference")
        expected = runner.invoke(app, args)
    monkeypatch.setattr(index, "INDEX_MIN_BYTES", 0)
    result = runner.invoke(app, args)
    assert expected.exit_code == 0 and (result.exit_code, result.stdout) == (0, expected.stdout)


def test_a_big_actors_paragraph_tells_the_latest_and_counts_the_rest(tmp_path):
    path = generated(tmp_path / "store.json", 1500)
    report = json.loads(CliRunner().invoke(app, ["actor", "SDF", "--json", "--limit", "1", "--db", str(path)]).stdout)
    held = [p for p in report["holds"] if p["status"] == "active" and p["role"] == "holder"]
    fresh = [p for p in held if not p["stale"]]
    stale = [p for p in held if p["stale"]]
    others = len(report["holds"]) + len(report["left"]) - len(held)
    assert len(held) > 10 and others > 8, "the generated SDF should be big enough to bound"
    text = report["narrative"]
    if len(fresh) > 10:
        assert f"Forces hold {len(fresh)} sites; the 10 taken most recently: " in text  # a plural name
        assert f"and {len(fresh) - 10} others." in text
    if len(stale) > 10:
        # Held, but nothing newer than Age.STALE_DAYS: told as "last reported holding", bounded too.
        assert "Forces were last reported holding " in text and f" and {len(stale) - 10:,} other site" in text
    counted = sum(int(n.replace(",", "")) for n in re.findall(r"([\d,]+) other sites?(?! \()", text.split("Besides these, they ")[1]))
    assert counted == others - 8
    assert len(text) < 6000 and len(report["events"]) == 1 and report["event_count"] > 100


# --- appends taken in place ----------------------------------------------------------


def index_file(paths) -> tuple[int, int, int]:
    """The index file's identity: the same after an update in place, another after a rebuild."""
    st = os.stat(index.index_path(paths))
    return st.st_ino, st.st_mtime_ns, st.st_size


def build_of(paths) -> tuple[str, int]:
    data = indexed(paths)
    try:
        return data.build, data.added_events
    finally:
        data.close()


def new_event(event_id: str, date: str, kind: str = "control_change", **fields) -> store.Event:
    fields.setdefault("actors", ["sdf"])
    fields.setdefault("site", "site-007")
    return store.Event.from_json(event(event_id, date, kind, **fields))


# Moves at busy sites, on days that already have events, before the first event and after the last.
ADDED = [
    new_event("added-mid-history", "2019-07-04", "withdrawal", actors=["us"]),
    new_event("added-same-site-same-day", "2019-07-04", "deployment", actors=["russia"]),
    new_event("added-before-everything", "2011-05-01", "deployment", site="site-012"),
    new_event("added-after-everything", "2026-12-31", "handover", actors=["sdf", "syrian-army"]),
    new_event("added-no-site", "2024-02", "statement", site=None, actors=["turkey"]),
    # Flags the link tables carry: figures of a force's size, and a doubted report.
    new_event("added-with-figures", "2025-03-02", "deployment", actors=["turkey", "sdf"], quantities={"troops": 300}),
    new_event("added-doubted", "2025-03-03", "withdrawal", actors=["turkey"], status="disputed"),
]
# Questions about what ADDED brings, beside the random ones.
ADDED_FILTERS = [
    (EventFilter(actors=frozenset({actor}), with_strength=strength, disputed=not strength), None)
    for actor in ("turkey", "sdf") for strength in (True, False)
] + [
    (EventFilter(sites=frozenset({"site-007"}), with_strength=True), None), (EventFilter(disputed=True), 2),
    (EventFilter(actors=frozenset({"sdf"}), types=DRIVING_TYPES), None),
    (EventFilter(actors=frozenset({"us", "sdf"}), types=frozenset({"deployment", "control_change"}), since=parse_user_date("2019")), None),
    (EventFilter(sites=frozenset({"site-007"}), types=DRIVING_TYPES - {"presence"}), None),
]


def same_position_outputs(path: Path, monkeypatch, as_of: str | None = None) -> None:
    runner = CliRunner()
    outputs = []
    # The index with its delta against the reference (the engine in memory is compared in the test above).
    for name in ("reference", "index"):
        use_engine(monkeypatch, name)
        runs = []
        for args in POSITION_COMMANDS:
            dated = [] if as_of is None or "--at" in args else ["--as-of", as_of]
            # The text is drawn from the same report as --json: drawn once, for today.
            for form in ([], ["--json"]) if as_of is None else (["--json"],):
                runs.append(runner.invoke(app, [*args, *dated, *form, "--db", str(path)], terminal_width=100))
        assert all(r.exit_code == 0 for r in runs), [r.stderr for r in runs if r.exit_code]
        outputs.append([(r.stdout, r.stderr) for r in runs])
    assert outputs[1] == outputs[0]


@pytest.mark.parametrize("how", ["apply one", "apply several", "apply twice", "add command"])
def test_events_added_to_a_store_are_taken_into_the_index_in_place(tmp_path, always_index, monkeypatch, how):
    path = generated(tmp_path / "store.json", 400)
    build, _ = build_of([path])
    before = index_file([path])
    if how == "apply one":
        store.apply_changes(path, store.Changes(events=ADDED[:1]), beneath=[])
        rounds = [1]
    elif how == "apply several":
        store.apply_changes(path, store.Changes(events=ADDED), beneath=[])
        rounds = [len(ADDED)]
    elif how == "apply twice":
        store.apply_changes(path, store.Changes(events=ADDED[:2]), beneath=[])
        assert build_of([path]) == (build, 2)
        assert_same_answers([path], random_filters(plain([path]), 40))
        store.apply_changes(path, store.Changes(events=ADDED[2:]), beneath=[])
        rounds = [len(ADDED)]
    else:
        for date in ("2019-07-04", "2026-06-30"):
            result = CliRunner().invoke(app, [
                "add", "--db", str(path), "--date", date, "--type", "control_change", "--actor", "SDF",
                "--site", "S7", "--summary", f"SDF took S7 again on {date}.", "--source-outlet", "AFP",
            ])  # fmt: skip
            assert result.exit_code == 0, result.stderr
        rounds = [2]
    # The index file itself is untouched: the new events are in its delta.
    assert build_of([path]) == (build, rounds[-1])
    assert index_file([path]) == before and index._delta_path(index.index_path([path])).exists()
    assert_same_answers([path], random_filters(plain([path]), 40) + ADDED_FILTERS)
    if how == "apply several":  # every kind of added event at once: the commands print what the plain path does
        same_position_outputs(path, monkeypatch)
        same_position_outputs(path, monkeypatch, as_of="2019-07-04")
        # Past days through the delta: the re-settled sites' replays kept through earlier quarters are its own.
        same_position_outputs(path, monkeypatch, as_of="2025-05")


def test_the_racy_window_checks_content_and_never_rebuilds(tmp_path, always_index, monkeypatch):
    # As on a filesystem whose clock ticks coarsely: a same-size rewrite keeps the signature.
    monkeypatch.setattr(index, "_signature", lambda st: [st.st_size, st.st_mtime_ns, 0, st.st_ino, st.st_dev])
    path = generated(tmp_path / "store.json", 200)
    build, _ = build_of([path])  # built at once after the write: within the racy window
    before = index_file([path])
    for _ in range(2):  # each open checks the content again (the window has not passed), and keeps the index
        assert build_of([path]) == (build, 0) and index_file([path]) == before
    store.apply_changes(path, store.Changes(events=ADDED[:1]), beneath=[])
    for _ in range(2):
        assert build_of([path]) == (build, 1) and index_file([path]) == before
    # Same size, same modification time, same inode: only the content tells.
    stat = os.stat(path)
    text = path.read_text(encoding="utf-8")
    victim = re.search(r'"type": "attack"', text)
    path.write_text(text[: victim.start()] + '"type": "clash" ' + text[victim.end() :], encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert index._signature(os.stat(path)) == index._signature(stat)
    assert build_of([path])[0] != build
    assert_same_answers([path], random_filters(plain([path]), 30))


def test_a_store_rewritten_rebuilds_the_index_and_drops_the_delta(tmp_path, always_index):
    path = generated(tmp_path / "store.json", 200)
    build, _ = build_of([path])
    store.apply_changes(path, store.Changes(events=ADDED[:2]), beneath=[])
    assert build_of([path]) == (build, 2)
    # Changing an event rewrites the store: no longer an append to what the index holds.
    changed = plain([path]).select(EventFilter(ids=frozenset({"added-mid-history"})))[0]._replace(summary="Changed.")
    store.apply_changes(path, store.Changes(events=[changed, ADDED[3]]), beneath=[])
    rebuilt, added = build_of([path])
    assert rebuilt != build and added == 0
    assert not index._delta_path(index.index_path([path])).exists()
    assert_same_answers([path], random_filters(plain([path]), 30))


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "hand-added", "date": "2026-01-01", "type": "clash", "summary": "x", "sources": [{"outlet": "AFP"}], "actors": ["nobody"]}',
         "no actor with id 'nobody'"),
        ('{"id": "hand-added", "date": "2026-13", "type": "clash", "summary": "x", "sources": [{"outlet": "AFP"}]}',
         "has no month 13"),
        ('{"id": "DUPLICATE", "date": "2026-01-01", "type": "clash", "summary": "x", "sources": [{"outlet": "AFP"}]}',
         "is used by an earlier event"),
    ],
)  # fmt: skip
def test_lines_added_by_hand_with_a_problem_give_the_plain_paths_error(tmp_path, always_index, line, message):
    path = generated(tmp_path / "store.json", 100)
    indexed([path]).close()
    text = path.read_text(encoding="utf-8")
    line = line.replace("DUPLICATE", re.search(r'\{"id": "([^"]+)"', text.split('"events": [\n')[1])[1])
    assert text.endswith("}\n]\n}\n")
    path.write_text(text[: -len("\n]\n}\n")] + ",\n" + line + "\n]\n}\n", encoding="utf-8")
    with pytest.raises(StoreError) as from_plain:
        plain([path])
    with pytest.raises(StoreError) as from_index:
        index.open_indexed([path])
    assert str(from_index.value) == str(from_plain.value) and message in str(from_plain.value)


def test_an_added_event_replacing_one_of_a_lower_layer_rebuilds(tmp_path, always_index):
    bottom = generated(tmp_path / "bottom.json", 200, seed=1)
    top = generated(tmp_path / "top.json", 150, seed=2)
    build, _ = build_of([bottom, top])
    store.apply_changes(top, store.Changes(events=[new_event("added-on-top", "2020-02-02")]), beneath=[])
    assert build_of([bottom, top]) == (build, 1)
    shadowing = plain([bottom]).select(limit=1)[0]._replace(summary="The top layer's account.", actors=("us",))
    store.apply_changes(top, store.Changes(events=[shadowing]), beneath=[])
    assert build_of([bottom, top])[0] != build
    assert_same_answers([bottom, top], random_filters(plain([bottom, top]), 40))


def test_a_store_added_to_during_the_build_is_built_once_then_taken_in(tmp_path, always_index, monkeypatch):
    """A write during a build replaces the store (and keeps the old file as a backup link): the build
    describes the file it read, and the next open takes the write in as a delta, rather than
    rebuilding again and again while writes go on (a reader during appends took 13.6 s)."""
    path = generated(tmp_path / "store.json", 400)
    stream = index._stream_layer

    def stream_then_write(*args):
        point = stream(*args)
        if not plain([path]).select(EventFilter(ids=frozenset({"added-mid-history"}))):
            store.apply_changes(path, store.Changes(events=ADDED[:1]), beneath=[])
        return point

    monkeypatch.setattr(index, "_stream_layer", stream_then_write)
    builds = []
    real_build = index._build
    monkeypatch.setattr(index, "_build", lambda *args: builds.append(1) or real_build(*args))
    data = indexed([path])
    assert len(builds) == 1 and data.added_events == 1
    data.close()
    assert_same_answers([path], random_filters(plain([path]), 20))


def test_a_run_of_batches_added_at_one_place_is_taken_in_without_rebuilding(tmp_path, always_index, monkeypatch):
    """Ten events a write, all on one day (ids w-0-0 ... w-29-9): each write is a delta, never a rebuild."""
    monkeypatch.setattr(index, "RACY_WINDOW_NS", 0)
    path = generated(tmp_path / "store.json", 400)
    builds = set()
    for batch in range(30):
        builds.add(build_of([path])[0])
        events = [new_event(f"w-{batch}-{n}", "2019-07-04", "deployment") for n in range(10)]
        store.apply_changes(path, store.Changes(events=events), beneath=[])
    assert build_of([path]) == (builds.pop(), 300) and not builds
    assert_same_answers([path], random_filters(plain([path]), 20))


@pytest.mark.parametrize("engine_name", ["memory", "index"])
def test_a_stream_gives_what_select_gives_and_survives_a_failure_midway(tmp_path, monkeypatch, engine_name):
    path = generated(tmp_path / "store.json", 300)
    monkeypatch.setattr(engine, "PAGE", 50)
    data = in_memory([path]) if engine_name == "memory" else indexed([path])
    expected = plain([path]).select()
    assert list(data.stream()) == expected
    where = EventFilter(actors=frozenset({"sdf"}))
    assert list(data.stream(where)) == plain([path]).select(where)
    stream = data.stream()
    first = [next(stream) for _ in range(70)]  # past the first page
    data._db.close()  # any SQL failure: the reference gives the rest
    assert first + list(stream) == expected


def test_what_changed_between_two_days_is_what_whole_replays_of_every_site_say(tmp_path):
    # change_report reads only the sites a move between the days may touch, each from a replay the index
    # kept through a quarter's first day: every site's two days, replayed whole from all its moves, must agree.
    from syriabrief.reports.briefing import change_report

    path = generated(tmp_path / "store.json", 3000)
    reference = plain([path])
    by_site: dict[str, list] = {}
    for move in reference.moves(EventFilter(types=DRIVING_TYPES)):
        by_site.setdefault(move.site, []).append(move)
    days = [datetime.date(2024, 6, 1), datetime.date(2025, 1, 1), datetime.date(2025, 1, 20), datetime.date(2026, 3, 1)]
    for data in (reference, indexed([path])):
        for before, after in [(a, b) for a in days for b in days if a < b]:
            told = {c.site: (c.before.holder, c.before.status, c.after.holder, c.after.status) for c in change_report(data, before, after).differences}
            assert told, (before, after)
            for site, moves in by_site.items():
                then, now = site_status(site, moves, before), site_status(site, moves, after)
                if site in told:
                    assert told[site] == (then.holder, then.status, now.holder, now.status), (site, before, after)
                else:  # the same, or first reported there only (not a change on the ground)
                    assert (then.holder, then.status) == (now.holder, now.status) or then.status == "unknown", (site, before, after)


@pytest.mark.parametrize("engine_name", ["memory", "index"])
def test_a_chart_tally_counts_events_naming_nobody_and_each_precision_as_the_reference_does(tmp_path, engine_name):
    events = [
        event("a", "2026-01-05", "statement"),  # naming nobody
        event("b", "2026-01-05", "statement", actors=["us", "russia"]),
        event("c", "2026-01", "statement"),  # naming nobody, dated to the month: its first day is 1 January too
        event("d", "2026-01-01", "statement", actors=["russia"]),
        event("e", "2026", "deployment", actors=["us"], site="qasrak"),
        event("f", "2026-01-05", "deployment", actors=["russia", "us"], site="qasrak"),
    ]
    path = tmp_path / "store.json"
    path.write_text(store.dump_store(store_json(events)), encoding="utf-8")
    data = in_memory([path]) if engine_name == "memory" else indexed([path])
    day, first = datetime.date(2026, 1, 5), datetime.date(2026, 1, 1)
    by_actor = {(day, "day", ""): 1, (day, "day", "us"): 1, (day, "day", "russia"): 1, (first, "month", ""): 1,
                (first, "day", "russia"): 1, (first, "year", "us"): 1}  # fmt: skip
    assert data.tally(None, "actor") == plain([path]).tally(None, "actor") == by_actor
    by_type = {(day, "day", "statement"): 2, (day, "day", "deployment"): 1, (first, "month", "statement"): 1,
               (first, "day", "statement"): 1, (first, "year", "deployment"): 1}  # fmt: skip
    assert data.tally(None, "type") == plain([path]).tally(None, "type") == by_type
    us = EventFilter(actors=frozenset({"us"}))
    assert data.tally(us, "actor") == {(day, "day", "us"): 1, (day, "day", "russia"): 1, (first, "year", "us"): 1}


@pytest.mark.parametrize("engine_name", ["memory", "index"])
def test_texts_stream_as_their_list_gives_them_and_survive_a_failure_midway(tmp_path, engine_name):
    path = generated(tmp_path / "store.json", 300)
    data = in_memory([path]) if engine_name == "memory" else indexed([path])
    expected = plain([path]).select_json()
    items = data.stream_json()
    first = [next(items) for _ in range(70)]
    data._db.close()  # any SQL failure while they are read: the reference gives the rest, in order
    assert first + list(items) == expected and len(expected) == 300


def test_a_kept_replay_with_nobody_left_there_tells_the_last_to_leave(tmp_path, always_index, monkeypatch):
    # At Qasrak: the US came and left, then Russia came and left; a report dated only "2026" (pending
    # in mid-2026) keeps the site unsettled. Nobody holds it: its status tells the last to leave.
    events = [
        event("a-us-in", "2025-01-10", "deployment", actors=["us"], site="qasrak"),
        event("b-us-out", "2025-02-10", "withdrawal", actors=["us"], site="qasrak", stage="completed"),
        event("c-ru-in", "2025-03-01", "deployment", actors=["russia"], site="qasrak"),
        event("d-ru-out", "2025-03-20", "withdrawal", actors=["russia"], site="qasrak", stage="completed"),
        event("e-sdf-in", "2026", "deployment", actors=["sdf"], site="qasrak"),
    ]
    path = tmp_path / "store.json"
    path.write_text(store.dump_store(store_json(events)), encoding="utf-8")
    monkeypatch.setattr("syriabrief.storage.settled.resume_day", lambda: datetime.date(2026, 6, 1))
    data = indexed([path])
    day = datetime.date(2026, 6, 15)
    kept, later = data.replay_at({"qasrak"}, day, for_status=True)
    assert [m.id for m in later] == ["e-sdf-in"] and [p.actor for p in kept["qasrak"].closed.values()] == ["russia"]
    status = site_status("qasrak", later, day, kept["qasrak"])
    assert status == site_status("qasrak", data.moves(EventFilter(types=DRIVING_TYPES)), day)
    assert (status.holder, status.previous, status.status, status.pending) == (None, "russia", "vacated", ("e-sdf-in",))
    data.close()


def test_counts_of_the_driving_types_come_from_the_links_alone_and_agree(tmp_path, always_index):
    # All the driving types are the links' flag 4: counted without the events table, the same.
    path = generated(tmp_path / "store.json", 300)
    data, reference = indexed([path]), plain([path])
    where = EventFilter(types=DRIVING_TYPES)
    assert engine._links_answer(where, actors=False) and not engine._links_answer(EventFilter(types=frozenset({"withdrawal"})), actors=False)
    assert data.actor_counts(where) == reference.actor_counts(where)
    sdf = where._replace(actors=frozenset({"sdf"}))
    assert data.span(sdf)[0] == reference.span(sdf)[0]
    data.close()



def test_many_actors_are_answered_alike_merged_or_not(tmp_path, always_index, monkeypatch):
    # Up to _MOST_MERGED actors their links are merged by UNION, one query each (_each_linked); past
    # it they are one list, as they are for a count since a day. Each way gives the reference's answers.
    path = generated(tmp_path / "store.json", 300)
    data, reference = indexed([path]), plain([path])
    everyone = frozenset(reference.actors)
    filters = [EventFilter(actors=everyone), EventFilter(actors=everyone, since=parse_user_date("2025-05")),
               EventFilter(actors=frozenset(sorted(everyone)[:3]), with_strength=True)]  # fmt: skip
    for most in (len(everyone), 2):
        monkeypatch.setattr(engine, "_MOST_MERGED", most)
        assert [engine._links_merge(where) for where in filters] == [most > 2, most > 2, most > 2]
        for where in filters:
            assert data.span(where) == reference.span(where), (most, where)
            assert data.select(where, 7) == reference.select(where, 7), (most, where)
            assert data.select_json(where, 7) == reference.select_json(where, 7), (most, where)
    assert getattr(data, "_plain", None) is None  # every answer came from SQL
    data.close()
