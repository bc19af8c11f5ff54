#!/usr/bin/env bash
# faults.sh VROEG - Redis going away or refusing writes mid-replay.
#
# 50,000 generated signals are replayed on the memory store (the reference)
# and then on a private redis-server that, mid-run, is (1) killed with -9 and
# restarted on the same port and data directory, (2) out of memory
# (maxmemory, noeviction) until the limit is lifted, (3) made a read-only
# replica until promoted back, with a SCRIPT FLUSH thrown in.  Each run must
# wait, resume and end with output byte-identical to the reference.  A wrong
# password must stop the replay with a clear error.
set -euo pipefail
vroeg=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d /tmp/vroeg-faults.XXXXXX)
trap 'redis_cleanup; rm -rf "$tmp"' EXIT
key=$here/../scenarios/test.key
fail() { echo "FAIL: $*" >&2; exit 1; }

"$vroeg" gen --households 430000 --months 12 --seed 7 --invalid 0.01 > "$tmp/in.jsonl"
echo "input: $(wc -l < "$tmp/in.jsonl") signals"
"$vroeg" replay --quiet --no-progress --key-file "$key" --out "$tmp/ref" "$tmp/in.jsonl"

same_as_ref() { # OUTDIR LABEL
	for f in decisions.jsonl cases.jsonl rejects.jsonl summary.json; do
		cmp "$tmp/ref/$f" "$1/$f" || fail "$2: $f differs from the undisturbed run"
	done
}

# replay_bg URL OUT: start a replay in the background (small batches, so the
# run lasts long enough to be disturbed); sets BG.
replay_bg() {
	"$vroeg" replay --no-progress --quiet --key-file "$key" --batch 64 --store-wait 60 \
		--store "$1" --out "$2" "$tmp/in.jsonl" 2> "$2.err" &
	BG=$!
}

# wait_keys SOCK N: until the server holds at least N keys (the run is under way).
wait_keys() {
	for _ in $(seq 1 400); do
		local n
		n=$(redis-cli -s "$1" dbsize 2>/dev/null || echo 0)
		[[ $n -ge $2 ]] && return 0
		kill -0 "$BG" 2>/dev/null || fail "replay ended before the fault"
		sleep 0.01
	done
	fail "replay made no progress"
}

# 1. kill -9 and restart.
port=$(free_port)
redis_start "$tmp/r1" "$port"
replay_bg "redis://127.0.0.1:$port/0?prefix=kill" "$tmp/kill"
wait_keys "$tmp/r1/redis.sock" 2000
redis-cli -s "$tmp/r1/redis.sock" script flush > /dev/null
kill -9 "$REDIS_PID"
sleep 1.5
redis_start "$tmp/r1" "$port"
wait "$BG" || fail "replay after kill -9 failed: $(cat "$tmp/kill.err")"
grep -q "store unavailable" "$tmp/kill.err" || fail "kill -9 did not interrupt the replay"
grep -q "store back" "$tmp/kill.err" || fail "replay did not report the store back"
same_as_ref "$tmp/kill" "kill -9"
echo "ok: killed and restarted mid-run; output identical"

# 2. out of memory.
redis_start "$tmp/r2" 0
sock=$tmp/r2/redis.sock
replay_bg "unix://$sock?prefix=oom" "$tmp/oom"
wait_keys "$sock" 1000
redis-cli -s "$sock" config set maxmemory-policy noeviction > /dev/null
redis-cli -s "$sock" config set maxmemory 1 > /dev/null
sleep 1
kill -0 "$BG" 2>/dev/null || fail "replay stopped on OOM instead of waiting"
redis-cli -s "$sock" config set maxmemory 0 > /dev/null
wait "$BG" || fail "replay after OOM failed: $(cat "$tmp/oom.err")"
grep -q "OOM" "$tmp/oom.err" || fail "OOM was not reported: $(cat "$tmp/oom.err")"
same_as_ref "$tmp/oom" "OOM"
echo "ok: out of memory mid-run; waited, resumed, output identical"

# 3. read-only replica, then promoted back.
redis_start "$tmp/r3" 0
sock=$tmp/r3/redis.sock
dead=$(free_port)
replay_bg "unix://$sock?prefix=ro" "$tmp/ro"
wait_keys "$sock" 1000
redis-cli -s "$sock" replicaof 127.0.0.1 "$dead" > /dev/null
sleep 1
kill -0 "$BG" 2>/dev/null || fail "replay stopped on READONLY instead of waiting"
redis-cli -s "$sock" replicaof no one > /dev/null
wait "$BG" || fail "replay after READONLY failed: $(cat "$tmp/ro.err")"
grep -q "READONLY" "$tmp/ro.err" || fail "READONLY was not reported: $(cat "$tmp/ro.err")"
same_as_ref "$tmp/ro" "READONLY"
echo "ok: read-only mid-run; waited, resumed, output identical"

# 4. a wrong password stops the replay at once, clearly, without leaking it.
redis_start "$tmp/r4" "$(free_port)" --requirepass right-secret
set +e
"$vroeg" replay --quiet --key-file "$key" --store "unix://$tmp/r4/redis.sock?db=0" \
	--store-wait 5 --out "$tmp/pw" "$tmp/in.jsonl" 2> "$tmp/pw.err"
rc=$?
"$vroeg" replay --quiet --key-file "$key" \
	--store "redis://:wrong-secret@127.0.0.1:$(redis-cli -s "$tmp/r4/redis.sock" -a right-secret \
		--no-auth-warning config get port | tail -1)/0" \
	--store-wait 5 --out "$tmp/pw2" "$tmp/in.jsonl" 2> "$tmp/pw2.err"
rc2=$?
set -e
[[ $rc -ne 0 ]] || fail "replay without the password succeeded"
grep -qi "NOAUTH\|auth" "$tmp/pw.err" || fail "no clear auth error: $(cat "$tmp/pw.err")"
[[ $rc2 -ne 0 ]] || fail "replay with a wrong password succeeded"
grep -qi "WRONGPASS\|invalid\|auth" "$tmp/pw2.err" || fail "no clear error: $(cat "$tmp/pw2.err")"
! grep -q "wrong-secret" "$tmp/pw.err" "$tmp/pw2.err" || fail "password in an error message"
echo "ok: refused credentials stop the run with a clear error"
echo "4 passed, 0 failed"
