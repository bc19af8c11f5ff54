#!/usr/bin/env bash
# check_tasks.sh VROEG - replay's queues and tasks (docs/dispatch.md): every
# task valid against docs/schema/task.schema.json, the queue figures add up,
# a team never gets more than its capacity on a working morning (crisis
# aside), the same tasks whatever the batch size, task sinks from --sink
# and -c, and clear errors for a bad --capacity or [sink.NAME].
set -euo pipefail
vroeg=$1
here=$(cd "$(dirname "$0")" && pwd)
key=$here/scenarios/test.key
tmp=$(mktemp -d /tmp/vroeg-tasks.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$vroeg" gen --households 4000 --months 6 --seed 11 --with-taxes --out "$tmp/in.jsonl"
"$vroeg" replay --quiet --key-file "$key" --now 2024-06-30 --capacity default=1 \
	--out "$tmp/a" "$tmp/in.jsonl" || fail "replay"
python3 "$here/check_tasks.py" --no-contact --min 100 "$tmp/a/tasks.jsonl" || fail "tasks"

# The queue figures: depth carries over, a working morning releases at most
# the capacity (crisis cases come on top), the totals agree with the summary.
python3 - "$tmp/a" <<'PY' || fail "queue figures"
import json, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(f"{d}/queues.jsonl")]
summ = json.load(open(f"{d}/summary.json"))["tasks"]
tasks = [json.loads(l) for l in open(f"{d}/tasks.jsonl")]
depth, late = 0, 0
for r in rows:
    assert r["team"] == "default" and r["capacity"] == 1, r
    assert r["depth"] == depth + r["arrived"] - r["released"], r
    assert r["released"] - r["released_crisis"] <= (1 if r["working_day"] else 0), r
    depth = r["depth"]
    late += r["released_late"]
assert depth == summ["still_queued"] > 0, (depth, summ)
assert sum(r["released"] for r in rows) == summ["released"] == sum(t["version"] == 1 for t in tasks)
assert late == summ["released_late"] > 0
assert len(tasks) == summ["versions"]
# Crisis first: a crisis case goes out the day it arrives (one that
# escalated to crisis waited as a normal case before), the rest wait.
import datetime
days = lambda t: (datetime.date.fromisoformat(t["issued"]) -
                  datetime.date.fromisoformat(t["received"])).days
crisis = sorted(days(t) for t in tasks if t["version"] == 1 and t["priority"] == "crisis")
normal = sorted(days(t) for t in tasks if t["version"] == 1 and t["priority"] == "normal")
assert crisis and crisis[len(crisis) // 2] == 0, crisis
assert normal[len(normal) // 2] > 5, normal
print(f"{len(rows)} days, {summ['released']} released, {late} late, {depth} left")
PY

# The same tasks and figures whatever the batch size.
"$vroeg" replay --quiet --key-file "$key" --now 2024-06-30 --capacity default=1 --batch 7 \
	--out "$tmp/b" "$tmp/in.jsonl" || fail "replay --batch 7"
cmp -s "$tmp/a/tasks.jsonl" "$tmp/b/tasks.jsonl" || fail "tasks depend on the batch size"
cmp -s "$tmp/a/queues.jsonl" "$tmp/b/queues.jsonl" || fail "queues depend on the batch size"

# Unlimited: every case out by the next working morning, none late.
"$vroeg" replay --quiet --key-file "$key" --now 2024-06-30 --out "$tmp/u" "$tmp/in.jsonl"
python3 -c "
import json,sys
s=json.load(open('$tmp/u/summary.json'))['tasks']
assert s['released_late'] == 0 and s['still_queued'] <= 40, s
" || fail "unlimited capacity"

# Task sinks: -c with [team] and [sink.NAME], plus --sink; deliveries carry
# the contact block, each sink gets every task.
cat > "$tmp/vroeg.conf" <<CONF
[team default]
capacity = 1
[sink.archief]
type = file
path = $tmp/archief.jsonl
CONF
"$vroeg" replay --quiet --key-file "$key" --now 2024-06-30 -c "$tmp/vroeg.conf" \
	--sink "file:$tmp/extra.jsonl" "$tmp/in.jsonl" > /dev/null || fail "replay -c --sink"
python3 "$here/check_tasks.py" --contact --min 100 "$tmp/archief.jsonl" || fail "sink tasks"
cmp -s "$tmp/archief.jsonl" "$tmp/extra.jsonl" || fail "two sinks got different tasks"
[[ $(wc -l < "$tmp/archief.jsonl") -eq $(wc -l < "$tmp/a/tasks.jsonl") ]] ||
	fail "the sink did not get every task"
cut -d, -f1 "$tmp/archief.jsonl" | cmp -s - <(cut -d, -f1 "$tmp/a/tasks.jsonl") ||
	fail "the config's capacity was not used"

# Clear errors.
expect_err() {
	local want=$1; shift
	if "$vroeg" replay --quiet --key-file "$key" "$@" "$tmp/in.jsonl" > /dev/null 2> "$tmp/err"; then
		fail "accepted: $*"
	fi
	grep -q -- "$want" "$tmp/err" || fail "$*: $(cat "$tmp/err")"
}
expect_err "expected TEAM=N" --capacity default
expect_err "expected file:PATH or http" --sink "ftp://x"
printf '[sink.zaken]\ntype = zgw\n' > "$tmp/zgw.conf"
expect_err "type zgw: url" -c "$tmp/zgw.conf"
printf '[team default]\ncapacity = many\n' > "$tmp/cap.conf"
expect_err "capacity" -c "$tmp/cap.conf"
printf '[sink.x]\ntype = file\nfile = y\n' > "$tmp/key.conf"
expect_err "key.conf:3" -c "$tmp/key.conf"
echo "1 passed, 0 failed"
