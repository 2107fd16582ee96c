"""A time-bounded fuzz target for the store reader and the import validator (not part of CI).

Every input is a file's bytes. It goes through what reading an untrusted store
does: JSON parsing, ``validate.check_store_layout``, ``validate.check_records``
for each table, the model's ``from_json`` for records that pass, and
``validate.check_references``; through the import formats (``formats.read_records``
in every format, then ``formats.all_problems``) where this version has them; and,
as a file, through ``store.read_store``.
The only acceptable outcomes are a result, a list of Problems, or a
StoreError. Anything else is a crash: it is reported with its traceback and the
input is saved under ``fuzz/crashes/``.

Two engines:
  atheris (coverage-guided, libFuzzer) when installed: ``pip install atheris``;
  a pure-Python loop of random mutations of valid stores otherwise (or with
  ``--engine python``).

Usage (see docs/fuzzing.md):
  python fuzz/fuzz_validate.py --seconds 60                 # best engine available
  python fuzz/fuzz_validate.py --seconds 60 --engine python
  python fuzz/fuzz_validate.py --replay fuzz/crashes/crash-*.json   # re-run saved crashes
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
CRASHES = HERE / "crashes"
# Seeds: the bundled dataset and a few small stores, so mutations start near valid input.
BUNDLED = REPOSITORY / "data" / "events.json"
# Byte strings known to trouble JSON readers and validators.
TOKENS = [
    b"\\ud800", b"\\udfff", b"\\u0000", b"\\u001b[31m", b"\\u202e", b"NaN", b"Infinity", b"-Infinity",
    b"1e400", b"-1e400", b"9" * 5000, b"0.1e-400", b"[" * 3000, b"{" * 3000, b'"', b"\\", b"null", b"true",
    b"[]", b"{}", b'""', b"-", b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\x00", b",", b":", b'"schema_version"',
    b'"events"', b'"actors"', b'"sites"', b'"date"', b'"2026-02-30"', b'"0000"', b'"\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa6"',
    b'"quantities"', b'{"low": 5, "high": 1}', b'"lat"', b"91", b"1" * 400, b"true", b"-0", b"1.5",
]  # fmt: skip

sys.path.insert(0, str(REPOSITORY / "src"))


def load_modules():
    """Import what is fuzzed (inside atheris' instrumentation when it is used)."""
    global formats, KNOWN
    from syriabrief.domain import model, validate
    from syriabrief.errors import StoreError
    from syriabrief.storage import store

    try:  # the import-file formats (JSON, JSON Lines, CSV, ACLED), where this version has them
        from syriabrief import formats
    except ImportError:
        formats = None
    if formats is not None:
        # Names for ACLED rows to resolve against, so name matching is fuzzed too.
        from syriabrief.domain.dataset import Dataset

        small = json.loads(seeds()[-1])
        KNOWN = Dataset(
            [model.Actor.from_json(a) for a in small["actors"]],
            [model.Site.from_json(s) for s in small["sites"]],
            [model.Event.from_json(e) for e in small["events"]],
        )
    return model, store, validate, StoreError


model, store, validate, StoreError = (None, None, None, None)
formats = KNOWN = None
SCRATCH: Path | None = None


def check_one(data: bytes) -> None:
    """Run one input through the reader and the validator; raise only on a crash."""
    # 1. In memory, step by step, as an import would.
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, integer digit limit
        value = None
    if value is not None:
        problems = validate.check_store_layout(value)
        if not problems and isinstance(value, dict):
            kinds = {"actors": ("actor", model.Actor), "sites": ("site", model.Site), "events": ("event", model.Event)}
            records = {}
            for table, (kind, cls) in kinds.items():
                raw = value.get(table, [])
                found = validate.check_records(kind, raw)
                assert isinstance(found, list) and all(isinstance(p, validate.Problem) for p in found)
                for problem in found:
                    str(problem)
                if not found:
                    records[table] = [cls.from_json(r) for r in raw]
            if len(records) == 3:
                actors = records["actors"]
                validate.check_references(
                    records["events"], {a.id for a in actors}, {s.id for s in records["sites"]}, actors
                )
                for event in records["events"]:
                    _ = event.period  # every stored date that passed must be readable
                    json.dumps(event.to_json(), ensure_ascii=False).encode("utf-8")
    # 2. As an import file in every format (detected, then each one forced).
    if formats is not None:
        for fmt in (None, *formats.IMPORT_FORMATS):
            parsed = formats.read_records(data, fmt, KNOWN)
            for problem in formats.all_problems(parsed, KNOWN):
                assert isinstance(problem, validate.Problem)
                str(problem)
    # 3. As a file, through the store reader.
    path = SCRATCH / "store.json"
    path.write_bytes(data)
    try:
        store.read_store(path)
    except StoreError as error:
        str(error)


def save_crash(data: bytes, error: BaseException) -> Path:
    CRASHES.mkdir(exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    path = CRASHES / f"crash-{name}.json"
    path.write_bytes(data)
    (CRASHES / f"crash-{name}.txt").write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path


# --- the pure-Python engine -----------------------------------------------------------


def seeds() -> list[bytes]:
    found = [BUNDLED.read_bytes()] if BUNDLED.exists() else []
    small = {
        "schema_version": 1,
        "actors": [{"id": "us", "name": "United States", "aliases": ["US"], "kind": "state", "country": "United States", "parent": None, "affiliations": []}],
        "sites": [{"id": "al-tanf", "name": "Al-Tanf", "aliases": ["Tanf"], "kind": "garrison", "country": "Syria", "admin1": "Homs", "lat": 33.5, "lon": 38.6, "location_precision": "exact"}],
        "events": [{"id": "e1", "date": "2026-02", "end_date": "2026-03-01", "date_precision": "month", "approximate": True, "type": "withdrawal", "stage": "began", "actors": ["us"], "site": "al-tanf", "origin": None, "destination": None, "quantities": {"troops": 200, "vehicles": {"low": 1, "high": 9}}, "status": "disputed", "summary": "US troops left.", "sources": [{"outlet": "Reuters", "document": None, "url": "https://example.org", "published": "2026-02-24"}], "disputes": [{"claim": "Later.", "sources": []}], "tags": ["northeast"]}],
    }  # fmt: skip
    # Import files in the other formats: JSON Lines, and any CSV examples the docs ship.
    found.append("\n".join(json.dumps(e, ensure_ascii=False) for e in small["events"] * 2).encode("utf-8"))
    found += [path.read_bytes() for path in sorted((REPOSITORY / "docs" / "examples").glob("*.csv"))]
    found.append(json.dumps(small, indent=1).encode("utf-8"))
    found.append(json.dumps(small, ensure_ascii=False).encode("utf-8"))  # last: load_modules reads it
    return found


def random_json(rng: random.Random, depth: int = 0):
    choice = rng.randrange(12 if depth < 4 else 8)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 1, 10**rng.randrange(1, 500), -(2**63), 2**64])
    if choice == 3:
        return rng.choice([0.5, -0.0, 1e308, float("nan"), float("inf"), 5e-324])
    if choice in (4, 5):
        alphabet = "aZ09 -_[]/\\\x00\x1b\x9b\u202e\ud800\udfffتدمر😀"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
    if choice == 6:
        return rng.choice(["2026", "2026-02", "2026-02-30", "1899", "٢٠٢٦", "2026-13", "withdrawal", "disputed", "began"])
    if choice == 7:
        return rng.choice(["", " ", "x" * 6000, "us", "al-tanf", "e1", "UPPER-case"])
    if choice in (8, 9):
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    keys = ["id", "date", "end_date", "type", "summary", "sources", "quantities", "lat", "lon", "outlet",
            "published", "claim", "low", "high", "aliases", "name", "actors", "site", "schema_version", "x"]  # fmt: skip
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randrange(0, 5))}


def mutate_structure(rng: random.Random, seed: bytes) -> bytes:
    """Replace, remove or add one value somewhere inside a valid store."""
    value = json.loads(seed)
    node = value
    for _ in range(rng.randrange(1, 6)):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        containers = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
        if not containers or rng.random() < 0.3:
            break
        node = rng.choice(containers)[1]
    if isinstance(node, dict):
        key = rng.choice(list(node) + ["unknown", "id", "summary"])
        if rng.random() < 0.3:
            node.pop(key, None)
        else:
            node[key] = random_json(rng)
    elif isinstance(node, list):
        spot = rng.randrange(len(node) + 1)
        if node and rng.random() < 0.5:
            node[min(spot, len(node) - 1)] = random_json(rng)
        else:
            node.insert(spot, random_json(rng))
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    raw = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        spot = rng.randrange(len(raw) + 1)
        action = rng.randrange(4)
        if action == 0 and raw:
            raw[min(spot, len(raw) - 1)] = rng.randrange(256)
        elif action == 1:
            del raw[spot : spot + rng.randrange(1, 64)]
        elif action == 2:
            raw[spot:spot] = rng.choice(TOKENS)
        else:
            raw = raw[: rng.randrange(len(raw) + 1)]
    return bytes(raw)


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def run_python(seconds: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    pool = seeds()
    small = [s for s in pool if len(s) < 20_000] or pool
    structured = {s for s in pool if _is_json(s)}
    tried = crashes = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        base = rng.choice(small if rng.random() < 0.9 else pool)
        kind = rng.randrange(4)
        if kind in (0, 2) and base not in structured:
            kind = 1  # structural mutations need a JSON document to work on
        if kind == 0:
            data = mutate_structure(rng, base)
        elif kind == 1:
            data = mutate_bytes(rng, base)
        elif kind == 2:
            data = mutate_bytes(rng, mutate_structure(rng, base))
        else:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 64)))
        tried += 1
        try:
            check_one(data)
        except Exception as error:  # noqa: BLE001 - finding these is the point
            crashes += 1
            path = save_crash(data, error)
            print(f"CRASH {type(error).__name__}: {error} (input saved to {path})", file=sys.stderr)
    return tried, crashes


# --- the atheris engine ---------------------------------------------------------------


def run_atheris(seconds: float, extra: list[str]) -> None:
    import atheris

    global model, store, validate, StoreError
    with atheris.instrument_imports():
        model, store, validate, StoreError = load_modules()
    corpus = HERE / "corpus"
    corpus.mkdir(exist_ok=True)
    for number, seed in enumerate(seeds()):
        (corpus / f"seed-{number}.json").write_bytes(seed)

    def one_input(data: bytes) -> None:
        try:
            check_one(data)
        except Exception as error:
            save_crash(data, error)
            raise

    args = [sys.argv[0], f"-max_total_time={int(seconds)}", "-print_final_stats=1", "-max_len=65536",
            "-timeout=10", *extra, str(corpus)]  # fmt: skip
    atheris.Setup(args, one_input)
    atheris.Fuzz()


def main() -> int:
    global model, store, validate, StoreError, SCRATCH
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long to fuzz (default 60)")
    parser.add_argument("--engine", choices=("auto", "atheris", "python"), default="auto")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the Python engine")
    parser.add_argument("--replay", type=Path, nargs="+", metavar="FILE", help="run saved inputs once and stop")
    options, extra = parser.parse_known_args()
    SCRATCH = Path(tempfile.mkdtemp(prefix="syriabrief-fuzz-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    if options.replay:
        model, store, validate, StoreError = load_modules()
        failed = 0
        for path in options.replay:
            try:
                check_one(path.read_bytes())
                print(f"{path}: ok")
            except Exception:  # noqa: BLE001
                failed += 1
                print(f"{path}: CRASH", file=sys.stderr)
                traceback.print_exc()
        return 1 if failed else 0
    engine = options.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "python"
    if engine == "atheris":
        run_atheris(options.seconds, extra)  # libFuzzer prints its figures and exits
        return 0
    model, store, validate, StoreError = load_modules()
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    started = time.monotonic()
    tried, crashes = run_python(options.seconds, seed)
    elapsed = time.monotonic() - started
    print(f"engine=python seed={seed} seconds={elapsed:.0f} inputs={tried} crashes={crashes} "
          f"({tried / elapsed:.0f} inputs/s)")  # fmt: skip
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
