#!/usr/bin/env bash
# tests/kafka/kill_outputs.sh VROEG WORK - the output files are as durable as
# the state: `vroeg run` killed with -9 at random moments (deciding,
# storing, writing, producing, committing) and restarted, against the same
# input decided by an undisturbed run.  Expected: the same decision lines
# and the same case lines, each once; only decisions marked as redelivered
# ("duplicate") extra.  One partition, a fixed clock and the Redis store,
# so both runs see the same signals in the same order.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"
shared_store
kafka_start
KILLS=${KILLS:-12}
kafka_cmd "topic kill.zorg 1"
"$VROEG" gen --households 240000 --months 6 --seed 31 --invalid 0.02 --out "$WORK/gen.jsonl"
grep -av '"type":"\(Huur\|Energie\|Water\|Gemeentebelastingen\)"' "$WORK/gen.jsonl" >"$WORK/zorg.jsonl"
total=$(wc -l <"$WORK/zorg.jsonl")
((total > 1000)) || fail "only $total signals generated"
# In parts, so that every run has work when it is killed.
split -n "l/$KILLS" -d "$WORK/zorg.jsonl" "$WORK/part."

conf() { # conf FILE GROUP PREFIX NAME
	cat >"$1" <<-CONF
	[engine]
	key.file = $KEY
	contact.key.file = $WORK/contact.key
	clock = 2024-12-31
	batch = 16
	linger.ms = 5
	[store]
	url = unix://$WORK/redis/redis.sock?prefix=$3
	[output]
	decisions = $WORK/$4.decisions.jsonl
	cases = $WORK/$4.cases.jsonl
	[kafka]
	bootstrap.servers = $BOOTSTRAP
	[kafka consumer]
	group.id = $2
	session.timeout.ms = 6000
	heartbeat.interval.ms = 500
	fetch.wait.max.ms = 20
	[topic kill.zorg]
	partner = Zorg
	CONF
}

# The killed runs: produce a part, start, kill -9 at a random moment.
conf "$WORK/kill.conf" kill "kill:" kill
kills=0
lines() { if [[ -f $WORK/kill.decisions.jsonl ]]; then wc -l <"$WORK/kill.decisions.jsonl"; else echo 0; fi; }
i=0
for p in "$WORK"/part.*; do
	produce kill.zorg "$p"
	before=$(lines)
	"$VROEG" run -c "$WORK/kill.conf" 2>>"$WORK/kill.log" &
	pid=$!
	kafka_pids+=("$pid")
	i=$((i + 1))
	if ((i % 2 == 0)); then
		# At a random moment: the group join takes about 3 s on the mock
		# cluster, the part a few hundred milliseconds after it.
		sleep "$(awk -v s=$RANDOM 'BEGIN { printf "%.2f", 2.9 + (s % 60) / 100 }')"
	else
		# Once a random number of this run's lines is written: between
		# writing a batch and storing, producing or committing it.
		want=$((before + 1 + RANDOM % ($(wc -l <"$p") * 3 / 4 + 1)))
		for _ in $(seq 1 1000); do (($(lines) >= want)) && break; sleep 0.01; done
	fi
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null || true
done
timeout 120 "$VROEG" run -c "$WORK/kill.conf" --stop-at-end 2>>"$WORK/kill.log" ||
	{ tail -n 20 "$WORK/kill.log" >&2; fail "the last run after the kills failed"; }

# The undisturbed run of the same input.
conf "$WORK/calm.conf" calm "calm:" calm
timeout 120 "$VROEG" run -c "$WORK/calm.conf" --stop-at-end 2>"$WORK/calm.log" ||
	{ cat "$WORK/calm.log" >&2; fail "the undisturbed run failed"; }

# Every line whole (no torn line left), and the comparison.
for f in "$WORK"/kill.decisions.jsonl "$WORK"/kill.cases.jsonl; do
	if grep -avq '^{.*}$' "$f"; then fail "$f holds a torn line"; fi
done
sort "$WORK/kill.decisions.jsonl" >"$WORK/kill.dec"
sort "$WORK/calm.decisions.jsonl" >"$WORK/calm.dec"
sort "$WORK/kill.cases.jsonl" >"$WORK/kill.cases"
sort "$WORK/calm.cases.jsonl" >"$WORK/calm.cases"
[[ $(wc -l <"$WORK/calm.dec") -eq $total ]] || fail "the undisturbed run decided $(wc -l <"$WORK/calm.dec") of $total"
# Every line of the undisturbed run is there (as often); what is there
# besides are redeliveries, each marked "duplicate"; no other line twice.
lost=$(comm -13 "$WORK/kill.dec" "$WORK/calm.dec" | wc -l)
extra=$(comm -23 "$WORK/kill.dec" "$WORK/calm.dec" | grep -vc '"status":"duplicate"' || true)
redelivered=$(comm -23 "$WORK/kill.dec" "$WORK/calm.dec" | grep -c '"status":"duplicate"' || true)
doubled=$(grep -v '"status":"duplicate"' "$WORK/kill.dec" | uniq -d | wc -l)
lost_cases=$(comm -13 "$WORK/kill.cases" "$WORK/calm.cases" | wc -l)
doubled_cases=$(uniq -d "$WORK/kill.cases" | wc -l)
extra_cases=$(comm -23 "$WORK/kill.cases" "$WORK/calm.cases" | wc -l)
echo "kills $kills, signals $total: decisions lost $lost, doubled $doubled, other $extra;" \
	"cases $(wc -l <"$WORK/calm.cases") lost $lost_cases, doubled $doubled_cases, other $extra_cases;" \
	"redeliveries marked $redelivered"
((kills >= 10)) || fail "only $kills runs were killed: the test tested too little"
((lost == 0 && doubled == 0 && extra == 0)) || {
	comm -3 "$WORK/kill.dec" "$WORK/calm.dec" | grep -v '"status":"duplicate"' | sed -n 1,4p >&2 || true
	fail "the decision files differ"
}
((lost_cases == 0 && doubled_cases == 0 && extra_cases == 0)) || {
	comm -3 "$WORK/kill.cases" "$WORK/calm.cases" | sed -n 1,4p >&2 || true
	fail "the case files differ"
}
echo "ok"
