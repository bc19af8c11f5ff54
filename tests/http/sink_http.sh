#!/usr/bin/env bash
# tests/http/sink_http.sh RECEIVER SEND_HTTP WORK VROEG - the HTTP sink against a
# real HTTP server on 127.0.0.1 (tests/http/receiver.c, libmicrohttpd):
# every task delivered, signed and keyed; 5xx, hangs and a receiver that is
# down are retried until delivered; Retry-After is honoured; a 404 fails
# for good at once; replay's tasks through a [sink.NAME] of type http reach
# a flaky receiver, each valid against the task schema.  Every process
# started here is stopped on exit.
set -euo pipefail
RECEIVER=$1 SEND=$2 WORK=$3 VROEG=$4
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
(umask 077 && head -c 32 /dev/urandom >"$WORK/secret")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_receiver NAME [options]: sets URL; requests go to $WORK/NAME.log.
start_receiver() {
	local name=$1
	shift
	"$RECEIVER" --log "$WORK/$name.log" --secret-file "$WORK/secret" "$@" >"$WORK/$name.url" &
	RPID=$!
	pids+=($RPID)
	for _ in $(seq 1 100); do
		URL=$(head -n 1 "$WORK/$name.url" 2>/dev/null || true)
		[[ -n $URL ]] && return 0
		sleep 0.05
	done
	fail "receiver $name did not start"
}
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }

# 1. Everything 200: each task once, with its key and a valid signature.
start_receiver ok
out=$("$SEND" --url "$URL" --n 50 --secret-file "$WORK/secret") || fail "ok: $out"
[[ $(field delivered "$out") -eq 50 && $(field retried "$out") -eq 0 ]] || fail "ok: $out"
[[ $(wc -l <"$WORK/ok.log") -eq 50 ]] || fail "ok: $(wc -l <"$WORK/ok.log") requests for 50 tasks"
[[ $(grep -o '"key":"task-[0-9]*"' "$WORK/ok.log" | sort -u | wc -l) -eq 50 ]] || fail "ok: keys"
[[ $(grep -c '"sig":true' "$WORK/ok.log") -eq 50 ]] || fail "ok: a signature does not match its body"

# 2. 30% 500 and 10% hanging past the 1 s timeout: every task delivered,
# retries bounded, and never one task delivered with two different bodies.
start_receiver flaky --mode flaky --seed 7 --hang-ms 2000
out=$("$SEND" --url "$URL" --n 100 --secret-file "$WORK/secret" --timeout-ms 1000 --max-seconds 90) ||
	fail "flaky: $out"
retried=$(field retried "$out")
[[ $(field delivered "$out") -eq 100 && $retried -ge 20 && $retried -le 400 ]] || fail "flaky: $out"
ok_keys=$(grep '"status":200' "$WORK/flaky.log" | grep -o '"key":"[^"]*"' | sort -u | wc -l)
[[ $ok_keys -eq 100 ]] || fail "flaky: $ok_keys tasks answered 200"
bodies=$(grep -o '"key":"[^"]*".*"body":"[0-9a-f]*"' "$WORK/flaky.log" |
	sed 's/"key":"\([^"]*\)".*"body":"\([0-9a-f]*\)"/\1 \2/' | sort -u | awk '{print $1}' | uniq -d)
[[ -z $bodies ]] || fail "flaky: tasks sent with different bodies: $bodies"
[[ $(grep -c '"sig":false' "$WORK/flaky.log" || true) -eq 0 ]] || fail "flaky: bad signature"

# 3. 429 with Retry-After: 2: the second attempt of a task comes no sooner.
start_receiver ra --mode retry-after=2
out=$("$SEND" --url "$URL" --n 3 --secret-file "$WORK/secret") || fail "retry-after: $out"
[[ $(field delivered "$out") -eq 3 && $(field retried "$out") -eq 3 ]] || fail "retry-after: $out"
for k in 0 1 2; do
	ts=$(grep "\"key\":\"task-$k\"" "$WORK/ra.log" | sed -n 's/.*"t":\([0-9.]*\).*/\1/p' | tr '\n' ' ')
	awk -v t="$ts" 'BEGIN { split(t, a, " "); exit !(a[2] - a[1] >= 1.9) }' ||
		fail "retry-after: task-$k retried after less than 2 s: $ts"
done

# 4. 404: failed for good at once, not retried.
start_receiver gone --mode status=404
set +e
out=$("$SEND" --url "$URL" --n 5 --secret-file "$WORK/secret" 2>"$WORK/gone.err")
set -e
[[ $(field failed "$out") -eq 5 && $(field retried "$out") -eq 0 && $(wc -l <"$WORK/gone.log") -eq 5 ]] ||
	fail "404: $out"
grep -q 'failed for good, not retried: HTTP 404' "$WORK/gone.err" || fail "404: no reason logged"

# 5. The receiver is down for 20 s, then up on the same port: all delivered,
# within the longest backoff of send_http (1 s, plus jitter) of its return,
# retries bounded by that backoff (at most 40 a task in 20 s).
port=${URL#http://127.0.0.1:}
port=${port%%/*}
kill "$RPID"
wait "$RPID" 2>/dev/null || true
"$SEND" --url "$URL" --n 20 --secret-file "$WORK/secret" --max-seconds 90 >"$WORK/down.out" &
sender=$!
sleep "${DOWN_SECONDS:-20}"
start_receiver back --port "$port"
wait "$sender" || fail "down: $(cat "$WORK/down.out")"
out=$(cat "$WORK/down.out")
retried=$(field retried "$out")
[[ $(field delivered "$out") -eq 20 && $retried -ge 20 && $retried -le 800 ]] || fail "down: $out"
[[ $(grep -o '"key":"[^"]*"' "$WORK/back.log" | sort -u | wc -l) -eq 20 ]] || fail "down: keys"
awk -F'"t":' '{ split($2, a, ","); if (a[1] > 3) late++ } END { exit late > 0 }' "$WORK/back.log" ||
	fail "down: tasks delivered more than 3 s after the receiver came back"

# 6. Replay's tasks to a webhook that fails 30% and hangs 10%: each task
# answered 200, signed, keyed by its task_id, valid against the schema.
"$VROEG" gen --households 3000 --months 3 --seed 5 --out "$WORK/in.jsonl"
start_receiver tasks --mode flaky --seed 3 --hang-ms 2000 --bodies "$WORK/bodies.jsonl"
cat >"$WORK/hook.conf" <<CONF
[sink.team-webhook]
type = http
url = $URL
secret.file = $WORK/secret
timeout.ms = 1000
CONF
"$VROEG" replay --quiet --key-file "$here/scenarios/test.key" --now 2024-03-31 -c "$WORK/hook.conf" \
	--out "$WORK/replay" "$WORK/in.jsonl" || fail "replay to the webhook"
n=$(wc -l <"$WORK/replay/tasks.jsonl")
[[ $n -ge 50 ]] || fail "replay made only $n tasks"
python3 "$here/check_tasks.py" --contact --min "$n" "$WORK/bodies.jsonl" || fail "webhook tasks"
ok_keys=$(grep '"status":200' "$WORK/tasks.log" | grep -o '"key":"[^"]*"' | sort -u | wc -l)
[[ $ok_keys -eq $n ]] || fail "webhook: $ok_keys of $n tasks answered 200"
[[ $(grep -c '"sig":false' "$WORK/tasks.log" || true) -eq 0 ]] || fail "webhook: bad signature"
cmp -s <(grep -o '"task_id":"[^"]*"' "$WORK/replay/tasks.jsonl" | sort) \
	<(grep -o '"task_id":"[^"]*"' "$WORK/bodies.jsonl" | sort -u) || fail "webhook: other task ids"
echo "sink_http: ok"
