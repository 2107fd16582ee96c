#!/bin/bash
# The attacks of issue 12 on the store file layer, as docs/reliability.md's attack table reports them.
#
#   scripts/attack_store_files.sh [SRC_DIR]     (default: this checkout's src; Linux: mkfifo, ulimit -v)
#
# To measure another version, point it at that version's src, e.g. the "before" column:
#   git archive 8fd6885 src data | tar -x -C /tmp/before && scripts/attack_store_files.sh /tmp/before/src
# Each line says what each command did: ok, refused (with the start of its message), traceback, or hang.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=${1:-$ROOT/src}; PY=${PYTHON:-python3}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; cd "$W"
export HOME=$W XDG_DATA_HOME=$W/d XDG_CACHE_HOME=$W/c PYTHONPATH=$SRC
sb() { timeout 10 $PY -m syriabrief "$@"; }
verdict() { rc=$1; err=$2; if [ $rc = 124 ]; then echo hang; elif grep -q Traceback $err; then echo "traceback:$(grep -E '^[A-Za-z]+Error' $err | tail -1 | cut -c1-40)"; elif [ $rc = 0 ]; then echo ok; else echo "refused:$(head -c 70 $err)"; fi; }
ADD=(add --date 2026-03-01 --type withdrawal --actor US --summary "A report." --source-outlet Reuters --force)
echo "== 5 directory"; mkdir dir
for c in "add --date 2026-03-01 --type withdrawal --actor US --summary x --source-outlet R" "add actor --name Zed" "add site --name Zed" timeline store validate; do sb $c --db dir >/dev/null 2>e; echo "  $c: $(verdict $? e)"; done
echo "== 6 /dev/zero (RLIMIT_AS 1 GB)"
for c in timeline store validate "add actor --name Zed" "add --date 2026-03-01 --type withdrawal --actor US --summary x --source-outlet R"; do (ulimit -v 1048576; sb $c --db /dev/zero >/dev/null 2>e; echo "  $c: $(verdict $? e)"); done
truncate -s 600M big.json  # sparse: past the 512 MB cap, no disk used
( ulimit -v 1048576; s=$(date +%s%N); sb timeline --db big.json >/dev/null 2>e; v=$(verdict $? e); echo "  600 MB sparse file, timeline: $v ($(( ($(date +%s%N) - s) / 1000000 )) ms)" )
echo "== 7 FIFO (timeout 10 s)"; mkfifo f.json
for c in timeline store validate "add actor --name Zed" "add site --name Zed" "add --date 2026-03-01 --type withdrawal --actor US --summary x --source-outlet R"; do sb $c --db f.json >/dev/null 2>e; echo "  $c: $(verdict $? e)"; done
echo "== 10 two concurrent 'add actor --name \"Dup Name\"', 10 trials"; both=0
for i in $(seq 10); do rm -f dup.json*; $PY -m syriabrief add actor --name "Dup Name" --db dup.json >/dev/null 2>&1 & $PY -m syriabrief add actor --name "Dup Name" --db dup.json >/dev/null 2>&1 & wait; n=$(grep -c '"name": "Dup Name"' dup.json); [ "$n" -gt 1 ] && both=$((both+1)); done; echo "  trials where both names landed: $both/10"
$PY -m syriabrief add actor --name "Taken Name" --db imp.json >/dev/null
printf '{"schema_version": 1, "actors": [{"id": "other", "name": "Taken Name", "aliases": [], "kind": null, "country": null, "parent": null, "affiliations": []}], "sites": [], "events": []}' > in.json
sb import in.json --db imp.json >/dev/null 2>e; echo "  import of a taken name: $(verdict $? e)"
printf '{"schema_version": 1, "actors": [{"id": "a1", "name": "Twin", "aliases": [], "kind": null, "country": null, "parent": null, "affiliations": []}, {"id": "a2", "name": "Twin", "aliases": [], "kind": null, "country": null, "parent": null, "affiliations": []}], "sites": [], "events": []}' > twin.json
sb validate --db twin.json >/dev/null 2>e; echo "  validate of two actors named Twin: $(verdict $? e)"
echo "== 12 version-0 store, odd document ids"
for id in '²' '٣' "$(printf '1%.0s' $(seq 5000))"; do printf '{"actors": {}, "sites": {}, "events": {"1": {}, "%s": {}}}' "$id" > v0.json; for c in timeline store validate export; do sb $c --db v0.json >/dev/null 2>e; echo "  id ${id:0:8} $c: $(verdict $? e)"; done; done
echo "== 13 validate --db on a valid version-0 store"
printf '{"_default": {}, "actors": {"1": {"id": "foo-act", "name": "Foo Act", "aliases": [], "kind": null, "country": null, "parent": null, "affiliations": []}}, "sites": {}, "events": {}}' > v0ok.json
for c in timeline store validate; do sb $c --db v0ok.json >/dev/null 2>e; echo "  $c: $(verdict $? e)"; done
echo "== 14 repeated id key, add --id of the id JSON reads"
for k in '"id"' '"id" ' '"\\u0069d"'; do rm -f s14.json*; sb "${ADD[@]}" --id aaa --db s14.json >/dev/null; sb "${ADD[@]}" --id bbb --db s14.json >/dev/null
K="$k" $PY -c "import os; p='s14.json'; t=open(p).read(); open(p,'w').write(t.replace('\"tags\": []}', '\"tags\": [], '+os.environ['K'].replace(chr(92)*2, chr(92))+': \"ccc\"}', 1))"
sb "${ADD[@]}" --id ccc --db s14.json >/dev/null 2>e; a=$(verdict $? e); sb timeline --db s14.json >/dev/null 2>e; echo "  key $k: add --id ccc: $a; then timeline: $(verdict $? e)"; done
echo "== minor: torn store"
rm -f t.json*; sb "${ADD[@]}" --id aaa --db t.json >/dev/null; sb "${ADD[@]}" --id bbb --db t.json >/dev/null; head -c -40 t.json > t2; cat t2 > t.json
sb timeline --db t.json >/dev/null 2>e; echo "  message names t.json.bak: $(grep -c 't.json.bak' e); restore: $(sb store --restore-backup --db t.json >/dev/null 2>e2; verdict $? e2)"
echo "== 4 a symlinked store: one add through the link"; mkdir real; sb "${ADD[@]}" --id aaa --db real/s.json >/dev/null; ln -s real/s.json link.json; sb "${ADD[@]}" --id bbb --db link.json > /dev/null
echo "  link still a link: $([ -L link.json ] && echo yes || echo no); target has bbb: $(grep -c '"id": "bbb"' real/s.json); link.json.bak made: $([ -e link.json.bak ] || [ -L link.json.bak ] && echo yes || echo no); lock beside target: $([ -e real/s.json.lock ] && echo yes || echo no)"
echo "== 4 a writer through the link and one through its target, 5 adds each asking one id, 5 trials"
PYTHONPATH=$SRC:$ROOT/tests $PY -c "from conftest import write_store; from pathlib import Path; write_store(Path('base.json'), [])"
lost=0; total=0; broken=0
for i in $(seq 5); do rm -f store.json* link.json* go .store*; echo '{"schema_version": 1, "actors": [], "sites": [], "events": []}' > store.json; ln -s store.json link.json
( $PY $ROOT/tests/fault_worker.py adds link.json base.json go 5 same > a.out 2>a.err & $PY $ROOT/tests/fault_worker.py adds store.json base.json go 5 same > b.out 2>b.err & sleep 0.5; touch go; wait )
acked=$(cat a.out b.out | wc -l); stored=$($PY -c "from syriabrief.storage.store import read_store; print(len(read_store('store.json').events))")
lost=$((lost + acked - stored)); total=$((total+acked)); [ -L link.json ] || broken=$((broken+1)); done
echo "  trials=5 acknowledged=$total lost_from_target=$lost link_replaced=$broken"; 