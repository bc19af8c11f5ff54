# bench/lib.sh - shared by the benchmark scripts (sourced, not run).
# The caller sets root; bench_init sets the rest.

# bench_init SIGNALS: settings from the environment (RUNS, BUILD, WORK, CPU),
# a work directory, and a fresh build.
bench_init() {
	signals=$1
	runs=${RUNS:-3}
	build=${BUILD:-$root/build}
	work=${WORK:-$(mktemp -d /tmp/vroeg-bench.XXXXXX)}
	cpu=${CPU:-1}
	mkdir -p "$work"
	"$root/scripts/build.sh" "$build"
}

# The median of numbers on stdin.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# measure LABEL CMD...: run CMD pinned to $cpu; append its wall seconds to
# $work/LABEL and leave its peak RSS (KiB) in $work/LABEL.rss.
measure() {
	local label=$1 out
	shift
	out=$(taskset -c "$cpu" "$build/bench/bench_runstat" "$@" 2>&1 >/dev/null | tail -1)
	echo "$out" | sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p' >> "$work/$label"
	echo "$out" | sed -n 's/.*maxrss_kb=\([0-9]*\).*/\1/p' > "$work/$label.rss"
}

# gen_signals N: $work/signals.jsonl with about N signals (12 months).
gen_signals() {
	local households=$(( $1 * 1000 / (22 * 44 * 12 / 100) ))
	data=$work/signals.jsonl
	if [[ ! -s $data ]]; then
		"$build/vroeg" gen --households "$households" --months 12 --seed 42 --invalid 0.01 > "$data"
	fi
	lines=$(wc -l < "$data")
	echo "input: $lines signals, $(stat -c %s "$data") bytes ($households households, 12 months)"
	[[ -s $work/key ]] || head -c 32 /dev/zero | od -An -tx1 | tr -d ' \n' > "$work/key"
}
