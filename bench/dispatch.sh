#!/usr/bin/env bash
# bench/dispatch.sh [SIGNALS] - what queues and tasks cost a replay.
#
# In one run, pinned to one core, medians of RUNS (default 3) each, all
# writing their --out directory (decisions, cases):
#  (a) vroeg replay --no-tasks: decide only;
#  (b) vroeg replay with the queue simulation and the file sink of --out
#      (tasks.jsonl, queues.jsonl);
#  (c) (b) plus a delivery sink (--sink file:...), for which every
#      picked-up signal's contact details are sealed and every task opens
#      them.
# The team's capacity is the year's cases over 250 working days: queues
# build up at the peaks (the March insurance peak) and drain after.
# Prints (b) and (c) against (a) (target for (b): >= 0.80) and the peaks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bench_init "${1:-1000000}"
gen_signals "$signals"
rm -f "$work/plain" "$work/tasks" "$work/sink"
cat "$data" > /dev/null # warm the page cache
rm -rf "$work/out-plain"
"$build/vroeg" replay --quiet --no-progress --key-file "$work/key" --no-tasks --out "$work/out-plain" "$data"
cap=$(python3 -c "import json; print(max(1, json.load(open('$work/out-plain/summary.json'))['cases']['total'] // 250))")
echo "capacity: $cap cases per working day"
replay() { "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" "$@" "$data"; }
for ((i = 0; i < runs; i++)); do
	rm -rf "$work/out-plain" "$work/out-tasks" "$work/out-sink" "$work/sink.jsonl"
	measure plain "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--no-tasks --out "$work/out-plain" "$data"
	measure tasks "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--capacity "default=$cap" --out "$work/out-tasks" "$data"
	measure sink "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--capacity "default=$cap" --sink "file:$work/sink.jsonl" --out "$work/out-sink" "$data"
done
awk -v n="$lines" -v a="$(median < "$work/plain")" -v b="$(median < "$work/tasks")" \
    -v c="$(median < "$work/sink")" -v arss="$(cat "$work/plain.rss")" \
    -v brss="$(cat "$work/tasks.rss")" -v crss="$(cat "$work/sink.rss")" -v runs="$runs" \
    -v nt="$(wc -l < "$work/out-tasks/tasks.jsonl")" \
    -v bytes="$(du -cb "$work"/out-plain/*.jsonl | tail -1 | cut -f1)" \
    -v tbytes="$(stat -c %s "$work/out-tasks/tasks.jsonl")" 'BEGIN {
	printf "(a) replay --no-tasks       : %7.3f s  %9.0f signals/s  (peak %d MiB)\n", a, n / a, arss / 1024;
	printf "(b) + queues, tasks.jsonl   : %7.3f s  %9.0f signals/s  (peak %d MiB)\n", b, n / b, brss / 1024;
	printf "(c) + a delivery file sink  : %7.3f s  %9.0f signals/s  (peak %d MiB)\n", c, n / c, crss / 1024;
	printf "%d tasks, %.0f MB of tasks on top of %.0f MB of decisions and cases\n", nt, tbytes / 1e6, bytes / 1e6;
	printf "ratio (b)/(a): %.2f (target >= 0.80); (c)/(a): %.2f; median of %d runs, 1 core\n", a / b, a / c, runs;
}'
