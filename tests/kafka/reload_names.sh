#!/usr/bin/env bash
# tests/kafka/reload_names.sh VROEG WORK - rule names travel with the case.
#
# `vroeg run` decides half a year of signals with rule file a, reloads (SIGHUP)
# the same rules in reverse order (b) half-way, then stops; a restart with b
# reports the cases still open.  Cases scored under a and written after the
# reload or the restart must name a's rules, not b's rules at a's positions:
# every fired rule of every case line is checked against the case itself
# (partner:X only for a partner X of the case, a rule's points as the file
# gives them, the amount band of its bedrag, ...) and the rules must stand in
# the file order of the rule set that last scored the case.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"

shared_store
kafka_start

sed -e 's/^ruleset "default" version "1.0"$/ruleset "a" version "1"/' \
	"$ROOT/rules/default.rules" >"$WORK/a.rules"
awk 'NR == FNR { if (/^score "/) s[n++] = $0; next }
     /^score "/ { print s[n - 1 - k++]; next }
     { print }' "$WORK/a.rules" "$WORK/a.rules" |
	sed -e 's/^ruleset "a" version "1"$/ruleset "b" version "2"/' >"$WORK/b.rules"
grep -q '^ruleset "a"' "$WORK/a.rules" && grep -q '^ruleset "b"' "$WORK/b.rules" ||
	fail "rules/default.rules no longer starts with its ruleset line"
"$VROEG" rules check "$WORK/b.rules" >/dev/null || fail "the reversed rule file does not check"
[[ $(grep '^score' "$WORK/a.rules" | head -n 1) == $(grep '^score' "$WORK/b.rules" | tail -n 1) ]] ||
	fail "b is not a reversed"

# Half a year of signals, cut at 1 April: households with signals on both
# sides have cases scored by a that b completes, joins or reports.
"$VROEG" gen --households 54000 --months 6 --seed 21 --invalid 0.02 --out "$WORK/gen.jsonl"
awk -v d1="$WORK/first.jsonl" -v d2="$WORK/second.jsonl" '
	match($0, /"signaaldatum":"[0-9-]*"/) && substr($0, RSTART + 16, 10) >= "2024-04-01" {
		print > d2; next
	}
	{ print > d1 }' "$WORK/gen.jsonl"
first=$(wc -l <"$WORK/first.jsonl")
total=$(wc -l <"$WORK/gen.jsonl")
split_by_partner "$WORK/first.jsonl" "$WORK/first"
split_by_partner "$WORK/second.jsonl" "$WORK/second"

cp "$WORK/a.rules" "$WORK/gemeente.rules"
write_conf "$WORK/run.conf" names "$WORK/dec1.jsonl" "${SHARED[@]}" \
	"[engine]" "rules = $WORK/gemeente.rules" "[output]" "cases = $WORK/cases1.jsonl"
for f in "$WORK"/first/*.jsonl; do
	[[ -s $f ]] && produce "$(basename "$f" .jsonl)" "$f"
done
"$VROEG" run -c "$WORK/run.conf" 2>"$WORK/run.log" &
pid=$!
kafka_pids+=("$pid")
wait_lines "$WORK/dec1.jsonl" "$first" 60

cp "$WORK/b.rules" "$WORK/gemeente.rules"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q 'rule set b loaded' "$WORK/run.log" && break; sleep 0.1; done
grep -q 'rule set b loaded' "$WORK/run.log" || fail "SIGHUP did not load b: $(tail -n 2 "$WORK/run.log")"
# Every case line after this one is written with b loaded.
reload_at=$( (cat "$WORK/cases1.jsonl" 2>/dev/null || true) | wc -l)
for f in "$WORK"/second/*.jsonl; do
	[[ -s $f ]] && produce "$(basename "$f" .jsonl)" "$f"
done
wait_lines "$WORK/dec1.jsonl" "$total" 60
kill -TERM "$pid"
wait "$pid" || { cat "$WORK/run.log" >&2; fail "run exited non-zero"; }

# The restart with the edited file reports the cases left open in Redis.
write_conf "$WORK/restart.conf" names "$WORK/dec2.jsonl" "${SHARED[@]}" \
	"[engine]" "rules = $WORK/gemeente.rules" "[output]" "cases = $WORK/cases2.jsonl"
timeout 120 "$VROEG" run -c "$WORK/restart.conf" --stop-at-end 2>"$WORK/restart.log" ||
	{ cat "$WORK/restart.log" >&2; fail "the restart failed"; }
exactly_once "$total" "$WORK/dec1.jsonl" "$WORK/dec2.jsonl"

# Every case line against itself and the rule set that last scored it (the
# ruleset of its last decision), whose name the case line must carry; prints "ok CASES AFTER_RELOAD AFTER_RESTART"
# or the first case line whose rules do not fit it.
awk -v arules="$WORK/a.rules" -v brules="$WORK/b.rules" -v reload_at="$reload_at" '
function load(file, set,   line, name, pts, k) {
	while ((getline line < file) > 0) {
		if (!match(line, /^score "[^"]*"/))
			continue
		name = substr(line, 8, RLENGTH - 8)
		pos[set, name] = ++k
		pts = line
		sub(/.* points /, "", pts)
		if (pts ~ /^-?[0-9]+$/)
			points[name] = pts
		if (name ~ /^bedrag>=[0-9]+$/)
			band[name] = substr(name, 9) + 0
	}
	close(file)
}
# The string value of "key" in the line.
function str(key) {
	if (!match($0, "\"" key "\":\"[^\"]*\""))
		return ""
	return substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
}
function bad(why) {
	print "case " id " (" why "): " $0
	failed = 1
	exit 1
}
BEGIN { load(arules, "a/1"); load(brules, "b/2") }
FILENAME ~ /dec[12]\.jsonl$/ {
	if ((c = str("case_id")) != "")
		scorer[c] = str("ruleset")
	next
}
{
	id = str("case_id")
	set = scorer[id]
	if (set == "")
		bad("no decision joined it")
	if (seen[id]++)
		bad("reported twice")
	n_cases++
	if (str("ruleset") != set)
		bad("names rule set " str("ruleset") ", scored by " set)
	if (set == "a/1" && FILENAME ~ /cases2\.jsonl$/)
		n_restart++
	else if (set == "a/1" && FNR > reload_at)
		n_reload++
	split("", partner)
	match($0, /"partners":\[[^]]*\]/)
	np = split(substr($0, RSTART + 12, RLENGTH - 13), parts, ",")
	for (i = 1; i <= np; i++) {
		gsub(/"/, "", parts[i])
		partner[parts[i]] = 1
	}
	match($0, /"partner_count":[0-9]+,"bedrag":-?[0-9]+/)
	split(substr($0, RSTART, RLENGTH), kv, /[:,]/)
	count = kv[2] + 0
	amount = kv[4] + 0
	want_band = ""
	for (b in band)
		if (band[b] <= amount && (want_band == "" || band[b] > band[want_band]))
			want_band = b
	match($0, /"rules":\[[^]]*\]/)
	rules = substr($0, RSTART, RLENGTH)
	last = 0; named = 0; got_band = ""; got_meervoudig = 0; got_opeenvolgend = 0
	while (match(rules, /\{"name":"[^"]*","points":-?[0-9]+\}/)) {
		r = substr(rules, RSTART + 9, RLENGTH - 10)
		rules = substr(rules, RSTART + RLENGTH)
		name = r
		sub(/","points":.*/, "", name)
		pts = r
		sub(/.*"points":/, "", pts)
		if (!((set, name) in pos))
			bad(name ": not a rule of " set)
		if (pos[set, name] <= last)
			bad(name ": out of the file order of " set)
		last = pos[set, name]
		if ((name in points) && points[name] != pts)
			bad(name ": " pts " points")
		if (name ~ /^partner:/) {
			if (!(substr(name, 9) in partner))
				bad(name ": not a partner of the case")
			named++
		} else if (name in band) {
			got_band = name
		} else if (name == "meervoudig") {
			if (pts != 10 * (count - 1))
				bad(name ": " pts " points for " count " organisations")
			got_meervoudig = 1
		} else if (name == "opeenvolgend") {
			got_opeenvolgend = 1
		}
	}
	if (named != np)
		bad(named " partner rules for " np " partners")
	if (got_band != want_band)
		bad("band " got_band " for bedrag " amount)
	if (got_meervoudig != (count >= 2))
		bad("meervoudig")
	if (got_opeenvolgend != ($0 ~ /"opeenvolgend":true/))
		bad("opeenvolgend")
}
END {
	if (failed)
		exit 1
	print "ok", n_cases + 0, n_reload + 0, n_restart + 0
}
' "$WORK/dec1.jsonl" "$WORK/dec2.jsonl" "$WORK/cases1.jsonl" "$WORK/cases2.jsonl" \
	>"$WORK/check.out" || fail "$(head -c 2000 "$WORK/check.out")"
read -r ok cases after_reload after_restart <"$WORK/check.out"
[[ $ok == ok ]] || fail "no cases"
((after_reload >= 5)) || fail "only $after_reload cases scored by a were written after the reload"
((after_restart >= 5)) || fail "only $after_restart cases scored by a were reported after the restart"
echo "ok: $cases cases, each naming its own rules; $after_reload scored by a and written after the reload to b, $after_restart reported after the restart with b"
