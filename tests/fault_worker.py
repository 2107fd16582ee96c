"""A writer process for tests/test_faults.py: python fault_worker.py MODE STORE BASE [...].

Modes (each event names the actor "us" of the BASE store):
  adds GO_FILE COUNT HINT   wait for GO_FILE, then add COUNT events one write at a
                            time, every one asking for an id made from HINT (so ids
                            are chosen under the lock); print each id once written
  batches TAG SIZE          print "ready", then write batches of SIZE events for ever
                            (an import each), printing a batch's number once written
"""

import sys
import time
from pathlib import Path

from syriabrief.domain.model import Event
from syriabrief.storage.editing import add_record
from syriabrief.storage.store import Changes, apply_changes


def record(summary: str) -> dict:
    return {"date": "2026-03-01", "type": "deployment", "actors": ["us"], "summary": summary,
            "sources": [{"outlet": "Test wire", "document": None, "url": None, "published": None}]}


def main(mode: str, store: str, base: str, *args: str) -> None:
    path, beneath = Path(store), [Path(base)]
    if mode == "adds":
        go, count, hint = Path(args[0]), int(args[1]), args[2]
        while not go.exists():
            time.sleep(0.001)
        for n in range(count):
            made = add_record(path, "event", record(f"Add {n}."), wanted_id=None, id_hint=hint, beneath=beneath)
            print(made.id, flush=True)
    elif mode == "batches":
        tag, size = args[0], int(args[1])
        print("ready", flush=True)
        batch = 0
        while True:
            events = [Event.from_json({**record(f"Batch {batch}, {n}."), "id": f"{tag}-{batch}-{n}"}) for n in range(size)]
            apply_changes(path, Changes(events=events), beneath=beneath)
            print(batch, flush=True)
            batch += 1
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
