#!/usr/bin/env bash
# tests/kafka/scale.sh VROEG WORK - several instances in one consumer group
# (docs/connectors.md, "Several instances"): with a repartition topic every
# household has one writer.  N households, each with a Huur, an Energie, a
# Zorg and a Water signal in the same week, produced live (each household's
# four signals at once, on four partner topics, HOUSEHOLDS_PER_S per second)
# while 1, 2 or 3 instances consume with small batches on one redis-server;
# then the dispatching instance killed with -9 midway and another started
# midway.  Every tenth household has a crisis signal, so its case goes to the
# team at once as a task; the others wait in the team's queue.  Each run must
# equal the single instance's: the same cases in the store (one per
# household, all four partners), the same status per signal, the same team
# queue, a task for each crisis case and never two bodies under one task_id,
# every position decided and redeliveries recognised; re-replaying the input
# onto the store gives only `duplicate`.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"
shared_store

N=${SCALE_HOUSEHOLDS:-3000}
CHUNK=50
PACE=$(awk "BEGIN{printf \"%.4f\", $CHUNK / ${HOUSEHOLDS_PER_S:-500}}")
CHUNKS=$(((N + CHUNK - 1) / CHUNK))
python3 "$ROOT/tests/kafka/households.py" "$N" 14 "$WORK/data" "$CHUNK"
kafka_start --partitions 3
PARTNERS=(huur:Huur energie:Energie zorg:Zorg water:Water)
inst_pids=()

# conf RUN NAME GROUP DECISIONS CASES [lines...]: the config of instance
# NAME of run RUN.
conf() {
	local run=$1 name=$2 group=$3 dec=$4 cases=$5
	shift 5
	{
		echo "[engine]"
		echo "key.file = $KEY"
		echo "contact.key.file = $WORK/contact.key"
		echo "clock = 2024-12-31"
		echo "batch = 8"
		echo "linger.ms = 5"
		echo "[store]"
		echo "url = unix://$WORK/redis/redis.sock"
		echo "[output]"
		echo "decisions = $dec"
		echo "cases = $cases"
		echo "[kafka]"
		echo "bootstrap.servers = $BOOTSTRAP"
		echo "[kafka consumer]"
		echo "group.id = $group"
		echo "session.timeout.ms = 6000"
		echo "heartbeat.interval.ms = 500"
		echo "fetch.wait.max.ms = 20"
		for p in "${PARTNERS[@]}"; do
			echo "[topic $run.${p%%:*}]"
			echo "partner = ${p#*:}"
		done
		for l in "$@"; do echo "$l"; done
	} >"$WORK/$run/$name.conf"
}

# service RUN NAME: the config of a service instance of RUN: both stages,
# the team and a file sink of its own.  SCALE_STAGE=none runs without the
# stages (which this test must then fail).
service() {
	local stage=("[connector]" "repartition.topic = $1.households" "dispatch.topic = $1.cases")
	[[ ${SCALE_STAGE:-} == none ]] && stage=()
	conf "$1" "$2" "$1" "$WORK/$1/dec.$2.jsonl" none "${stage[@]}" \
		"[team default]" "capacity = 8" "[sink.file]" "type = file" \
		"path = $WORK/$1/tasks.$2.jsonl"
}

# start RUN NAME: an instance of RUN in the background.
start() {
	service "$1" "$2"
	"$VROEG" run -c "$WORK/$1/$2.conf" 2>"$WORK/$1/$2.log" &
	inst_pids+=($!)
	inst_names+=("$2")
	kafka_pids+=($!)
}

# dispatcher RUN: the index (in inst_pids) of the instance that dispatches now.
dispatcher() {
	local i best=-1 at=""
	for i in "${!inst_names[@]}"; do
		local t
		t=$(grep -h 'dispatches now' "$WORK/$1/${inst_names[$i]}.log" | tail -n 1 | cut -c1-40)
		if [[ -n $t && $t > $at ]]; then
			at=$t
			best=$i
		fi
	done
	echo "$best"
}

# decided RUN: positions decided so far, over the run's decision files.
decided() {
	cat "$WORK/$1"/dec.*.jsonl 2>/dev/null | grep -o '"source":"[^"]*"' | sort -u | wc -l
}

# run NAME INSTANCES [kill]: a run on a fresh store and fresh topics.
run() {
	local run=$1 k=$2 mode=${3:-} i c t0
	mkdir -p "$WORK/$run"
	redis-cli -s "$WORK/redis/redis.sock" flushall >/dev/null
	for p in "${PARTNERS[@]}"; do
		kafka_cmd "topic $run.${p%%:*} 3"
	done
	kafka_cmd "topic $run.households 6"
	kafka_cmd "topic $run.cases 1"
	inst_pids=()
	inst_names=()
	for i in $(seq 1 "$k"); do
		start "$run" "i$i"
	done
	# Every instance in the group before the partners send.
	for _ in $(seq 1 300); do
		local joined=0
		for i in $(seq 1 "$k"); do
			grep -q "assigned" "$WORK/$run/i$i.log" && joined=$((joined + 1))
		done
		((joined == k)) && break
		sleep 0.1
	done
	sleep 2
	t0=$(date +%s.%N)
	for c in $(seq 0 $((CHUNKS - 1))); do
		local f
		f=$(printf '%s/data/%04d' "$WORK" "$c")
		for p in "${PARTNERS[@]}"; do
			kcat -P -b "$BOOTSTRAP" -t "$run.${p%%:*}" -l "$f.${p%%:*}.jsonl" \
				2>>"$WORK/kcat.err" &
		done
		wait_kcat || fail "kcat could not produce chunk $c"
		if [[ $mode == kill ]] && ((c == CHUNKS / 3)); then
			# Midway for the deciding and the dispatching: once a
			# quarter of the signals are decided.
			for _ in $(seq 1 600); do
				(($(decided "$run") >= N)) && break
				sleep 0.1
			done
			local d
			d=$(dispatcher "$run")
			((d >= 0)) || fail "$run: no instance dispatches"
			kill -9 "${inst_pids[$d]}"
			echo "${inst_names[$d]}" >"$WORK/$run/killed"
			date -u +%Y-%m-%dT%H:%M:%S.%3NZ >"$WORK/$run/killed.at"
			echo "$run: instance ${inst_names[$d]} (dispatching) killed with -9 after" \
				"$(decided "$run") decisions"
		fi
		if [[ $mode == kill ]] && ((c == 2 * CHUNKS / 3)); then
			start "$run" "late"
			echo "$run: instance 'late' started after $(decided "$run") decisions"
		fi
		local next
		next=$(awk "BEGIN{printf \"%.3f\", $t0 + ($c + 1) * $PACE}")
		local left
		left=$(awk "BEGIN{d = $next - $(date +%s.%N); printf \"%.3f\", (d > 0 ? d : 0)}")
		sleep "$left"
	done
	echo "$run: produced $((4 * N)) signals in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s"
	for _ in $(seq 1 1800); do
		(($(decided "$run") >= 4 * N)) && break
		sleep 0.1
	done
	for p in "${inst_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${inst_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	(($(decided "$run") == 4 * N)) ||
		{ tail -n 5 "$WORK/$run"/*.log >&2; fail "$run: $(decided "$run") of $((4 * N)) decided"; }
	# vroeg's own errors (librdkafka's transport errors, "kafka ...", are
	# its to recover from: a LeaveGroup the mock cluster leaves unanswered
	# while the group rebalances is one).
	if grep -h '"level":"error"' "$WORK/$run"/*.log | grep -v '"msg":"kafka ' | grep -q .; then
		grep -h '"level":"error"' "$WORK/$run"/*.log | grep -v '"msg":"kafka ' | head -n 5 >&2
		fail "$run: an instance logged an error"
	fi
	# What the last dispatcher had not read yet: one instance reads it,
	# to the end of every stage's topics, and stops.
	service "$run" drain
	timeout 120 "$VROEG" run -c "$WORK/$run/drain.conf" --stop-at-end 2>"$WORK/$run/drain.log" ||
		{ tail "$WORK/$run/drain.log" >&2; fail "$run: the draining run failed"; }
	"$VROEG" queue -c "$WORK/$run/drain.conf" >"$WORK/$run/queue.txt" 2>"$WORK/$run/queue.err" ||
		fail "$run: vroeg queue: $(cat "$WORK/$run/queue.err")"
	# Re-replay the input onto the store: one instance, a new group.
	conf "$run" check "$run.check" "$WORK/$run/check.jsonl" "$WORK/$run/cases.jsonl"
	timeout 120 "$VROEG" run -c "$WORK/$run/check.conf" --stop-at-end \
		2>"$WORK/$run/check.log" || { tail "$WORK/$run/check.log" >&2; fail "$run: re-replay failed"; }
}

wait_kcat() {
	local rc=0 p
	for p in $(jobs -p); do
		# Only the kcat producers of this chunk: instances run on.
		[[ " ${inst_pids[*]} ${kafka_pids[*]} " == *" $p "* ]] && continue
		wait "$p" || rc=1
	done
	return $rc
}

run one 1
python3 "$ROOT/tests/kafka/scale_check.py" "$N" - "$WORK/one"
if [[ ${SCALE_STAGE:-} != none ]]; then
	# Decided by the deciding stage, the decisions still name the partner
	# topics; nothing personal crosses the repartition topic in the clear.
	grep -q '"source":"one.huur/' "$WORK/one/dec.i1.jsonl" || fail "decisions do not name the partner topic"
	kcat -C -b "$BOOTSTRAP" -t one.households -o beginning -e -q -f '%k\n' \
		>"$WORK/one/households.keys" 2>>"$WORK/kcat.err"
	kcat -C -b "$BOOTSTRAP" -t one.households -o beginning -e -q -f '%s\n' \
		>"$WORK/one/households.values" 2>>"$WORK/kcat.err"
	(($(wc -l <"$WORK/one/households.keys") >= 4 * N)) || fail "the repartition topic holds fewer records than signals"
	bad=$(grep -cv '^h-[0-9a-f]\{32\}$' "$WORK/one/households.keys" || true)
	((bad == 0)) || fail "$bad repartition records not keyed by a household pseudonym"
	# The clients' BSNs and phone numbers, to look for.
	cat "$WORK"/data/*.jsonl | grep -o '"\(burgerservicenummer\|telefoon\)":"[0-9]*"' |
		cut -d'"' -f4 | sort -u >"$WORK/one/personal.txt"
	if grep -a -q 'burgerservicenummer\|H\. [0-9]\{5\}\|"bedrag"\|"ID"' "$WORK/one/households.values" ||
		grep -a -q -F -f "$WORK/one/personal.txt" "$WORK/one/households.values"; then
		fail "the repartition topic holds signal fields in the clear"
	fi
	kcat -C -b "$BOOTSTRAP" -t one.cases -o beginning -e -q -f '%s\n' \
		>"$WORK/one/cases.values" 2>>"$WORK/kcat.err"
	[[ -s $WORK/one/cases.values ]] || fail "no case changes on the dispatch topic"
	if grep -a -q 'H\. [0-9]\{5\}' "$WORK/one/cases.values" ||
		grep -a -q -F -f "$WORK/one/personal.txt" "$WORK/one/cases.values"; then
		fail "the dispatch topic holds contact details in the clear"
	fi
fi

run two 2
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/two"
run three 3
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/three"
run kill 3 kill
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/kill"
grep -q "assigned" "$WORK/kill/late.log" || fail "the late instance never got partitions"
(($(wc -l <"$WORK/kill/dec.late.jsonl") > 0)) || fail "the late instance decided nothing"
# Another instance took dispatch over after the kill, from the store.
killed_at=$(cat "$WORK/kill/killed.at")
took=$(grep -h 'dispatches now' "$WORK/kill"/*.log | cut -d'"' -f4 |
	awk -v t="$killed_at" '$0 > t' | wc -l)
((took >= 1)) || fail "no instance took dispatch over after the dispatching one was killed"
grep -h 'dispatches now' "$WORK/kill"/*.log | sort | awk -v t="{\"ts\":\"$killed_at" '$0 > t' |
	sed 's/.*"msg":"/after the kill: /; s/"}$//' | head -n 1
echo "ok: $N households live on 1, 2 and 3 instances and with kill -9: one case each, as one instance"
