#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets with clang (ASan + UBSan)
# and run each for SECONDS (default 20) from the seed corpus in tests/fuzz/.
# New inputs go to a scratch directory; a crash leaves its reproducer in
# build-fuzz/ and fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
dir=$root/build-fuzz
"$root/scripts/bootstrap.sh"
cc=$(command -v clang-14 || command -v clang)
CC=$cc cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DVROEG_FUZZ=ON -DVROEG_SANITIZE=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz_rules fuzz_signal fuzz_csv >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in rules signal csv; do
	scratch=$(mktemp -d /tmp/vroeg-fuzz-$t.XXXXXX)
	echo "== fuzz_$t for ${secs}s"
	log=$dir/fuzz_$t.log
	status=0
	(cd "$dir" && "./fuzz_$t" -max_total_time="$secs" -max_len=8192 -timeout=5 \
		-rss_limit_mb=1024 -print_final_stats=1 "$scratch" "$root/tests/fuzz/corpus/$t") \
		> "$log" 2>&1 || status=$?
	rm -rf "$scratch"
	grep -E '^(stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' "$log" || true
	if [[ $status -ne 0 ]]; then
		tail -40 "$log" >&2
		echo "fuzz_$t failed (exit $status); reproducer and log in $dir" >&2
		exit 1
	fi
done
