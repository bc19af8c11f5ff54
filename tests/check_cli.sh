#!/usr/bin/env bash
# check_cli.sh VROEG - the command-line contracts around rule files:
# rules check exit codes and messages, the docs example compiles, replay
# refuses a bad rule file, --explain agrees with cases.jsonl, pseudo; and
# replay --mapping of partner formats.
set -euo pipefail
vroeg=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
key=$here/scenarios/test.key
tmp=$(mktemp -d /tmp/vroeg-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every shipped rule file is clean.
"$vroeg" rules check "$root"/rules/*.rules > "$tmp/ok.txt" || fail "a shipped rule file has errors"
[[ $(grep -c ': ok: ' "$tmp/ok.txt") -eq $(ls "$root"/rules/*.rules | wc -l) ]] || fail "rules check output"

# A bad file: exit 1, file:line:col messages.
printf 'priority normal due 28 days\nscore "a" when signal.amout > 1 points 1\n' > "$tmp/bad.rules"
if "$vroeg" rules check "$tmp/bad.rules" 2> "$tmp/err.txt"; then fail "bad rules accepted"; fi
grep -q "^$tmp/bad.rules:2:16: unknown field signal.amout (did you mean signal.amount?)$" "$tmp/err.txt" ||
	fail "rules check message: $(cat "$tmp/err.txt")"

# The example of docs/rules.md compiles (its list files are made here).
sed -n '/^## Example/,$p' "$root/docs/rules.md" | sed -n '/^```$/,/^```$/p' | sed '1d;$d' > "$tmp/example.rules"
[[ -s $tmp/example.rules ]] || fail "no example in docs/rules.md"
: > "$tmp/known.txt"
: > "$tmp/exclusion.txt"
"$vroeg" rules check "$tmp/example.rules" > /dev/null || fail "docs/rules.md example does not compile"

# Replay refuses a bad rule file and decides nothing.
input=$here/scenarios/score_case_total/input.jsonl
if "$vroeg" replay --quiet --key-file "$key" --rules "$tmp/bad.rules" --out "$tmp/o" "$input" 2> "$tmp/err2.txt"; then
	fail "replay accepted a bad rule file"
fi
[[ ! -e $tmp/o/decisions.jsonl ]] || fail "replay decided with a bad rule file"
grep -q "nothing decided" "$tmp/err2.txt" || fail "replay error message"
# Comparing rule sets needs --out.
set +e
"$vroeg" replay --quiet --rules "$root/rules/default.rules" --rules "$root/rules/strict.rules" "$input" 2>/dev/null
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "two --rules without --out: exit $rc, expected 2"

# --explain: the explanation's score and rules are those of cases.jsonl.
"$vroeg" replay --quiet --key-file "$key" --out "$tmp/e" "$input"
line=$(grep -m1 '"meervoudig":true' "$tmp/e/cases.jsonl")
[[ -n $line ]] || fail "no meervoudig case in the input"
id=$(sed 's/.*"case_id":"\([^"]*\)".*/\1/' <<< "$line")
score=$(sed 's/.*"score":\(-\{0,1\}[0-9]*\).*/\1/' <<< "$line")
"$vroeg" replay --quiet --key-file "$key" --out "$tmp/e2" --explain "$id" "$input" > "$tmp/explain.txt"
grep -q "^Case $id " "$tmp/explain.txt" || fail "explain names no case"
grep -q "^Score: $score$" "$tmp/explain.txt" || fail "explain score differs from cases.jsonl ($score)"
rules=$(sed 's/.*"rules":\[\([^]]*\)\].*/\1/' <<< "$line" | grep -o '"name":"[^"]*","points":-\{0,1\}[0-9]*')
while read -r r; do
	name=$(sed 's/"name":"\([^"]*\)".*/\1/' <<< "$r")
	pts=$(sed 's/.*"points":\(.*\)/\1/' <<< "$r")
	grep -qF "$(printf '%+5d  %s' "$pts" "$name")" "$tmp/explain.txt" || fail "explain lacks rule $name $pts"
done <<< "$rules"
sum=$(grep -E '^ +[+-][0-9]+  ' "$tmp/explain.txt" | awk '{s += $1} END {print s + 0}')
[[ $sum -eq $score ]] || fail "explained points add up to $sum, not $score"

# pseudo: same household for spellings of one address; never echoes bad lines.
out=$(printf '3511 ab 12 a\n3511AB 12 A\n' | "$vroeg" pseudo --key-file "$key")
[[ $(sort -u <<< "$out" | wc -l) -eq 1 ]] || fail "pseudo spellings differ"
set +e
printf '9999XX secret\n' | "$vroeg" pseudo --key-file "$key" > /dev/null 2> "$tmp/perr.txt"
rc=$?
set -e
[[ $rc -eq 1 ]] && ! grep -q secret "$tmp/perr.txt" || fail "pseudo bad line handling"

# replay --mapping: a partner's CSV export (header line first) replays as its
# Kafka messages of header and row would; a row that does not map is
# rejected at its line, and the rows after it are decided.
csv=$root/examples/demo/signals.huur.csv
rows=$(($(grep -c . "$csv") - 1))
{ head -n 3 "$csv"; echo 'X;Y;Z'; tail -n +4 "$csv"; } > "$tmp/huur.csv"
"$vroeg" replay --quiet --key-file "$key" --mapping "$root/examples/mappings/huur-csv.conf" \
	--out "$tmp/m" "$tmp/huur.csv" || fail "replay --mapping (csv) failed"
[[ $(wc -l < "$tmp/m/decisions.jsonl") -eq $((rows + 1)) ]] ||
	fail "replay --mapping: $(wc -l < "$tmp/m/decisions.jsonl") decisions for $((rows + 1)) rows"
head -n 1 "$tmp/m/decisions.jsonl" | grep -q '"partner":"Huur","partner_org":"Woongoed Rivierenland"' ||
	fail "replay --mapping: first row not mapped"
sed -n 3p "$tmp/m/decisions.jsonl" | grep -q "\"code\":\"mapping\",\"reason\":\"CSV record has 3 columns, header has 20\".*\"source\":\"$tmp/huur.csv:4\"" ||
	fail "replay --mapping: bad row: $(sed -n 3p "$tmp/m/decisions.jsonl")"
[[ $(grep -c '"status":"Opgepakt"' "$tmp/m/decisions.jsonl") -ge $((rows / 2)) ]] ||
	fail "replay --mapping: too few rows picked up"
# A spreadsheet export: a notes column whose quoted values hold line breaks
# (one a blank line), a header over 64 KiB (an unused wide column), and a
# stray quote that costs its own row only.  Every row is decided at the
# line it starts on.
wide=$(head -c 70000 /dev/zero | tr '\0' w)
awk -v wide="$wide" 'NR == 1 { print $0 ";opmerking;" wide; next }
	NR == 3 { print $0 ";\"belt terug\nna 17:00; zegt \"\"morgen\"\"\";"; next }
	NR == 5 { print $0 ";\"regel 1\r\n\r\nregel 3\";"; next }
	NR == 8 { print $0 ";\"kapot;"; next }
	{ print $0 ";;" }' "$csv" > "$tmp/notes.csv"
"$vroeg" replay --quiet --key-file "$key" --mapping "$root/examples/mappings/huur-csv.conf" \
	--out "$tmp/n" "$tmp/notes.csv" || fail "replay --mapping (csv with notes) failed"
[[ $(wc -l < "$tmp/n/decisions.jsonl") -eq $rows ]] ||
	fail "replay --mapping notes: $(wc -l < "$tmp/n/decisions.jsonl") decisions for $rows rows"
src() { sed -n "${1}p" "$tmp/n/decisions.jsonl" | grep -o '"source":"[^"]*"' | sed 's/.*://; s/"$//'; }
[[ "$(src 2) $(src 3) $(src 4) $(src 5) $(src 7) $(src 8)" == "3 5 6 9 11 12" ]] ||
	fail "replay --mapping notes: rows not at their first line: $(src 2) $(src 3) $(src 4) $(src 5) $(src 7) $(src 8)"
sed -n 7p "$tmp/n/decisions.jsonl" | grep -q '"code":"mapping","reason":"CSV record: unterminated quoted value"' ||
	fail "replay --mapping notes: stray quote: $(sed -n 7p "$tmp/n/decisions.jsonl")"
# Every other row is decided as without the notes.
"$vroeg" replay --quiet --key-file "$key" --mapping "$root/examples/mappings/huur-csv.conf" \
	--out "$tmp/o" "$csv" || fail "replay --mapping (csv) failed"
st() { grep -o '"status":"[^"]*"' "$1" | sed 7d; }
[[ $(st "$tmp/n/decisions.jsonl") == $(st "$tmp/o/decisions.jsonl") ]] ||
	fail "replay --mapping notes: rows decided differently than without notes"
# A partner's own JSON shape.
"$vroeg" replay --quiet --key-file "$key" --mapping "$root/examples/mappings/energie-json.conf" \
	"$root/examples/demo/signals.energie.jsonl" > "$tmp/e.jsonl" || fail "replay --mapping (json)"
n=$(grep -c . "$root/examples/demo/signals.energie.jsonl")
[[ $(wc -l < "$tmp/e.jsonl") -eq $n && $(grep -c '"partner":"Energie"' "$tmp/e.jsonl") -ge $((n - 2)) ]] ||
	fail "replay --mapping: energie records not mapped"
# A mapping file must name one format.
cat "$root"/examples/mappings/*.conf > "$tmp/two.conf"
if "$vroeg" replay --mapping "$tmp/two.conf" "$tmp/huur.csv" > /dev/null 2> "$tmp/merr.txt"; then
	fail "two topics accepted"
fi
grep -q "more than one \[topic\] section" "$tmp/merr.txt" || fail "mapping error: $(cat "$tmp/merr.txt")"
echo "2 passed, 0 failed"
