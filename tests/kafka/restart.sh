#!/usr/bin/env bash
# tests/kafka/restart.sh VROEG WORK - SIGTERM in the middle of a stream,
# then a restart: the second run resumes from the committed offsets, so
# every signal is decided once, none lost, none twice.
VROEG=$1 WORK=$2
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

# SIGHUP reloads the rule file between batches; a broken file keeps the
# rules in use.
cp "$ROOT/rules/default.rules" "$WORK/gemeente.rules"
write_conf "$WORK/hup.conf" hup "$WORK/hup.jsonl" "[engine]" "rules = $WORK/gemeente.rules"
"$VROEG" run -c "$WORK/hup.conf" 2>"$WORK/hup.log" &
pid=$!
kafka_pids+=("$pid")
wait_lines "$WORK/hup.jsonl" "$PRODUCED" 60
grep -q '"ruleset":"default/1.0"' "$WORK/hup.jsonl" || fail "not decided with default/1.0"
echo 'this is not a rule' >>"$WORK/gemeente.rules"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q 'SIGHUP: .*rules in use are kept' "$WORK/hup.log" && break; sleep 0.1; done
grep -q 'SIGHUP: .*gemeente.rules:[0-9]*:[0-9]*: .*rules in use are kept' "$WORK/hup.log" ||
	fail "a broken rule file on SIGHUP: $(tail -n 2 "$WORK/hup.log")"
sed -e 's/^ruleset "default" version "1.0"/ruleset "gemeente" version "2.0"/' \
	"$ROOT/rules/default.rules" >"$WORK/gemeente.rules"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q 'rule set gemeente loaded' "$WORK/hup.log" && break; sleep 0.1; done
grep -q 'rule set gemeente loaded' "$WORK/hup.log" || fail "SIGHUP did not load the new rule file"
before=$(wc -l <"$WORK/hup.jsonl")
gen_produce 300 12
wait_lines "$WORK/hup.jsonl" "$((before + PRODUCED))" 60
kill -TERM "$pid"
wait "$pid" || fail "run exited non-zero after SIGHUP"
tail -n 1 "$WORK/hup.jsonl" | grep -q '"ruleset":"gemeente/2.0"' || fail "decisions after SIGHUP not by the new rule set"
echo "ok: SIGHUP reloads the rule file; a broken one is refused and the old rules kept"
