#!/usr/bin/env bash
# run_scenario.sh VROEG PROJECT SCENARIO_DIR WORK_DIR
#
# Replays SCENARIO_DIR/input.jsonl with the test key and the options in
# SCENARIO_DIR/args (if any), projects the output (scenario_project) and diffs
# it against SCENARIO_DIR/expected.txt.  Also checks that the output is
# byte-identical when run again and when decided one record per batch.
set -euo pipefail
vroeg=$1 project=$2 dir=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
key=$here/scenarios/test.key
args=()
if [[ -f $dir/args ]]; then
	read -r -a args < "$dir/args"
fi
rm -rf "$work"
mkdir -p "$work"
run() { "$vroeg" replay --quiet --no-progress --key-file "$key" "${args[@]}" "$@" "$dir/input.jsonl"; }

run --out "$work/a"
"$project" "$work/a" > "$work/actual.txt"
if ! diff -u "$dir/expected.txt" "$work/actual.txt"; then
	echo "FAIL: $(basename "$dir"): projection differs from expected.txt" >&2
	exit 1
fi
run --out "$work/b"
run --out "$work/c" --batch 1
for f in decisions.jsonl cases.jsonl rejects.jsonl summary.json; do
	cmp "$work/a/$f" "$work/b/$f" || { echo "FAIL: $f differs between two runs" >&2; exit 1; }
	cmp "$work/a/$f" "$work/c/$f" || { echo "FAIL: $f differs with --batch 1" >&2; exit 1; }
done
# The built-in policy is rules/default.rules: loading the file gives the same bytes.
if [[ " ${args[*]} " != *" --rules "* ]]; then
	run --out "$work/d" --rules "$here/../rules/default.rules"
	for f in decisions.jsonl cases.jsonl rejects.jsonl summary.json; do
		cmp "$work/a/$f" "$work/d/$f" ||
			{ echo "FAIL: $f differs with --rules rules/default.rules" >&2; exit 1; }
	done
fi
echo "ok $(basename "$dir")"
