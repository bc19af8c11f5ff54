#!/usr/bin/env bash
# tests/kafka/restart.sh VROEG WORK - SIGTERM in the middle of a stream,
# then a restart: the second run resumes from the committed offsets, so
# every signal is decided once, none lost, none twice.
VROEG=$1 WORK=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
KEY=$ROOT/examples/demo.key
rm -rf "$WORK" && mkdir -p "$WORK"
source "$(dirname "$0")/lib.sh"

kafka_start --partitions 2
gen_produce 3000 11
write_conf "$WORK/a.conf" restart "$WORK/a.jsonl"
write_conf "$WORK/b.conf" restart "$WORK/b.jsonl"

# Throttle the first run a little (small batches) so SIGTERM lands mid-stream.
sed -i 's/^batch = 64/batch = 16/' "$WORK/a.conf"
"$VROEG" run -c "$WORK/a.conf" 2>"$WORK/a.log" &
pid=$!
kafka_pids+=("$pid")
wait_lines "$WORK/a.jsonl" 300 60
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || { cat "$WORK/a.log" >&2; fail "first run exited $rc after SIGTERM"; }
first=$(wc -l <"$WORK/a.jsonl")
((first < PRODUCED)) || fail "the first run decided everything ($first); SIGTERM came too late to test"

timeout 120 "$VROEG" run -c "$WORK/b.conf" --stop-at-end 2>"$WORK/b.log" ||
	{ cat "$WORK/b.log" >&2; fail "second run failed"; }
exactly_once "$PRODUCED" "$WORK/a.jsonl" "$WORK/b.jsonl"
echo "ok: $PRODUCED signals; $first before SIGTERM, $(wc -l <"$WORK/b.jsonl") after the restart; each once"
