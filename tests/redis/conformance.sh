#!/usr/bin/env bash
# conformance.sh VROEG TEST_STORE - both store backends, same results.
# Starts a private redis-server, runs the store conformance suite against it,
# then replays every scenario on the memory store and on Redis and requires
# byte-identical decisions, cases, rejects and summary.
set -euo pipefail
vroeg=$1 test_store=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d /tmp/vroeg-redis.XXXXXX)
trap 'redis_cleanup; rm -rf "$tmp"' EXIT
redis_start "$tmp/redis" 0
url="unix://$tmp/redis/redis.sock"

VROEG_STORE_URL="$url?prefix=conformance" VROEG_TEST_REDIS_SOCK="$tmp/redis/redis.sock" \
	"$test_store"
# The bare socket path is a store URL too.
VROEG_STORE_URL="$tmp/redis/redis.sock?prefix=bare" "$test_store" > /dev/null

key=$here/../scenarios/test.key
n=0
for dir in "$here"/../scenarios/*/; do
	name=$(basename "$dir")
	[[ -f $dir/input.jsonl ]] || continue
	args=()
	if [[ -f $dir/args ]]; then
		read -r -a args < "$dir/args"
		args=("${args[@]//@ROOT@/$(cd "$here/../.." && pwd)}")
	fi
	# A comparison of rule sets runs on memory stores only.
	[[ $(grep -o -- '--rules' <<< "${args[*]}" | wc -l) -gt 1 ]] && continue
	(cd "$dir" && "$vroeg" replay --quiet --no-progress --key-file "$key" "${args[@]}" \
		--out "$tmp/$name-mem" input.jsonl)
	(cd "$dir" && "$vroeg" replay --quiet --no-progress --key-file "$key" "${args[@]}" \
		--store "$url?prefix=s-$name" --out "$tmp/$name-redis" input.jsonl)
	for f in decisions.jsonl cases.jsonl rejects.jsonl summary.json; do
		cmp "$tmp/$name-mem/$f" "$tmp/$name-redis/$f" ||
			{ echo "FAIL: $name: $f differs between memory and redis" >&2; exit 1; }
	done
	n=$((n + 1))
done
[[ $n -ge 20 ]] || { echo "FAIL: only $n scenarios compared" >&2; exit 1; }
echo "$n scenarios byte-identical on memory and redis"
