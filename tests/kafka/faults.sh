#!/usr/bin/env bash
# tests/kafka/faults.sh VROEG WORK - the broker down for 10 s in the middle
# of a stream, and a rebalance when a second consumer joins the group: every
# signal is decided, none lost, and a signal read again (at-least-once: the
# offsets of the last batches before a rebalance cannot be committed while
# the group rebalances) is recognised as a redelivery, not decided twice.
# The two consumers share their state in a redis-server, as instances of
# one group must.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"

kafka_start --partitions 4

# 1. Broker down: consume, take the (only) broker down for 10 s, bring it
#    back, produce more; the service rides it out.
gen_produce 1500 21
first=$PRODUCED
write_conf "$WORK/down.conf" down "$WORK/down.jsonl"
"$VROEG" run -c "$WORK/down.conf" 2>"$WORK/down.log" &
pid=$!
kafka_pids+=("$pid")
wait_lines "$WORK/down.jsonl" "$first" 60
kafka_cmd "down 1"
sleep 10
kafka_cmd "up 1"
gen_produce 1500 22
total=$((first + PRODUCED))
wait_lines "$WORK/down.jsonl" "$total" 90
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[[ $rc -eq 0 ]] || { tail -n 20 "$WORK/down.log" >&2; fail "run exited $rc after the broker outage"; }
once_or_recognised "$total" "$WORK/down.jsonl"
echo "ok: broker down 10 s; $total signals decided, $REDELIVERED read again and recognised"

# 2. Rebalance: a second consumer joins the group mid-stream; the first
#    finishes its batch in hand and commits before giving partitions up.
shared_store
gen_produce 4000 23
write_conf "$WORK/c1.conf" rebalance "$WORK/c1.jsonl" "${SHARED[@]}"
write_conf "$WORK/c2.conf" rebalance "$WORK/c2.jsonl" "${SHARED[@]}"
sed -i 's/^batch = 64/batch = 8/' "$WORK/c1.conf" "$WORK/c2.conf"
total=$((total + PRODUCED))
"$VROEG" run -c "$WORK/c1.conf" 2>"$WORK/c1.log" &
p1=$!
kafka_pids+=("$p1")
wait_lines "$WORK/c1.jsonl" 200 60
"$VROEG" run -c "$WORK/c2.conf" 2>"$WORK/c2.log" &
p2=$!
kafka_pids+=("$p2")
# Until every position is decided (a redelivered one counts once).
for _ in $(seq 1 180); do
	n=$({ cat "$WORK/c1.jsonl" "$WORK/c2.jsonl" 2>/dev/null || true; } |
		grep -o '"source":"[^"]*"' | sort -u | wc -l)
	((n >= total)) && break
	sleep 0.5
done
kill -TERM "$p1" "$p2"
wait "$p1" || fail "first consumer exited non-zero"
wait "$p2" || fail "second consumer exited non-zero"
grep -q '"msg":"revoked' "$WORK/c1.log" || fail "no rebalance happened"
[[ -s $WORK/c2.jsonl ]] || fail "the second consumer decided nothing"
once_or_recognised "$total" "$WORK/c1.jsonl" "$WORK/c2.jsonl"
echo "ok: rebalance; $(wc -l <"$WORK/c1.jsonl") + $(wc -l <"$WORK/c2.jsonl") decisions, $REDELIVERED read again and recognised"
