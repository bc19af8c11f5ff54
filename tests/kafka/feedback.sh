#!/usr/bin/env bash
# tests/kafka/feedback.sh VROEG WORK - partner feedback survives a stop
# between storing a batch and delivering its feedback: the batch is read
# again, every signal is then a redelivery, and each is answered with the
# status it got the first time.  Simulated here by a second consumer group
# reading the same topics against the same Redis state.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"

kafka_start --partitions 1
shared_store
gen_produce 600 31
write_conf "$WORK/first.conf" first "$WORK/first.jsonl" "${SHARED[@]}"
write_conf "$WORK/again.conf" again "$WORK/again.jsonl" "${SHARED[@]}"

timeout 120 "$VROEG" run -c "$WORK/first.conf" --stop-at-end 2>"$WORK/first.log" ||
	{ cat "$WORK/first.log" >&2; fail "first run failed"; }
for t in huur energie water zorg gemeentebelastingen; do
	consume "feedback.$t" '%s\n'
done | sort >"$WORK/fb1"
n1=$(wc -l <"$WORK/fb1")
((n1 > 100)) || fail "only $n1 feedback events"

timeout 120 "$VROEG" run -c "$WORK/again.conf" --stop-at-end 2>"$WORK/again.log" ||
	{ cat "$WORK/again.log" >&2; fail "second run failed"; }
# Everything was a redelivery this time ...
! grep -v '"status":"\(duplicate\|rejected\)"' "$WORK/again.jsonl" | grep -q . ||
	fail "the second run decided a signal anew"
# ... and each got its first status back: every event twice, nothing else.
for t in huur energie water zorg gemeentebelastingen; do
	consume "feedback.$t" '%s\n'
done | sort >"$WORK/fb2"
[[ $(wc -l <"$WORK/fb2") -eq $((2 * n1)) ]] || fail "expected $((2 * n1)) feedback events, got $(wc -l <"$WORK/fb2")"
# (A signal the partner itself sent twice had two events the first time.)
diff <(uniq -c "$WORK/fb1" | awk '{ $1 = 2 * $1; print }') \
	<(uniq -c "$WORK/fb2" | awk '{ $1 = $1; print }') >/dev/null ||
	fail "a redelivery got another status than the first time"
echo "ok: $n1 feedback events, each repeated with its first status on redelivery"

# The store goes away mid-stream (kill -9, restarted 5 s later from its
# AOF): consumption pauses, nothing is dropped, the run goes on.
gen_produce 2000 32
total=$(($(cat "$WORK"/gen.31/*.jsonl "$WORK"/gen.32/*.jsonl | wc -l)))
write_conf "$WORK/kill.conf" kill "$WORK/kill.jsonl" "${SHARED[@]}"
sed -i 's/^batch = 64/batch = 16/' "$WORK/kill.conf"
"$VROEG" run -c "$WORK/kill.conf" 2>"$WORK/kill.log" &
pid=$!
kafka_pids+=("$pid")
wait_lines "$WORK/kill.jsonl" 300 60
kill -9 "$REDIS_PID"
sleep 5
kill -0 "$pid" || fail "vroeg run died with the store"
redis_start "$WORK/redis"
for _ in $(seq 1 120); do
	n=$(grep -o '"source":"[^"]*"' "$WORK/kill.jsonl" | sort -u | wc -l)
	((n >= total)) && break
	sleep 0.5
done
kill -TERM "$pid"
wait "$pid" || fail "run exited non-zero after the store outage"
grep -q 'store unavailable.*consumption paused' "$WORK/kill.log" || fail "the outage was not reported"
grep -q 'store back after' "$WORK/kill.log" || fail "the store's return was not reported"
once_or_recognised "$total" "$WORK/kill.jsonl"
echo "ok: store killed for 5 s mid-stream; $total signals decided, none lost"
