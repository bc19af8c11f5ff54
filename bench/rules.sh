#!/usr/bin/env bash
# bench/rules.sh [SIGNALS] - what the rule language costs.
#
# In one run, pinned to one core, medians of RUNS (default 3) each:
#  (a) the core engine before the rule language (commit 1a4663e, its
#      policy hard-coded in C), built from this repository's history;
#  (b) vroeg replay with rules/default.rules (the same policy as a rule file);
#  (c) vroeg replay with a 200-rule file: default.rules plus 182 score rules.
# Prints (b) against (a) (target: at most 15% slower) and the cost of one
# score rule per signal, ((c) - (b)) / 182 / signals.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
bench_init "${1:-1000000}"
gen_signals "$signals"

# (a) the core engine, from history, into its own build directory.
core=$work/core-engine
if [[ ! -x $core/build/vroeg ]]; then
	rm -rf "$core"
	mkdir -p "$core/src"
	git -C "$root" archive "${CORE_REF:-1a4663e}" | tar -x -C "$core/src"
	cmake -S "$core/src" -B "$core/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$core/build" -j"$(nproc)" --target vroeg >/dev/null
fi

# (c) 200 rules: the default set plus 182 score rules of the usual shapes.
many=$work/200.rules
{
	sed 's/^ruleset "default".*/ruleset "many" version "1"/' "$root/rules/default.rules"
	for i in $(seq 1 182); do
		case $((i % 3)) in
		0) echo "score \"extra-$i\" when case.amount >= $((i * 10)) and Huur in case.partners points 1" ;;
		1) echo "score \"extra-$i\" when signal.amount > $((i * 5)) or signal.crisis points 2" ;;
		2) echo "score \"extra-$i\" when signal.partner in [Zorg, Water] and case.partner_count >= 2 points 1" ;;
		esac
	done
} > "$many"
"$build/vroeg" rules check "$many" > /dev/null

rm -f "$work/core" "$work/rules" "$work/many"
cat "$data" > /dev/null
for ((i = 0; i < runs; i++)); do
	measure core "$core/build/vroeg" replay --quiet --no-progress --key-file "$work/key" "$data"
	measure rules "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--rules "$root/rules/default.rules" "$data"
	measure many "$build/vroeg" replay --quiet --no-progress --key-file "$work/key" \
		--rules "$many" "$data"
done
a=$(median < "$work/core")
b=$(median < "$work/rules")
c=$(median < "$work/many")
picked=$("$build/vroeg" replay --quiet --no-progress --key-file "$work/key" --out "$work/o" "$data" \
	 && sed 's/.*"Opgepakt":\([0-9]*\).*/\1/' "$work/o/summary.json")
awk -v n="$lines" -v a="$a" -v b="$b" -v c="$c" -v p="$picked" -v runs="$runs" 'BEGIN {
	printf "core engine (commit 1a4663e) : %7.3f s  %9.0f signals/s\n", a, n / a;
	printf "rules/default.rules          : %7.3f s  %9.0f signals/s\n", b, n / b;
	printf "200 rules                    : %7.3f s  %9.0f signals/s\n", c, n / c;
	printf "default.rules vs core engine: %+.1f%% time (target: at most +15%%)\n", 100 * (b - a) / a;
	printf "cost per score rule: %.1f ns per scored signal (%d signals scored, 182 extra rules)\n",
		1e9 * (c - b) / 182 / p, p;
	printf "median of %d runs, 1 core\n", runs;
}'
