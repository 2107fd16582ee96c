"""Shared test set-up: a pinned environment and small hand-made stores."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from syriabrief.domain.dataset import Dataset
from syriabrief.domain.model import Event

# Hypothesis profiles, chosen with HYPOTHESIS_PROFILE: "ci" (the default) keeps
# the whole suite in seconds; "thorough" is for a long run before a release
# (docs/fuzzing.md). No deadline: a slow first call (an import, a cold cache)
# is not a bug.
settings.register_profile("ci", max_examples=60, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1_000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def pinned_environment(monkeypatch, tmp_path):
    """Every test sees the same terminal and no store settings from the developer's shell."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("SYRIABRIEF_DB", raising=False)
    # Tests read only the stores they make, never the bundled dataset or a
    # developer's own store (tests of the bundled data ask for it by path).
    monkeypatch.setenv("SYRIABRIEF_BUNDLED", "none")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # Indexes of big stores go to a per-test cache, never the developer's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


ACTORS = [
    {"id": "us", "name": "United States", "aliases": ["US", "U.S.", "United States"], "kind": "state",
     "country": "United States", "parent": None, "affiliations": [], "joined": None},
    {"id": "russia", "name": "Russia", "aliases": ["Russia", "Russian Federation"], "kind": "state",
     "country": "Russia", "parent": None, "affiliations": [], "joined": None},
    {"id": "sdf", "name": "Syrian Democratic Forces", "aliases": ["SDF", "Syrian Democratic Forces"],
     "kind": "non_state_armed_group", "country": "Syria", "parent": None, "affiliations": [], "joined": None},
    {"id": "syrian-army", "name": "Syrian Army", "aliases": ["Syrian army", "SAA"], "kind": "state_armed_force",
     "country": "Syria", "parent": None, "affiliations": [], "joined": None},
]  # fmt: skip

SITES = [
    {"id": "qasrak", "name": "Qasrak base", "aliases": ["Kasrak", "Al-Kasrak"], "kind": "air_base",
     "country": "Syria", "admin1": "al-Hasakah", "lat": 36.7062, "lon": 40.512, "location_precision": "exact", "parent": None},
    {"id": "al-tanf", "name": "Al-Tanf garrison", "aliases": ["Tanf"], "kind": "garrison", "country": "Syria",
     "admin1": "Homs", "lat": 33.5058, "lon": 38.6178, "location_precision": "exact", "parent": None},
    {"id": "qamishli-airport", "name": "Qamishli airport", "aliases": ["Qamishli International Airport"],
     "kind": "airport", "country": "Syria", "admin1": "al-Hasakah", "lat": 37.0206, "lon": 41.1914,
     "location_precision": "exact", "parent": None},
    {"id": "hmeimim", "name": "Hmeimim air base", "aliases": ["Khmeimim"], "kind": "air_base", "country": "Syria",
     "admin1": "Latakia", "lat": 35.4117, "lon": 35.945, "location_precision": "exact", "parent": None},
    {"id": "erbil", "name": "Erbil", "aliases": [], "kind": "city", "country": "Iraq", "admin1": "Erbil",
     "lat": 36.2375, "lon": 43.9631, "location_precision": "exact", "parent": None},
]  # fmt: skip

SOURCE = {"outlet": "Reuters", "document": "test", "url": None, "published": "2026-02-24"}


def event(id: str, date: str, type: str = "statement", **fields) -> dict:
    """An event's JSON form with every key present; keyword arguments override."""
    record = {
        "id": id, "date": date, "end_date": None, "date_precision": None, "approximate": False,
        "type": type, "stage": None, "actors": [], "site": None, "origin": None, "destination": None,
        "quantities": {}, "status": "confirmed", "summary": f"Summary of {id}.", "sources": [SOURCE],
        "disputes": [], "tags": [],
    }  # fmt: skip
    record.update(fields)
    if record["date_precision"] is None:
        record["date_precision"] = {4: "year", 7: "month"}.get(len(date), "day")
    return record


def store_json(events: list[dict], actors=None, sites=None) -> dict:
    return {
        "schema_version": 1,
        "actors": ACTORS if actors is None else actors,
        "sites": SITES if sites is None else sites,
        "events": events,
    }


def write_store(path: Path, events: list[dict], actors=None, sites=None) -> Path:
    path.write_text(json.dumps(store_json(events, actors, sites), ensure_ascii=False), encoding="utf-8")
    return path


def dataset(events: list[dict], actors=None, sites=None) -> Dataset:
    from syriabrief.domain.model import Actor, Site

    return Dataset(
        [Actor.from_json(a) for a in (ACTORS if actors is None else actors)],
        [Site.from_json(s) for s in (SITES if sites is None else sites)],
        [Event.from_json(e) for e in events],
    )


SAMPLE_EVENTS = [
    event("2016-us-at-tanf", "2016", "deployment", actors=["us"], site="al-tanf", approximate=True),
    event("2026-01-20-russia-leaves-qamishli", "2026-01-20", "withdrawal", end_date="2026-01-27",
          actors=["russia"], site="qamishli-airport", destination="hmeimim",
          summary="Russian forces pulled out of Qamishli airport toward Hmeimim."),
    event("2026-01-sdf-loses-ground", "2026-01", "offensive", actors=["syrian-army", "sdf"],
          summary="The army pushed the SDF out of much of the northeast."),
    event("2026-02-11-us-leaves-tanf", "2026-02-11", "withdrawal", actors=["us"], site="al-tanf",
          summary="US troops completed their departure from Al-Tanf."),
    event("2026-02-21-qasrak-evacuation", "2026-02-21", "withdrawal", end_date="2026-02-22", approximate=True,
          stage="began", actors=["us"], site="qasrak", destination="erbil", status="disputed",
          summary="The US began evacuating Qasrak.",
          disputes=[{"claim": "An Iraqi official put the start on 22 February.", "sources": [SOURCE]}]),
]  # fmt: skip


@pytest.fixture
def sample_store(tmp_path) -> Path:
    return write_store(tmp_path / "store.json", SAMPLE_EVENTS)


# --- figures ------------------------------------------------------------------------
# Fault tests measure things (events lost, stores corrupted); each figure is shown
# in the summary of every run, with or without -s, and appended to the file
# SYRIABRIEF_FIGURES names, if set (docs/reliability.md quotes them). Tests run in
# worker processes (pytest-xdist), so figures pass through a file the run shares.
_RUN_FIGURES = "SYRIABRIEF_RUN_FIGURES"
_RUN_CACHE = "SYRIABRIEF_RUN_CACHE"


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controlling process: before any worker starts
        handle, name = tempfile.mkstemp(prefix="syriabrief-figures-", suffix=".txt")
        os.close(handle)
        os.environ[_RUN_FIGURES] = name
        # Data read before any test's own cache is set (at import, in a module's fixture) is
        # indexed in one cache of the run's, never the developer's; workers inherit it.
        os.environ["XDG_CACHE_HOME"] = os.environ[_RUN_CACHE] = tempfile.mkdtemp(prefix="syriabrief-test-cache-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and os.environ.get(_RUN_CACHE):
        shutil.rmtree(os.environ.pop(_RUN_CACHE), ignore_errors=True)


@pytest.fixture
def figure():
    def record(text: str) -> None:
        for target in (os.environ.get(_RUN_FIGURES), os.environ.get("SYRIABRIEF_FIGURES")):
            if target:
                with open(target, "a", encoding="utf-8") as report:
                    report.write(text + "\n")

    return record


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, "workerinput") or not os.environ.get(_RUN_FIGURES):
        return
    path = Path(os.environ.pop(_RUN_FIGURES))
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
