"""Measure 'syriabrief read' against events an analyst coded: precision, recall, and what it misses.

    python scripts/measure_reading.py [SEED_DIR]

For each seed article (default: ../shared/seeds beside the repository, or
/work/shared/seeds), the drafts are compared with the bundled events that cite
the article (in their sources or their disputes). An event is *found* when a
draft has its type, an acting party that is one of its actors (or a part of
one), its exact site, and a date that overlaps its own — or, for an event that
records the article's date as a dispute, the draft is that conflicting account.
A draft is *right* when it finds some event the article is cited for.

The test articles in tests/articles/ are measured the same way against the
events written out by hand in tests/articles/expected.json.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from syriabrief.domain.dataset import Dataset  # noqa: E402
from syriabrief.domain.drafting import compare  # noqa: E402
from syriabrief.domain.model import Event  # noqa: E402
from syriabrief.domain.reading import read_text  # noqa: E402
from syriabrief.formats.article import read_article  # noqa: E402
from syriabrief.storage.loading import load_dataset  # noqa: E402

# Each seed file, the day it was published and the page the bundled events cite it by.
SEEDS = {
    "000_1b07109cab0f13ad.txt": (date(2026, 2, 24), "https://www.grayscaleinsight.com/topic-post/3946"),
    "001_ec24ed7074c7ee4e.txt": (
        date(2026, 1, 28), "https://www.thebeiruter.com/article/russia-alters-its-military-posture-in-northeast-syria/986"
    ),
}


def measure(text: str, published: date, cited: str, data: Dataset, coded: list[Event]) -> dict:
    """Drafts read from ``text`` against the ``coded`` events (the ones citing the article, as ``cited``:
    its address or its document name)."""
    outlets = {s.outlet for e in data.select() for s in e.sources}
    reading = read_text(text, published, data, outlets)
    only_coded = Dataset(data.actors.values(), data.sites.values(), coded)
    found: dict[str, list[int]] = {e.id: [] for e in coded}
    rows = []
    for number, draft in enumerate(reading.drafts, 1):
        best = compare(draft, only_coded, strict=True)
        hit = None
        if best is not None:
            event, overlaps = best
            disputed_here = any(cited in (s.document, s.url) for d in event.disputes for s in d.sources)
            if overlaps or disputed_here:
                hit = event.id
                found[event.id].append(number)
        rows.append((number, draft, hit))
    return {"reading": reading, "rows": rows, "found": found, "coded": coded}


def report(name: str, result: dict, data: Dataset) -> tuple[int, int, int, int]:
    rows, found, coded = result["rows"], result["found"], result["coded"]
    right = sum(1 for _, _, hit in rows if hit)
    recalled = sum(1 for ids in found.values() if ids)
    print(f"## {name}\n")
    print(f"{len(rows)} drafts, {right} right (precision {right / max(1, len(rows)):.0%}); "
          f"{recalled} of {len(coded)} coded events found (recall {recalled / max(1, len(coded)):.0%}).\n")
    print("| # | draft | matches |\n|---|---|---|")
    for number, draft, hit in rows:
        who = ",".join(draft.actors)
        when = draft.when.date + (f"..{draft.when.end_date}" if draft.when.end_date else "")
        print(f"| {number} | {draft.type} {who} @ {draft.site or '–'} {when} | {hit or '**none**'} |")
    missed = [e for e in coded if not found[e.id]]
    if missed:
        print("\nMissed:\n")
        for e in missed:
            print(f"- {e.id} ({e.type}, {','.join(e.actors)} @ {e.site or '–'}, {e.date})")
    print()
    return len(rows), right, len(coded), recalled


def main() -> int:
    seed_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else next(
        (p for p in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")) if p.is_dir()), None
    )
    data = load_dataset([ROOT / "data" / "events.json"])
    totals = [0, 0, 0, 0]
    if seed_dir is not None:
        for document, (published, url) in SEEDS.items():
            path = seed_dir / document
            if not path.exists():
                continue
            coded = [
                e for e in data.select()
                if any(s.url == url for s in e.sources) or any(s.url == url for d in e.disputes for s in d.sources)
            ]  # fmt: skip
            result = measure(path.read_text(encoding="utf-8"), published, url, data, coded)
            for i, n in enumerate(report(f"Seed {document}", result, data)):
                totals[i] += n
    articles = ROOT / "tests" / "articles"
    expected = json.loads((articles / "expected.json").read_text(encoding="utf-8"))
    for document, spec in expected.items():
        coded = [Event.from_json(e) for e in spec["events"]]
        result = measure(read_article((articles / document).read_bytes()).text, date.fromisoformat(spec["published"]), document, data, coded)
        for i, n in enumerate(report(f"Test article {document}", result, data)):
            totals[i] += n
    drafts, right, events, recalled = totals
    print(f"## All\n\n{drafts} drafts, {right} right: precision {right / max(1, drafts):.0%}. "
          f"{recalled} of {events} events found: recall {recalled / max(1, events):.0%}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
