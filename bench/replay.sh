#!/usr/bin/env bash
# bench/replay.sh [SIGNALS] - replay throughput against a bare parse loop.
#
# Generates SIGNALS (default 1,000,000) synthetic signals once, then, pinned to
# one core, times (a) bench_bare_parse: read lines + cJSON parse/free, and
# (b) vroeg replay to /dev/null, each RUNS times; prints the medians, the
# ratio (b)/(a) (target >= 0.6) and vroeg's peak memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bench_init "${1:-1000000}"
gen_signals "$signals"
rm -f "$work/bare" "$work/replay"
cat "$data" > /dev/null # warm the page cache
for ((i = 0; i < runs; i++)); do
	measure bare "$build/bench/bench_bare_parse" "$data"
	measure replay "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" "$data"
done
bare=$(median < "$work/bare")
replay=$(median < "$work/replay")
awk -v n="$lines" -v a="$bare" -v b="$replay" -v rss="$(cat "$work/replay.rss")" \
    -v brss="$(cat "$work/bare.rss")" -v runs="$runs" 'BEGIN {
	ra = n / a; rb = n / b;
	printf "bare parse loop : %8.3f s  %10.0f signals/s  (peak %d MiB)\n", a, ra, brss / 1024;
	printf "vroeg replay    : %8.3f s  %10.0f signals/s  (peak %d MiB)\n", b, rb, rss / 1024;
	printf "ratio replay/bare: %.2f (target >= 0.60), median of %d runs, 1 core\n", rb / ra, runs;
}'
