#!/usr/bin/env bash
# run_scenario.sh VROEG PROJECT SCENARIO_DIR WORK_DIR
#
# Replays SCENARIO_DIR/input.jsonl with the test key and the options in
# SCENARIO_DIR/args (if any; @ROOT@ stands for the repository), projects the
# output (scenario_project) and diffs it against SCENARIO_DIR/expected.txt.
# With several --rules the expected file has a "## NAME" section per rule set,
# then "## comparison" (comparison.json) and "## changes" (changes.jsonl).
# Also checks that the output is byte-identical when run again and when
# decided one record per batch, and that the built-in rule set gives the same
# bytes as loading rules/default.rules.
set -euo pipefail
vroeg=$1 project=$2 dir=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
key=$here/scenarios/test.key
args=()
if [[ -f $dir/args ]]; then
	read -r -a args < "$dir/args"
	args=("${args[@]//@ROOT@/$root}")
fi
n_rules=0
for a in "${args[@]}"; do [[ $a == --rules ]] && n_rules=$((n_rules + 1)); done
rm -rf "$work"
mkdir -p "$work"
# From inside the scenario, so positions read "input.jsonl:N".
run() { (cd "$dir" && "$vroeg" replay --quiet --no-progress --key-file "$key" "${args[@]}" "$@" input.jsonl); }

project_all() { # OUTDIR
	if ((n_rules < 2)); then
		"$project" "$1"
		return
	fi
	for d in "$1"/*/; do
		echo "## $(basename "$d")"
		"$project" "$d"
	done
	echo "## comparison"
	cat "$1/comparison.json"
	echo "## changes"
	cat "$1/changes.jsonl"
}

run --out "$work/a"
project_all "$work/a" > "$work/actual.txt"
if ! diff -u "$dir/expected.txt" "$work/actual.txt"; then
	echo "FAIL: $(basename "$dir"): projection differs from expected.txt" >&2
	exit 1
fi
run --out "$work/b"
run --out "$work/c" --batch 1
(cd "$work/a" && find . -type f | sort) > "$work/files"
while read -r f; do
	cmp "$work/a/$f" "$work/b/$f" || { echo "FAIL: $f differs between two runs" >&2; exit 1; }
	cmp "$work/a/$f" "$work/c/$f" || { echo "FAIL: $f differs with --batch 1" >&2; exit 1; }
done < "$work/files"
if ((n_rules == 0)); then
	run --out "$work/d" --rules "$root/rules/default.rules"
	while read -r f; do
		cmp "$work/a/$f" "$work/d/$f" ||
			{ echo "FAIL: $f differs with --rules rules/default.rules" >&2; exit 1; }
	done < "$work/files"
fi
echo "ok $(basename "$dir")"
