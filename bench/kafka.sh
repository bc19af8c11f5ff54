#!/usr/bin/env bash
# bench/kafka.sh [SIGNALS] - vroeg run against kcat on the Kafka mock cluster.
#
# Starts `vroeg dev-kafka` (librdkafka's in-process mock cluster on
# 127.0.0.1, pinned to core KAFKA_CPU, default 0), creates the topic
# bench.signals of PARTITIONS (default 48) partitions and produces SIGNALS
# (default 200,000) canonical Zorg signals to it with kcat (`vroeg gen`, the
# Zorg records only, as a topic has one partner type; key-less, each to a
# random partition), and checks that all of them landed.  Then, pinned to
# core CPU (default 1), alternating, RUNS (default 3) times each:
#   (a) kcat -C (simple consumer, every partition, from the beginning to the
#       end) with the payloads to /dev/null;
#   (b) vroeg run --stop-at-end with a fresh group.id, the memory store,
#       decisions to a file (counted: every signal must have one), and the
#       feedback events and dead letters produced to the cluster as always;
#   (c) kcat -C -c 1: kcat's fixed cost (start, metadata, first fetch).
# Prints the medians, both rates and the ratio (b)/(a) (target >= 0.7).
# Then the same without the fixed costs: kcat's time less (c), and vroeg's
# time from "assigned" to "every partition read" in its log (this leaves out
# the consumer-group join, about 3 s on the mock cluster, and the shutdown).
#
# CONSUMER="key = value; key = value" adds [kafka consumer] settings to
# vroeg's config and FEEDBACK=false turns off its feedback events, to see
# what they cost; the default is vroeg as configured out of the box.
# STORE=redis starts a private redis-server (no persistence, on KAFKA_CPU)
# and runs vroeg on it, a fresh prefix per run, instead of the memory store.
# REPARTITION=P runs vroeg with the repartition stage (docs/connectors.md,
# "Several instances") on a fresh internal topic of P partitions per run.
# INSTANCES=K runs K vroeg instances in the one group (with CPU=0,1 to give
# them both cores); (b) is then until the last of them stopped, and every
# signal must have a decision in one of their files.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bench_init "${1:-200000}"
kcpu=${KAFKA_CPU:-0}
parts=${PARTITIONS:-48}
feedback=${FEEDBACK:-true}
consumer=${CONSUMER:-}
store=${STORE:-memory}
repart=${REPARTITION:-}
instances=${INSTANCES:-1}
if ((instances > 1)) && [[ -z $repart || $store != redis ]]; then
	echo "kafka.sh: INSTANCES > 1 needs REPARTITION and STORE=redis (docs/connectors.md)" >&2
	exit 2
fi
topic=bench.signals

pids=()
cleanup() {
	exec 3>&- 2>/dev/null || true
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -f "$work/kafka.in"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [[ $store == redis ]]; then
	. "$root/tests/redis/lib.sh"
	trap cleanup EXIT # (lib.sh sets its own)
	rport=$(free_port)
	mkdir -p "$work/redis-data"
	taskset -c "$kcpu" redis-server --bind 127.0.0.1 --port "$rport" --dir "$work/redis-data" \
		--save "" --appendonly no --daemonize no --logfile "$work/redis-data/redis.log" &
	pids+=($!)
	for _ in $(seq 1 100); do
		redis-cli -p "$rport" ping 2>/dev/null | grep -q PONG && break
		sleep 0.05
	done
elif [[ $store != memory ]]; then
	echo "kafka.sh: STORE is memory or redis" >&2
	exit 2
fi

(umask 077 && head -c 32 /dev/urandom > "$work/contact.key")

# The input: SIGNALS Zorg signals (about 40% of what gen writes).
data=$work/kafka-zorg-$signals.jsonl
if [[ ! -s $data ]]; then
	households=$((signals * 1000 * 100 / (22 * 44 * 12) * 26 / 10))
	"$build/vroeg" gen --households "$households" --months 12 --seed 42 --invalid 0.01 |
		grep '"signaalpartner":{"type":"Zorg"' | head -n "$signals" > "$data.tmp" || true
	mv "$data.tmp" "$data"
fi
lines=$(wc -l < "$data")
if ((lines != signals)); then
	echo "kafka.sh: $data has $lines signals, not $signals" >&2
	exit 1
fi
echo "input: $lines Zorg signals, $(stat -c %s "$data") bytes (1% invalid)"
# The service refuses an all-zero key and one that others can read.
[[ -s $work/key ]] || (umask 077 && head -c 32 /dev/urandom > "$work/key")

# The mock cluster.  Commands go in through a fifo held open by fd 3 (at
# end of input dev-kafka stops reading commands), answers come out in a file.
rm -f "$work/kafka.in" "$work/kafka.out"
mkfifo "$work/kafka.in"
taskset -c "$kcpu" "$build/vroeg" dev-kafka < "$work/kafka.in" > "$work/kafka.out" \
	2> "$work/kafka.err" &
pids+=($!)
exec 3> "$work/kafka.in"
for _ in $(seq 1 300); do # it sometimes takes seconds to print its first line
	[[ -s $work/kafka.out ]] && break
	sleep 0.1
done
bootstrap=$(head -1 "$work/kafka.out")
[[ $bootstrap == 127.0.0.1:* ]] || { echo "kafka.sh: dev-kafka did not start" >&2; exit 1; }
kafka_cmd() { # kafka_cmd LINE: send it, wait for its answer, which must be "ok"
	local before
	before=$(wc -l < "$work/kafka.out")
	echo "$1" >&3
	for _ in $(seq 1 100); do
		(($(wc -l < "$work/kafka.out") > before)) && break
		sleep 0.05
	done
	[[ $(tail -1 "$work/kafka.out") == ok ]] ||
		{ echo "kafka.sh: $1: $(tail -1 "$work/kafka.out")" >&2; exit 1; }
}
kafka_cmd "topic $topic $parts"
echo "mock cluster: $bootstrap (core $kcpu), topic $topic of $parts partitions"

# Produce key-less, each message to a random partition.  Not librdkafka's
# default sticky partitioning (key-less messages go to one partition for
# 10 ms): that piles some partitions past the mock cluster's ~5 MiB, which
# then silently drops their oldest messages.
kcat -P -b "$bootstrap" -t "$topic" -X sticky.partitioning.linger.ms=0 -l "$data"
got=$(kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%p\n' | wc -l)
if ((got != lines)); then
	echo "kafka.sh: $topic holds $got messages, not $lines" >&2
	exit 1
fi
echo "produced: $got messages on $topic"

conf() { # conf GROUP
	cat <<-EOF
	[engine]
	key.file = $work/key
	clock = event
	log.level = info
	contact.key.file = $work/contact.key
	[output]
	decisions = $work/kafka-dec.\$k.jsonl
	[connector]
	feedback = $feedback
	$([[ -n $repart ]] && echo "repartition.topic = $1.households")
	[kafka]
	bootstrap.servers = $bootstrap
	[kafka consumer]
	group.id = $1
	session.timeout.ms = 6000
	EOF
	[[ -z $consumer ]] || tr ';' '\n' <<< "$consumer" | sed 's/^ *//'
	if [[ $store == redis ]]; then
		printf '[store]\nurl = redis://127.0.0.1:%s/0?prefix=%s\n' "$rport" "$1"
	fi
	printf '[topic %s]\npartner = Zorg\n' "$topic"
}
vroeg_run() { # vroeg_run GROUP: decisions to $work/kafka-dec.K.jsonl, logs kept
	conf "$1" > "$work/kafka.conf"
	rm -f "$work"/kafka-dec.*.jsonl "$work"/kafka-run.*.log
	[[ -z $repart ]] || kafka_cmd "topic $1.households $repart"
	# K instances, each with its own decision file ($k in the config).
	measure kafka_vroeg bash -c 'for k in $(seq 1 "$3"); do
		sed "s/\\\$k/$k/" "$1" > "$1.$k"
		"$0" run -c "$1.$k" --stop-at-end 2> "$2.$k.log" &
	done; wait' "$build/vroeg" "$work/kafka.conf" "$work/kafka-run" "$instances"
	cp "$work/kafka-run.1.log" "$work/kafka-run.log"
	local n
	n=$(cat "$work"/kafka-dec.*.jsonl | grep -o '"source":"[^"]*"' | sort -u | wc -l)
	if ((n != lines)); then
		echo "kafka.sh: vroeg run wrote $n decisions, not $lines" >&2
		tail -5 "$work/kafka-run.log" >&2
		exit 1
	fi
	# From its log: first line to "assigned" (start, group join), "assigned"
	# to "every partition read" (consuming), that to "stopped" (final commit,
	# cases report, output flush).
	python3 - "$work/kafka-run.log" <<-'EOF' >> "$work/kafka_vroeg.phases"
	import datetime, json, sys
	t = {}
	for line in open(sys.argv[1]):
	    try:
	        e = json.loads(line)
	    except ValueError:
	        continue
	    ts = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
	    for k, p in (("s", "consuming"), ("a", "assigned"), ("e", "every partition"),
	                 ("x", "stopped")):
	        if e["msg"].startswith(p) and k not in t:
	            t[k] = ts
	print("%.3f %.3f %.3f" % (t["a"] - t["s"], t["e"] - t["a"], t["x"] - t["e"]))
	EOF
}
kcat_run() { measure "$1" kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%s\n' "${@:2}"; }

rm -f "$work"/kafka_{kcat,vroeg,kcat1}{,.rss} "$work/kafka_vroeg.phases"
for ((i = 0; i < runs; i++)); do
	kcat_run kafka_kcat
	vroeg_run "bench-$$-$i"
	kcat_run kafka_kcat1 -c 1
done
a=$(median < "$work/kafka_kcat")
b=$(median < "$work/kafka_vroeg")
a1=$(median < "$work/kafka_kcat1")
join=$(cut -d' ' -f1 "$work/kafka_vroeg.phases" | median)
inner=$(cut -d' ' -f2 "$work/kafka_vroeg.phases" | median)
close=$(cut -d' ' -f3 "$work/kafka_vroeg.phases" | median)
[[ -z $consumer && $feedback == true && $store == memory && -z $repart && $instances == 1 ]] ||
	echo "vroeg settings: store = $store; feedback = $feedback; repartition partitions = ${repart:-none}; instances = $instances on cores $cpu; $consumer"
awk -v n="$lines" -v a="$a" -v b="$b" -v a1="$a1" -v j="$join" -v in_="$inner" -v c="$close" \
    -v runs="$runs" -v rss="$(cat "$work/kafka_vroeg.rss")" \
    -v krss="$(cat "$work/kafka_kcat.rss")" 'BEGIN {
	printf "kcat -C to /dev/null : %7.3f s  %8.0f signals/s  (peak %d MiB)\n", a, n / a, krss / 1024;
	printf "vroeg run            : %7.3f s  %8.0f signals/s  (peak %d MiB)\n", b, n / b, rss / 1024;
	printf "ratio vroeg/kcat: %.2f (target >= 0.7), median of %d runs, 1 core\n", a / b, runs;
	printf "fixed costs: kcat %.3f s to its first message (kcat -c 1); vroeg run %.3f s to the " \
	       "assignment (group join), %.3f s from the last partition end to \"stopped\"\n", a1, j, c;
	printf "without them: kcat %.3f s %8.0f signals/s, vroeg run %.3f s %8.0f signals/s, ratio %.2f\n",
	       a - a1, n / (a - a1), in_, n / in_, (a - a1) / in_;
}'
