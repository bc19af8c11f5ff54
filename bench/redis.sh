#!/usr/bin/env bash
# bench/redis.sh [SIGNALS] - replay on Redis against replay in memory.
#
# Generates SIGNALS (default 1,000,000) signals once; starts a private
# redis-server on 127.0.0.1 (no persistence, so the disk is not measured);
# then, medians of RUNS (default 3), times vroeg replay with the memory store
# and with --store redis://127.0.0.1:PORT (a fresh prefix each run), the
# replay pinned to one core and Redis to the other.  Prints both rates, the
# ratio redis/memory (target >= 0.4), Redis commands per batch from
# INFO commandstats (one MGET and one MULTI/EXEC per batch, pipelined), and
# redis-benchmark's pipelined SET rate from the same server for reference.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bench_init "${1:-1000000}"
rcpu=${REDIS_CPU:-0}
. "$root/tests/redis/lib.sh"
gen_signals "$signals"

port=$(free_port)
rdir=$work/redis-data
rm -rf "$rdir"
mkdir -p "$rdir"
taskset -c "$rcpu" redis-server --bind 127.0.0.1 --port "$port" --dir "$rdir" --save "" \
	--appendonly no --daemonize no --logfile "$rdir/redis.log" &
rpid=$!
redis_pids+=("$rpid")
for _ in $(seq 1 100); do
	redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
	sleep 0.05
done

rm -f "$work/mem" "$work/redis"
cat "$data" > /dev/null
for ((i = 0; i < runs; i++)); do
	measure mem "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" "$data"
	redis-cli -p "$port" flushall > /dev/null
	redis-cli -p "$port" config resetstat > /dev/null
	measure redis "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--store "redis://127.0.0.1:$port/0?prefix=bench$i" "$data"
done
stat() { redis-cli -p "$port" info commandstats | tr -d '\r' |
	sed -n "s/^cmdstat_$1:calls=\([0-9]*\).*/\1/p"; }
mget=$(stat mget); multi=$(stat multi); exec_=$(stat exec); set_=$(stat set); scan=$(stat scan)
used=$(redis-cli -p "$port" info memory | tr -d '\r' | sed -n 's/^used_memory_human://p')
bench_set=$(taskset -c "$cpu" redis-benchmark -h 127.0.0.1 -p "$port" -t set -n 1000000 -P 64 \
	-r 1000000 -q 2>/dev/null | tr '\r' '\n' | grep -o 'SET: [0-9.]* requests per second' | tail -1)
a=$(median < "$work/mem")
b=$(median < "$work/redis")
awk -v n="$lines" -v a="$a" -v b="$b" -v runs="$runs" 'BEGIN {
	printf "replay, memory store: %7.3f s  %9.0f signals/s\n", a, n / a;
	printf "replay, redis store : %7.3f s  %9.0f signals/s\n", b, n / b;
	printf "ratio redis/memory: %.2f (target >= 0.4), median of %d runs\n", a / b, runs;
}'
# Each batch is one MULTI/EXEC; its MGET is sent with the previous batch's
# EXEC still running and both answers are read together (pipelined: one
# wait per batch).  The end-of-run walk adds one SCAN and one MGET per page
# and one MGET per 1024 open cases.
echo "last redis run: $exec_ batches (MULTI/EXEC), $set_ SETs ($(awk -v s="$set_" -v n="$lines" \
	'BEGIN {printf "%.2f", s / n}') per signal), MGET $mget (batches + end-of-run reads)," \
	"SCAN $scan; one wait per batch (pipelined); Redis memory $used"
echo "redis-benchmark, same server, pipelined (-P 64): $bench_set"
