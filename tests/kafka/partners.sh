#!/usr/bin/env bash
# tests/kafka/partners.sh VROEG WORK - every partner mapping, a poison
# message in the middle of a partition, dead letters and partner feedback,
# against the mock cluster with kcat as the partners.
VROEG=$1 WORK=$2
source "$(dirname "$0")/lib.sh"

kafka_start --partitions 1
demo=$ROOT/examples/demo

# Huur: a housing corporation's CSV, each message its header plus one row.
# The second message carries an extra notes column whose quoted value holds
# line breaks, as a spreadsheet export writes it.
header=$(head -n 1 "$demo/signals.huur.csv")
i=0
tail -n +2 "$demo/signals.huur.csv" | while IFS= read -r row; do
	i=$((i + 1))
	if ((i == 2)); then
		printf '%s;opmerking\r\n%s;"belt terug\r\nna 17:00; ""morgen"""\r\n\x1e' "$header" "$row"
	else
		printf '%s\n%s\x1e' "$header" "$row"
	fi
done >"$WORK/huur.msgs"
kcat -P -b "$BOOTSTRAP" -t signals.huur -D '\x1e' -l "$WORK/huur.msgs" 2>>"$WORK/kcat.err"
n_huur=$(($(wc -l <"$demo/signals.huur.csv") - 1))
# Energie: an energy company's JSON shape.
produce signals.energie "$demo/signals.energie.jsonl"
# Zorg: canonical, with a poison message (not UTF-8, not JSON) in the middle.
head -n 20 "$demo/signals.zorg.jsonl" >"$WORK/zorg.jsonl"
printf '\xff\xfe{"ID": garbage\n' >>"$WORK/zorg.jsonl"
tail -n +21 "$demo/signals.zorg.jsonl" >>"$WORK/zorg.jsonl"
produce signals.zorg "$WORK/zorg.jsonl"
n_zorg=$(wc -l <"$WORK/zorg.jsonl")
n_energie=$(wc -l <"$demo/signals.energie.jsonl")
total=$((n_huur + n_energie + n_zorg))

write_conf "$WORK/vroeg.conf" partners "$WORK/decisions.jsonl" \
	"$(cat "$ROOT/examples/mappings/huur-csv.conf")" \
	"$(cat "$ROOT/examples/mappings/energie-json.conf")"
"$VROEG" run -c "$WORK/vroeg.conf" --check >/dev/null || fail "config check"
timeout 120 "$VROEG" run -c "$WORK/vroeg.conf" --stop-at-end 2>"$WORK/run.log" ||
	{ cat "$WORK/run.log" >&2; fail "vroeg run failed"; }

# Every message decided exactly once, at its own position.
got=$(wc -l <"$WORK/decisions.jsonl")
[[ $got -eq $total ]] || fail "expected $total decisions, got $got"
[[ -z $(positions "$WORK/decisions.jsonl" | uniq -d) ]] || fail "a position decided twice"
for t in huur energie zorg; do
	grep -q "\"source\":\"signals.$t/0:0\"" "$WORK/decisions.jsonl" || fail "no decision for signals.$t/0:0"
done
# The mapped formats are decided like canonical records.
for t in huur energie; do
	picked=$(grep "\"source\":\"signals.$t/" "$WORK/decisions.jsonl" | grep -c '"status":"Opgepakt"' || true)
	((picked >= 10)) || fail "signals.$t: only $picked picked up"
done
grep '"source":"signals.huur/0:1"' "$WORK/decisions.jsonl" | grep -q '"status":"Opgepakt"' ||
	fail "the Huur message with a multi-line note is not decided: $(grep '"source":"signals.huur/0:1"' "$WORK/decisions.jsonl")"
grep -q '"partner":"Huur","partner_org":"Woonstichting' "$WORK/decisions.jsonl" ||
	fail "Huur decisions lack the organisation from the CSV"

# The poison message: rejected, dead-lettered with its position and reason,
# and the partition went on past it.
grep "\"source\":\"signals.zorg/0:20\"" "$WORK/decisions.jsonl" | grep -q '"code":"not_utf8"' ||
	fail "poison message at signals.zorg/0:20 not rejected as not_utf8"
grep -q "\"source\":\"signals.zorg/0:$((n_zorg - 1))\"" "$WORK/decisions.jsonl" ||
	fail "the partition did not go on after the poison message"
consume signals.dlq '%h\t%o\n' >"$WORK/dlq.txt"
rejected=$(grep -c '"status":"rejected"' "$WORK/decisions.jsonl")
[[ $(wc -l <"$WORK/dlq.txt") -eq $rejected ]] ||
	fail "$rejected rejected but $(wc -l <"$WORK/dlq.txt") dead letters"
grep -q 'vroeg.reason.code=not_utf8.*vroeg.source.topic=signals.zorg,vroeg.source.partition=0,vroeg.source.offset=20' \
	"$WORK/dlq.txt" || fail "dead letter of the poison message lacks its headers: $(cat "$WORK/dlq.txt")"
# The original bytes, unchanged: the poison's first bytes are 0xff 0xfe.
consume signals.dlq '%s\n' | grep -c $'^\xff\xfe' >/dev/null || fail "dead letter is not the original message"
grep -q 'vroeg.reason.code=bsn.*vroeg.source.topic=signals.huur' "$WORK/dlq.txt" ||
	fail "the Huur CSV record with a bad BSN is not dead-lettered"

# Feedback: one event per decided signal on feedback.<type> (a redelivered
# one is answered with its first status), the DDAS status only, never the
# reason.
fb=0
for t in huur energie zorg; do
	consume "feedback.$t" '%s\n' >"$WORK/feedback.$t"
	fb=$((fb + $(wc -l <"$WORK/feedback.$t")))
done
decided=$(grep -vc '"status":"rejected"' "$WORK/decisions.jsonl")
[[ $fb -eq $decided ]] || fail "$decided decided signals but $fb feedback events"
if grep -h -v '^{"ID":"[^"]*","signaalpartner":{"type":"[^"]*","naam":"[^"]*"},"status":"[^"]*"}$' \
	"$WORK"/feedback.*; then
	fail "a feedback event has more than ID, partner and status"
fi
grep -q '"status":"Niet opgepakt: herhaalde melding"' "$WORK"/feedback.* || fail "no feedback status besides Opgepakt"
! grep -q 'reason\|burgerservicenummer\|h-[0-9a-f]\{32\}' "$WORK"/feedback.* ||
	fail "feedback leaks internal data"

# Kafka refuses produce requests for a while (a dead letter and feedback
# fail): vroeg produces them again until they land; nothing is lost.
printf '{"ID":"W-POISON","bedrag":\n' >"$WORK/water.jsonl"
grep -m 5 . "$ROOT/examples/demo/signals.water.jsonl" >>"$WORK/water.jsonl"
produce signals.water "$WORK/water.jsonl"
kafka_cmd "produce-errors 6 29"  # TOPIC_AUTHORIZATION_FAILED: not retried by librdkafka
write_conf "$WORK/water.conf" water "$WORK/water-dec.jsonl" "[topic signals.water]" \
	"partner = Water" "[topic signals.zorg]" "partner = Zorg"
sed -i '/^\[topic signals.zorg\]/,$d' "$WORK/water.conf"
timeout 120 "$VROEG" run -c "$WORK/water.conf" --stop-at-end 2>"$WORK/water.log" ||
	{ cat "$WORK/water.log" >&2; fail "run with failing produce requests failed"; }
grep -q 'not delivered.*will retry' "$WORK/water.log" || fail "no produce request failed: the test tested nothing"
[[ $(wc -l <"$WORK/water-dec.jsonl") -eq 6 ]] || fail "water: $(wc -l <"$WORK/water-dec.jsonl") decisions, not 6"
consume signals.dlq '%h\n' | grep -c 'vroeg.source.topic=signals.water' | grep -qx 1 ||
	fail "the dead letter did not land exactly once after the produce errors"
[[ $(consume feedback.water '%s\n' | wc -l) -eq 5 ]] || fail "water feedback lost after produce errors"

# A dead letter or feedback event Kafka refuses for good (a message too
# large) is logged and counted, and does not hold up the stream: the
# batches after it are decided and committed.
grep -m 2 . "$ROOT/examples/demo/signals.gemeentebelastingen.jsonl" >"$WORK/gb.jsonl"
printf '{"ID":"GB-POISON"\n' >>"$WORK/gb.jsonl"
produce signals.gemeentebelastingen "$WORK/gb.jsonl"
kafka_cmd "produce-errors 1 10"  # MSG_SIZE_TOO_LARGE: no retry can cure it
write_conf "$WORK/gb.conf" gb "$WORK/gb-dec.jsonl" "[topic signals.gemeentebelastingen]" \
	"partner = Gemeentebelastingen" "[topic signals.zorg]" "partner = Zorg"
sed -i '/^\[topic signals.zorg\]/,$d' "$WORK/gb.conf"
timeout 120 "$VROEG" run -c "$WORK/gb.conf" --stop-at-end 2>"$WORK/gb.log" ||
	{ cat "$WORK/gb.log" >&2; fail "run with a permanently failing produce request failed"; }
grep -q 'failed for good, not retried' "$WORK/gb.log" || fail "no message failed for good: the test tested nothing"
[[ $(wc -l <"$WORK/gb-dec.jsonl") -eq 3 ]] || fail "gb: $(wc -l <"$WORK/gb-dec.jsonl") decisions, not 3"
failed=$(grep -o '[0-9]* of them failed for good' "$WORK/gb.log" | grep -o '^[0-9]*')
landed=$(( $(consume signals.dlq '%h\n' | grep -c 'vroeg.source.topic=signals.gemeentebelastingen' || true) +
	$(consume feedback.gemeentebelastingen '%s\n' | wc -l) ))
[[ $failed -ge 1 && $((landed + failed)) -eq 3 ]] ||
	fail "gb: $landed landed and $failed failed of 3 output messages"

# Bad config is refused with its line.
printf '[store]\nurll = memory\n' >"$WORK/bad.conf"
if "$VROEG" run -c "$WORK/bad.conf" --check 2>"$WORK/bad.err"; then fail "bad config accepted"; fi
grep -q 'bad.conf:2: unknown key \\"urll\\" in \[store\]' "$WORK/bad.err" || fail "bad config message: $(cat "$WORK/bad.err")"
echo "ok: $total messages decided once each, $rejected dead letters, $fb feedback events"
