#!/usr/bin/env bash
# tests/kafka/demo.sh VROEG WORK - `vroeg demo` end to end (its own mock
# cluster): every message decided, each received on the day its partner sent
# it (the Kafka timestamp, not the service's clock), no case due before it
# was received, no crisis signal of the sample dropped as a repeat, and the
# team's tasks: every one valid against the schema and carrying the contact
# block, crisis cases out the day they came in, the next working morning's
# release within the capacity, the rest listed in the queue.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"

timeout 240 "$VROEG" demo --out "$WORK/out" >"$WORK/demo.txt" 2>"$WORK/demo.err" ||
	{ cat "$WORK/demo.err" >&2; fail "vroeg demo failed"; }
dec=$WORK/out/decisions.jsonl cases=$WORK/out/cases.jsonl
produced=$(sed -n 's/.*; \([0-9]*\) partner messages produced.*/\1/p' "$WORK/demo.txt")
[[ -n $produced && $(wc -l <"$dec") -eq $produced ]] ||
	fail "$(wc -l <"$dec") decisions for ${produced:-?} messages"
grep -q "Tasks delivered to the team's file sink" "$WORK/demo.txt" || fail "no tasks"
grep -q "Team default (capacity 8 per working day), next first:" "$WORK/demo.txt" || fail "no queue"
tasks=$WORK/out/tasks.jsonl
python3 "$ROOT/tests/check_tasks.py" --contact --min 10 "$tasks" || fail "tasks"
# The clock stands at Friday 2024-05-31: crisis cases go out that day, the
# others from Monday 3 June, at most 8.
[[ $(grep '"version":1,' "$tasks" | grep -c '"priority":"crisis"') -ge 2 ]] || fail "crisis tasks"
[[ $(grep '"priority":"crisis"' "$tasks" | grep -vc '"issued":"2024-05-31"' || true) -eq 0 ]] ||
	fail "a crisis task waited"
monday=$(grep '"version":1,' "$tasks" | grep -c '"issued":"2024-06-03"' || true)
[[ $monday -eq 8 ]] || fail "$monday cases released on Monday morning, capacity 8"
left=$(sed -n 's/^  \.\.\. and \([0-9]*\) more$/\1/p' "$WORK/demo.txt")
cases_n=$(wc -l <"$WORK/out/cases.jsonl")
released=$(grep -c '"version":1,' "$tasks")
[[ $((released + 12 + left)) -eq $cases_n ]] ||
	fail "$released released + 12 listed + ${left:-?} more != $cases_n cases"

# Receipts come from the messages' timestamps: the demo's partners sent each
# signal on its signaaldatum, while the service's clock stands at 2024-05-31.
same=$(grep -c '"signal_date":"\([0-9-]*\)","received":"\1"' "$dec" || true)
decided=$(grep -c '"received":' "$dec" || true)
[[ $decided -gt 100 && $same -eq $decided ]] ||
	fail "$same of $decided decisions received on their signaaldatum"

# No case is due before it was received.
early=$(grep -o '"received":"[0-9-]*","last_signal".*"due":"[0-9-]*"' "$cases" |
	sed 's/"received":"\([0-9-]*\)".*"due":"\([0-9-]*\)"/\1 \2/' | awk '$2 < $1' | wc -l)
[[ $(wc -l <"$cases") -gt 50 && $early -eq 0 ]] || fail "$early cases due before they were received"

# The sample's crisis signals (canonical JSON) are never a herhaalde melding.
crisis=0
while IFS= read -r id; do
	crisis=$((crisis + 1))
	if grep "\"signal_id\":\"$id\"" "$dec" | grep -q 'herhaalde melding'; then
		fail "crisis signal $id dropped as a repeat"
	fi
	grep -q "\"signal_id\":\"$id\"" "$dec" || fail "crisis signal $id not decided"
done < <(grep '"crisissignaal":true' "$ROOT/examples/signals-sample.jsonl" |
	sed -n 's/^{"ID":"\([^"]*\)".*/\1/p' | sort -u)
[[ $crisis -ge 2 ]] || fail "only $crisis crisis signals in the sample"
echo "demo: $decided decided, $(wc -l <"$cases") cases, $crisis crisis signals: ok"
