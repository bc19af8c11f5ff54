#!/usr/bin/env bash
# check_config.sh VROEG - `vroeg run --check` refuses what `vroeg run` would
# refuse, each error naming file:line, and start-up refuses the same before
# it contacts anything (Kafka at 127.0.0.1:1, where nothing listens).
set -euo pipefail
vroeg=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/vroeg-config.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
key=$tmp/pseudonym.key
(umask 077 && head -c 32 /dev/urandom > "$key")
fail() { echo "FAIL: $*" >&2; exit 1; }
n=0

# refused NAME WANT LINES...: the config of LINES (after a common head, with
# KEYF as its key file if set) is refused by --check and by start-up, both
# with a message matching WANT.
refused() {
	local name=$1 want=$2 conf=$tmp/$1.conf
	shift 2
	{ printf '[engine]\nkey.file = %s\n[kafka]\nbootstrap.servers = 127.0.0.1:1\n' "${KEYF:-$key}"
	  printf '%s\n' "$@"; } > "$conf"
	if "$vroeg" run -c "$conf" --check 2> "$tmp/$name.check"; then fail "$name: --check accepted it"; fi
	grep -q -- "$want" "$tmp/$name.check" || fail "$name: --check said: $(cat "$tmp/$name.check")"
	if timeout 20 "$vroeg" run -c "$conf" 2> "$tmp/$name.run"; then fail "$name: run accepted it"; fi
	grep -q -- "$want" "$tmp/$name.run" || fail "$name: run said: $(cat "$tmp/$name.run")"
	n=$((n + 1))
}

refused unknown_key 'unknown_key.conf:6: unknown key \\"urll\\" in \[store\]' "[store]" "urll = memory"
refused store_scheme 'store_scheme.conf:6: unknown store' "[store]" "url = mysql://db" \
	"[topic a]" "partner = Zorg"
refused store_host 'store_host.conf:6: bad store URL' "[store]" "url = redis://red is:6379" \
	"[topic a]" "partner = Zorg"
refused log_level 'log_level.conf:6: \[engine\] log.level must be' "[engine]" "log.level = verbose" \
	"[topic a]" "partner = Zorg"
refused batch 'batch.conf:6: \[engine\] batch must be a whole number' "[engine]" "batch = lots" \
	"[topic a]" "partner = Zorg"
refused clock 'clock.conf:6: \[engine\] clock must be' "[engine]" "clock = tomorrow" \
	"[topic a]" "partner = Zorg"
refused kafka_prop 'kafka_prop.conf:6: kafka property no.such.property' "[kafka]" \
	"no.such.property = 1" "[topic a]" "partner = Zorg"
refused idempotence 'idempotence.conf:6: kafka property enable.idempotence must be true' \
	"[kafka producer]" "enable.idempotence = false" "[topic a]" "partner = Zorg"
refused offset_store 'offset_store.conf:6: kafka property enable.auto.offset.store must be false' \
	"[kafka consumer]" "enable.auto.offset.store = true" "[topic a]" "partner = Zorg"
refused output 'output.conf:6: \[output\] decisions: cannot open /nonexistent/d.jsonl' \
	"[output]" "decisions = /nonexistent/d.jsonl" "[topic a]" "partner = Zorg"
refused dlq_loop 'dlq_loop.conf:6: \[connector\] dlq.topic writes to signals.zorg' \
	"[connector]" "dlq.topic = signals.zorg" "[topic signals.zorg]" "partner = Zorg"
refused feedback_loop 'feedback_loop.conf: \[connector\] feedback.topic writes to feedback.huur' \
	"[topic feedback.huur]" "partner = Huur"
refused repart_partner 'repart_partner.conf:6: \[connector\] repartition.topic signals.zorg is also a partner topic' \
	"[connector]" "repartition.topic = signals.zorg" "[topic signals.zorg]" "partner = Zorg"
refused repart_dlq 'repart_dlq.conf:6: \[connector\] repartition.topic signals.dlq is also a dead-letter' \
	"[connector]" "repartition.topic = signals.dlq" "[topic signals.zorg]" "partner = Zorg"
refused repart_key 'repart_key.conf:6: \[connector\] repartition.topic needs \[engine\] contact.key.file' \
	"[connector]" "repartition.topic = households" "[topic signals.zorg]" "partner = Zorg"
(umask 077 && head -c 32 /dev/urandom > "$tmp/contact.key")
refused repart_dispatch 'repart_dispatch.conf:8: \[connector\] repartition.topic with \[team\] or \[sink.NAME\] sections needs \[connector\] dispatch.topic' \
	"[engine]" "contact.key.file = $tmp/contact.key" "[connector]" "repartition.topic = households" \
	"[team default]" "capacity = 8" "[topic signals.zorg]" "partner = Zorg"
refused dispatch_alone 'dispatch_alone.conf:6: \[connector\] dispatch.topic is for several instances' \
	"[connector]" "dispatch.topic = cases" "[team default]" "capacity = 8" \
	"[topic signals.zorg]" "partner = Zorg"
refused dispatch_same 'dispatch_same.conf:11: \[connector\] dispatch.topic must be a topic of its own' \
	"[engine]" "contact.key.file = $tmp/contact.key" "[store]" "url = redis://127.0.0.1:1" \
	"[connector]" "repartition.topic = households" "dispatch.topic = households" \
	"[team default]" "capacity = 8" "[topic signals.zorg]" "partner = Zorg"
refused dispatch_memory 'dispatch_memory.conf:9: \[connector\] dispatch.topic needs the Redis store' \
	"[engine]" "contact.key.file = $tmp/contact.key" "[connector]" "repartition.topic = households" \
	"dispatch.topic = cases" "[team default]" "capacity = 8" "[topic signals.zorg]" "partner = Zorg"
refused empty_topic 'empty_topic.conf:5: \[topic signals.zorg\] has no keys' \
	"[topic signals.zorg]" "[topic signals.huur]" "partner = Huur"

# Keys: readable by their owner only (unless the mount decides), not all
# zeros, the two different, and not the public demo key.
cp "$here/scenarios/test.key" "$tmp/shared.key" && chmod 644 "$tmp/shared.key"
KEYF=$tmp/shared.key refused key_mode \
	'key_mode.conf:2: \[engine\] key.file .*shared.key is readable by others than its owner (mode 644)' \
	"[topic a]" "partner = Zorg"
(umask 077 && head -c 32 /dev/zero > "$tmp/zero.key")
KEYF=$tmp/zero.key refused key_zero 'key_zero.conf:2: \[engine\] key.file .*zero.key is all zeros' \
	"[topic a]" "partner = Zorg"
(umask 077 && cp "$root/examples/demo.key" "$tmp/demo.key")
KEYF=$tmp/demo.key refused key_demo 'key_demo.conf:2: \[engine\] key.file .*demo.key is the public demo key' \
	"[topic a]" "partner = Zorg"
refused key_same 'key_same.conf:6: \[engine\] contact.key.file holds the pseudonym key' \
	"[engine]" "contact.key.file = $key" "[store]" "url = redis://127.0.0.1:1" "[topic a]" \
	"partner = Zorg"
# Task sinks and teams (docs/dispatch.md): a known type with what it needs,
# and a capacity that is a number.
refused sink_type 'sink_type.conf:6: \[sink.zaken\]: type zgw: url: the Zaken API' \
	"[sink.zaken]" "type = zgw" "[topic a]" "partner = Zorg"
refused sink_rsin 'sink_rsin.conf:6: \[sink.zaken\]: type zgw: rsin: the municipality' \
	"[sink.zaken]" "type = zgw" "url = https://zaken.example.nl/zaken/api/v1" \
	"zaaktype = https://c.example.nl/zaaktypen/1" "roltype = https://c.example.nl/roltypen/1" \
	"rsin = 12345" "[topic a]" "partner = Zorg"
refused outcomes_alone 'outcomes_alone.conf:6: \[outcomes\] topic needs dispatch' \
	"[outcomes]" "topic = outcomes" "[topic a]" "partner = Zorg"
refused sink_mail 'sink_mail.conf:6: \[sink.zaken\]: type mail is not a task sink' \
	"[sink.zaken]" "type = mail" "[topic a]" "partner = Zorg"
refused sink_url 'sink_url.conf:6: \[sink.hook\]: type http needs url' \
	"[sink.hook]" "type = http" "url = ftp://x" "[topic a]" "partner = Zorg"
refused team_cap 'team_cap.conf:6: .*capacity' "[team wijk]" "capacity = many" \
	"[topic a]" "partner = Zorg"

# The same head is fine as it is, with a BOM in front.
printf '\xef\xbb\xbf[engine]\nkey.file = %s\n[topic signals.zorg]\npartner = Zorg\n' "$key" > "$tmp/bom.conf"
"$vroeg" run -c "$tmp/bom.conf" --check > /dev/null || fail "a config with a UTF-8 BOM was refused"

# An environment variable that sets no key is a typo, not ignored.
if VROEG_STORE_URLL=memory "$vroeg" run -c "$tmp/bom.conf" --check 2> "$tmp/env.err"; then
	fail "VROEG_STORE_URLL accepted"
fi
grep -q 'VROEG_STORE_URLL matches no config key' "$tmp/env.err" || fail "env: $(cat "$tmp/env.err")"
VROEG_STORE_URL=memory "$vroeg" run -c "$tmp/bom.conf" --check > /dev/null || fail "VROEG_STORE_URL refused"
# A password with an '@' of its own, not written as %40, is still a password.
(umask 077 && head -c 32 /dev/urandom > "$tmp/contact.key")
VROEG_STORE_URL='redis://:p@ss@127.0.0.1:1/0' VROEG_ENGINE_CONTACT_KEY_FILE=$tmp/contact.key \
	"$vroeg" run -c "$tmp/bom.conf" --check > /dev/null 2> "$tmp/at.err" ||
	fail "a password with '@' refused: $(cat "$tmp/at.err")"
# A mount that decides the mode: the check can be turned off.
printf '[engine]\nkey.file = %s\nkey.mode.check = false\n[topic a]\npartner = Zorg\n' "$tmp/shared.key" \
	> "$tmp/mount.conf"
"$vroeg" run -c "$tmp/mount.conf" --check > /dev/null || fail "key.mode.check = false refused"
echo "$((n + 5)) passed, 0 failed"
