#!/usr/bin/env bash
# tests/kafka/dispatch.sh VROEG WORK RECEIVER - the service's team queues
# and outbox in Redis (docs/dispatch.md): `vroeg run` with a team capacity
# and an HTTP task sink is killed with -9 at random moments while it decides
# and delivers, and restarted each time; its receiver answers 30% of the
# requests with 500 and leaves 10% hanging past the sink's timeout.
# Against an undisturbed run of the same input (its own state, a receiver
# that always answers 200): the same tasks, each task_id
# with the same body; a task may come twice (a redelivery after the kill),
# never with another body; none lost.  One partition and the event clock,
# so both runs see the same signals on the same days.
VROEG=$1 WORK=$2 RECEIVER=$3
source "$(dirname "$0")/lib.sh"
shared_store
kafka_start
KILLS=${KILLS:-6}
rpids=()
trap 'kafka_cleanup; redis_cleanup; for p in "${rpids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
(umask 077 && head -c 32 /dev/urandom >"$WORK/hook.secret")
kafka_cmd "topic disp.zorg 1"
"$VROEG" gen --households 60000 --months 4 --seed 17 --out "$WORK/gen.jsonl"
# Each received on its signaaldatum (the record's ontvangstdatum, which
# wins over the Kafka timestamp of now): the event clock walks the months.
grep -av '"type":"\(Huur\|Energie\|Water\|Gemeentebelastingen\)"' "$WORK/gen.jsonl" |
	sed 's/"signaaldatum":"\([0-9-]*\)"/&,"ontvangstdatum":"\1"/' >"$WORK/zorg.jsonl"
total=$(wc -l <"$WORK/zorg.jsonl")
split -n "l/$KILLS" -d "$WORK/zorg.jsonl" "$WORK/part."

# receiver NAME [options]: sets URL.
receiver() {
	local name=$1
	shift
	"$RECEIVER" --log "$WORK/$name.log" --bodies "$WORK/$name.bodies" \
		--secret-file "$WORK/hook.secret" "$@" >"$WORK/$name.url" &
	rpids+=($!)
	for _ in $(seq 1 100); do
		URL=$(head -n 1 "$WORK/$name.url" 2>/dev/null || true)
		[[ -n $URL ]] && return 0
		sleep 0.05
	done
	fail "receiver $name did not start"
}

conf() { # conf FILE GROUP PREFIX URL [extra lines...]
	local f=$1 extra=("${@:5}")
	cat >"$1" <<-CONF
	[engine]
	key.file = $KEY
	contact.key.file = $WORK/contact.key
	clock = event
	batch = 32
	linger.ms = 5
	[store]
	url = unix://$WORK/redis/redis.sock?prefix=$3
	[kafka]
	bootstrap.servers = $BOOTSTRAP
	[kafka consumer]
	group.id = $2
	session.timeout.ms = 6000
	heartbeat.interval.ms = 500
	fetch.wait.max.ms = 20
	[topic disp.zorg]
	partner = Zorg
	[team default]
	capacity = 3
	[sink.hook]
	type = http
	url = $4
	secret.file = $WORK/hook.secret
	timeout.ms = 1000
	CONF
	for l in "${extra[@]}"; do echo "$l" >>"$f"; done
}

receiver kill --mode flaky --seed 5 --hang-ms 1500
conf "$WORK/kill.conf" kill "kill:" "$URL"
kills=0
got() { if [[ -f $WORK/kill.log ]]; then grep -c '"status":200' "$WORK/kill.log" || true; else echo 0; fi; }
for p in "$WORK"/part.*; do
	produce disp.zorg "$p"
	before=$(got)
	"$VROEG" run -c "$WORK/kill.conf" 2>>"$WORK/kill.err" &
	pid=$!
	kafka_pids+=("$pid")
	# Once the run has delivered a few tasks (or after 8 s): mid-delivery.
	want=$((before + 1 + RANDOM % 8))
	for _ in $(seq 1 800); do (($(got) >= want)) && break; sleep 0.01; done
	sleep "$(awk -v s=$RANDOM 'BEGIN { printf "%.2f", (s % 30) / 100 }')"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null || true
done
timeout 120 "$VROEG" run -c "$WORK/kill.conf" --stop-at-end 2>>"$WORK/kill.err" ||
	{ tail -n 20 "$WORK/kill.err" >&2; fail "the last run after the kills failed"; }
grep -q 'undelivered tasks restored' "$WORK/kill.err" || fail "no restart found an outbox to send"

receiver calm
kafka_cmd "topic tasks.calm 2"
conf "$WORK/calm.conf" calm "calm:" "$URL" "[sink.bus]" "type = kafka" "topic = tasks.calm"
timeout 120 "$VROEG" run -c "$WORK/calm.conf" --stop-at-end 2>"$WORK/calm.err" ||
	{ cat "$WORK/calm.err" >&2; fail "the undisturbed run failed"; }

python3 "$ROOT/tests/check_tasks.py" --contact --min 40 "$WORK/calm.bodies" || fail "calm tasks"
# The Kafka sink of the same run: every task, keyed by its case, its task
# id in a header, the same body as the webhook got.
consume tasks.calm '%k %h\n' >"$WORK/bus.keys"
consume tasks.calm '%s\n' >"$WORK/bus.bodies"
cmp -s <(sort "$WORK/bus.bodies") <(sort "$WORK/calm.bodies") || fail "the Kafka sink got other tasks"
awk '{ split($2, h, "="); if (index(h[2], $1 ".v") != 1) bad++ } END { exit bad > 0 }' "$WORK/bus.keys" ||
	fail "a task keyed by something other than its case: $(head -n 2 "$WORK/bus.keys")"
python3 "$ROOT/tests/check_tasks.py" --contact --min 40 "$WORK/kill.bodies" "$WORK/calm.bodies" ||
	fail "a task_id with two bodies between the runs"
sort -u "$WORK/calm.bodies" >"$WORK/calm.set"
sort -u "$WORK/kill.bodies" >"$WORK/kill.set"
lost=$(comm -13 "$WORK/kill.set" "$WORK/calm.set" | wc -l)
other=$(comm -23 "$WORK/kill.set" "$WORK/calm.set" | wc -l)
again=$(($(wc -l <"$WORK/kill.bodies") - $(wc -l <"$WORK/kill.set")))
echo "kills $kills, signals $total, tasks $(wc -l <"$WORK/calm.set"): lost $lost, other $other," \
	"delivered again $again"
((kills >= KILLS - 1)) || fail "only $kills runs were killed"
((lost == 0 && other == 0)) || {
	comm -3 "$WORK/kill.set" "$WORK/calm.set" | cut -c1-160 | sed -n 1,4p >&2
	fail "the tasks differ"
}
# The outbox is empty at the end.
left=$(redis-cli -s "$WORK/redis/redis.sock" --scan --pattern 'kill:d:o:*' | wc -l)
((left == 0)) || fail "$left tasks left in the outbox"
queued=$(redis-cli -s "$WORK/redis/redis.sock" --scan --pattern 'kill:d:q:*' | wc -l)
((queued > 0)) || fail "no queue entries in Redis"

# vroeg queue: the team's queue as the service left it.
"$VROEG" queue -c "$WORK/calm.conf" >"$WORK/queue.txt" 2>"$WORK/queue.err" || fail "vroeg queue: $(cat "$WORK/queue.err")"
grep -q '^Team default (capacity 3 per working day), next first:$' "$WORK/queue.txt" || fail "queue header"
inq=$(sed -n 's/^\([0-9]*\) cases queued in 1 team(s)$/\1/p' "$WORK/queue.err")
rows=$(grep -c '^ *[0-9]\+  \(crisis\|urgent\|normal\) ' "$WORK/queue.txt" || true)
[[ -n $inq && $inq -gt 0 && $rows -eq $inq ]] || fail "queue: $rows rows for ${inq:-?} queued"
if "$VROEG" queue -c "$WORK/calm.conf" --team nobody >/dev/null 2>&1; then fail "an unknown team listed"; fi

# vroeg outcome: checked line by line, handed to the service, applied by it
# (the next run), kept: a closed case refuses another resultaat.
# Two different cases whose tasks went out.
grep -o '"case_id":"[^"]*"' "$WORK/calm.set" | sed 's/.*:"\(.*\)"/\1/' | sort -u >"$WORK/out.cases"
a=$(sed -n 1p "$WORK/out.cases")
b=$(sed -n 2p "$WORK/out.cases")
waiting=$(grep -o 'c-[0-9a-f]\{16\}-[0-9]\{8\}' "$WORK/queue.txt" | head -1 || true)
cat >"$WORK/outcomes.jsonl" <<OUT
{"case_id":"$a","contactpogingen":[{"soort":"Telefoon","bereikt":true,"datum":"2024-03-05","dagdeel":"Ochtend"}]}
{"case_id":"$b","contactpogingen":[{"soort":"Brief","bereikt":false,"datum":"2024-03-04"}],"resultaat":"Definitief geen contact kunnen krijgen"}
{"case_id":"$a","contactpogingen":[{"soort":"Fax","bereikt":true,"datum":"2024-03-05"}]}
{"case_id":"c-0000000000000000-20240101","resultaat":"Inwoner is overleden"}
{"case_id":"$a","contactpogingen":[{"soort":"Telefoon","bereikt":true,"datum":"2024-03-05","dagdeel":"Ochtend"}]}
OUT
if "$VROEG" outcome -c "$WORK/calm.conf" "$WORK/outcomes.jsonl" >"$WORK/outcome.out" 2>"$WORK/outcome.err"; then
	fail "vroeg outcome accepted bad lines"
fi
grep -q '^line 3: contactpogingen\[0\].soort: expected one of the DDAS contact kinds' "$WORK/outcome.err" ||
	fail "outcome: $(cat "$WORK/outcome.err")"
grep -q '^line 4: case c-0000000000000000-20240101: not known' "$WORK/outcome.err" || fail "outcome: unknown case"
grep -q "^line 1: $a: dispatched -> opgepakt, opgepakt 2024-03-05" "$WORK/outcome.out" || fail "outcome line 1"
grep -q "^line 2: $b: dispatched -> closed" "$WORK/outcome.out" || fail "outcome line 2"
[[ $(redis-cli -s "$WORK/redis/redis.sock" --scan --pattern 'calm:d:in:*' | wc -l) -eq 2 ]] ||
	fail "the same outcome twice is not one inbox entry"
timeout 120 "$VROEG" run -c "$WORK/calm.conf" --stop-at-end 2>"$WORK/calm2.err" ||
	{ cat "$WORK/calm2.err" >&2; fail "the run after the outcomes failed"; }
grep -q "case $a: dispatched -> opgepakt" "$WORK/calm2.err" || fail "the service did not apply the outcome"
grep -q "case $b: dispatched -> closed" "$WORK/calm2.err" || fail "the service did not close $b"
[[ $(redis-cli -s "$WORK/redis/redis.sock" --scan --pattern 'calm:d:in:*' | wc -l) -eq 0 ]] ||
	fail "outcomes left in the inbox"
# The partners: Nog niet opgepakt at intake, Opgepakt once the team tried
# to make contact (both cases: DDAS datumOpgepakt is the first attempt,
# reached or not).
consume feedback.zorg '%s\n' >"$WORK/feedback.txt"
grep -q '"status":"Nog niet opgepakt"' "$WORK/feedback.txt" || fail "no Nog niet opgepakt at intake"
if grep -q '"status":"Opgepakt"' <(head -n "$total" "$WORK/feedback.txt"); then
	fail "Opgepakt sent at intake"
fi
for c in "$a" "$b"; do
	for id in $(grep -h "\"case_id\":\"$c\"" "$WORK/calm.set" | grep -o '"id":"[^"]*"' | sort -u); do
		grep -q "{\"ID\":${id#\"id\":},.*\"status\":\"Opgepakt\"}" "$WORK/feedback.txt" ||
			fail "no Opgepakt for signal $id of case $c"
	done
done
echo "{\"case_id\":\"$b\",\"resultaat\":\"Inwoner is overleden\"}" >"$WORK/again.jsonl"
if "$VROEG" outcome -c "$WORK/calm.conf" "$WORK/again.jsonl" >/dev/null 2>"$WORK/again.err"; then
	fail "a closed case took another resultaat"
fi
grep -q 'closed already with "Definitief geen contact kunnen krijgen"' "$WORK/again.err" ||
	fail "again: $(cat "$WORK/again.err")"
if [[ -n $waiting ]]; then
	echo "{\"case_id\":\"$waiting\",\"resultaat\":\"Inwoner is overleden\"}" >"$WORK/queued.jsonl"
	if "$VROEG" outcome -c "$WORK/calm.conf" "$WORK/queued.jsonl" >/dev/null 2>"$WORK/queued.err"; then
		fail "an outcome for a queued case"
	fi
	grep -q 'still queued' "$WORK/queued.err" || fail "queued: $(cat "$WORK/queued.err")"
fi
# Outcomes from Kafka ([outcomes] topic): a first contact attempt applied
# once though sent twice, its signals Opgepakt to the partner; a bad one
# refused with its reason and dead-lettered; the offsets committed (a
# second run applies nothing again).
c3=$(sed -n 3p "$WORK/out.cases")
kafka_cmd "topic outcomes.calm 1"
good="{\"case_id\":\"$c3\",\"contactpogingen\":[{\"soort\":\"Huisbezoek\",\"bereikt\":true,\"datum\":\"2024-03-06\",\"dagdeel\":\"Middag\"}]}"
printf '%s\n%s\n%s\n' "$good" "{\"case_id\":\"$c3\",\"resultaat\":\"Opgelost\"}" "$good" >"$WORK/kout.jsonl"
produce outcomes.calm "$WORK/kout.jsonl"
cp "$WORK/calm.conf" "$WORK/kout.conf"
printf '[outcomes]\ntopic = outcomes.calm\n' >>"$WORK/kout.conf"
for run in 1 2; do
	timeout 120 "$VROEG" run -c "$WORK/kout.conf" --stop-at-end 2>"$WORK/kout$run.err" ||
		{ cat "$WORK/kout$run.err" >&2; fail "the run with the outcomes topic failed"; }
done
[[ $(grep -c "case $c3: dispatched -> opgepakt" "$WORK/kout1.err") -eq 1 ]] ||
	fail "the Kafka outcome was not applied once: $(grep outcome "$WORK/kout1.err" | head -3)"
grep -q 'outcome outcomes.calm/0@1 refused: resultaat: expected a DDAS eindresultaat' "$WORK/kout1.err" ||
	fail "the bad outcome: $(grep -i outcome "$WORK/kout1.err" | head -3)"
grep -q 'outcome outcomes.calm/' "$WORK/kout2.err" && fail "the outcomes were read again by the next run"
[[ $(consume signals.dlq '%h %s\n' | grep 'vroeg.reason.code=outcome' | grep -c "\"case_id\":\"$c3\"") -eq 1 ]] ||
	fail "the bad outcome was not dead-lettered once"
consume feedback.zorg '%s\n' >"$WORK/feedback2.txt"
for id in $(grep -h "\"case_id\":\"$c3\"" "$WORK/calm.set" | grep -o '"id":"[^"]*"' | sort -u); do
	grep -q "{\"ID\":${id#\"id\":},.*\"status\":\"Opgepakt\"}" "$WORK/feedback2.txt" ||
		fail "no Opgepakt for signal $id of case $c3 (outcome from Kafka)"
done

# ZGW: a zaak's URL is in Redis before its rol is posted, so a restart
# posts only the rol and never a second zaak.  First a Zaken API that makes
# every zaak but refuses every rol for now (503): the run stops with its
# tasks in the outbox and their zaken recorded.  Then, on the same port,
# one that takes the rollen.
printf 'zgw-test-secret-of-32-characters' >"$WORK/zgw.secret"
zport=$(free_port)
zgw_sink=("[sink.zaken]" "type = zgw" "url = http://127.0.0.1:$zport/api/v1"
	"zaaktype = https://catalogi.example.nl/catalogi/api/v1/zaaktypen/1"
	"roltype = https://catalogi.example.nl/catalogi/api/v1/roltypen/2"
	"rsin = 002220647" "client_id = vroeg" "secret.file = $WORK/zgw.secret" "timeout.ms = 1000")
zgw_api() { # zgw_api N MODE
	"$RECEIVER" --log "$WORK/zgw$1.log" --bodies "$WORK/zgw$1.bodies" --port "$zport" \
		--secret-file "$WORK/zgw.secret" --mode "$2" >"$WORK/zgw$1.url" &
	zpid=$!
	rpids+=($zpid)
	for _ in $(seq 1 100); do [[ -s $WORK/zgw$1.url ]] && return 0; sleep 0.05; done
	fail "the Zaken API $1 did not start"
}
zgw_api 1 zgw-rol=503
receiver zhook
conf "$WORK/zgw.conf" zgw "zgw:" "$URL" "${zgw_sink[@]}"
timeout 180 "$VROEG" run -c "$WORK/zgw.conf" --stop-at-end 2>"$WORK/zgw1.err" ||
	{ tail -n 20 "$WORK/zgw1.err" >&2; fail "the zgw run failed"; }
rkeys() { redis-cli -s "$WORK/redis/redis.sock" --scan --pattern "$1" | wc -l; }
made=$(grep '"path":"/api/v1/zaken"' "$WORK/zgw1.log" | grep -c '"status":201' || true)
recorded=$(rkeys 'zgw:d:z:sink.zaken:*')
outbox=$(rkeys 'zgw:d:o:*')
((made > 0 && recorded == made && outbox >= made)) ||
	fail "zgw: $made zaken made, $recorded recorded, $outbox tasks in the outbox"
grep -o '"identificatie":"[^"]*"' "$WORK/zgw1.bodies" | sort | uniq -d | grep -q . &&
	fail "zgw: a task made two zaken"
kill "$zpid"
wait "$zpid" 2>/dev/null || true
zgw_api 2 zgw-rol=201
timeout 180 "$VROEG" run -c "$WORK/zgw.conf" --stop-at-end 2>"$WORK/zgw2.err" ||
	{ tail -n 20 "$WORK/zgw2.err" >&2; fail "the zgw run after the restart failed"; }
# No task made a second zaak; each zaak of the first run got its rol.
grep -ho '"identificatie":"[^"]*"' "$WORK/zgw1.bodies" "$WORK/zgw2.bodies" | sort | uniq -d |
	grep -q . && fail "zgw: a zaak made again after the restart"
grep -o '"zaak":"[^"]*"' "$WORK/zgw2.bodies" | sort >"$WORK/zgw2.linked"
grep '"path":"/api/v1/zaken"' "$WORK/zgw1.log" | grep -o '"made":"[^"]*"' |
	sed 's/"made":/"zaak":/' | sort >"$WORK/zgw1.made"
[[ -z $(comm -23 "$WORK/zgw1.made" "$WORK/zgw2.linked") ]] ||
	fail "zgw: zaken of the first run without their rol after the restart"
(($(rkeys 'zgw:d:z:*') == 0 && $(rkeys 'zgw:d:o:*') == 0)) || fail "zgw: records left after delivery"
echo "zgw: $made zaken made and recorded, each linked by its rol after the restart"
echo "ok"
