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
