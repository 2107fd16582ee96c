#!/bin/sh
# A reader during steady appends (docs/reliability.md, attack table of issue 12): five
# `timeline` queries of a 10k store that has no index yet, timed, while a writer process
# appends batches of 10 events to it without pause. Run from the repository root:
#     sh scripts/reader_during_appends.sh [WORK_DIR]
set -eu
work=${1:-$(mktemp -d)}
mkdir -p "$work"
root=$(pwd)
export SYRIABRIEF_BUNDLED=none XDG_CACHE_HOME="$work/cache"
python benchmarks/generate.py 10k "$work/store.json" >/dev/null
echo '{"schema_version": 1, "actors": [], "sites": [], "events": []}' > "$work/base.json"
python tests/fault_worker.py batches "$work/store.json" "$work/base.json" w 10 > "$work/writer.log" &
writer=$!
until grep -q ready "$work/writer.log"; do sleep 0.1; done
cd "$work"
for query in 1 2 3 4 5; do
    start=$(python -c 'import time; print(time.time())')
    python -m syriabrief timeline --db store.json --limit 1 >/dev/null
    python -c "import time; print('query $query: %.2f s' % (time.time() - $start))"
done
kill "$writer"
echo "batches written meanwhile: $(($(wc -l < writer.log) - 1))"
cd "$root"
