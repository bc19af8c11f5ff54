#!/usr/bin/env bash
# tests/kafka/scale.sh VROEG WORK - several instances in one consumer group
# (docs/connectors.md, "Several instances"): with a repartition topic every
# household has one writer.  N households, each with a Huur, an Energie, a
# Zorg and a Water signal in the same week, produced live (each household's
# four signals at once, on four partner topics, HOUSEHOLDS_PER_S per second)
# while 1, 2 or 3 instances consume with small batches on one redis-server;
# then one instance killed with -9 midway and another started midway.  Each
# run must equal the single instance's: the same cases in the store (one per
# household, all four partners), the same status per signal, every position
# decided and redeliveries recognised; re-replaying the input onto the store
# gives only `duplicate`.
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

# start RUN NAME: an instance of RUN in the background.  SCALE_STAGE=none
# runs without the repartition stage (which this test must then fail).
start() {
	local stage=("[connector]" "repartition.topic = $1.households")
	[[ ${SCALE_STAGE:-} == none ]] && stage=()
	conf "$1" "$2" "$1" "$WORK/$1/dec.$2.jsonl" none "${stage[@]}"
	"$VROEG" run -c "$WORK/$1/$2.conf" 2>"$WORK/$1/$2.log" &
	inst_pids+=($!)
	kafka_pids+=($!)
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
	inst_pids=()
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
			kill -9 "${inst_pids[0]}"
			echo "$run: instance i1 killed with -9 after $(decided "$run") decisions"
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
	if grep -l "ERROR" "$WORK/$run"/*.log >/dev/null 2>&1; then
		grep -h "ERROR" "$WORK/$run"/*.log | head -n 5 >&2
		fail "$run: an instance logged an error"
	fi
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
	kcat -C -b "$BOOTSTRAP" -t one.households -o beginning -e -q -f '%k %s\n' \
		>"$WORK/one/households.topic" 2>>"$WORK/kcat.err"
	(($(wc -l <"$WORK/one/households.topic") >= 4 * N)) || fail "the repartition topic holds fewer records than signals"
	if grep -a -q 'burgerservicenummer\|H\. 0\|"bedrag"' "$WORK/one/households.topic"; then
		fail "the repartition topic holds signal fields in the clear"
	fi
	grep -a -q '^h-[0-9a-f]\{32\} ' "$WORK/one/households.topic" || fail "repartition records are not keyed by household pseudonym"
fi

run two 2
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/two"
run three 3
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/three"
run kill 3 kill
python3 "$ROOT/tests/kafka/scale_check.py" "$N" "$WORK/one" "$WORK/kill"
grep -q "assigned" "$WORK/kill/late.log" || fail "the late instance never got partitions"
(($(wc -l <"$WORK/kill/dec.late.jsonl") > 0)) || fail "the late instance decided nothing"
echo "ok: $N households live on 1, 2 and 3 instances and with kill -9: one case each, as one instance"
