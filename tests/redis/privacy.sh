#!/usr/bin/env bash
# privacy.sh VROEG - nothing readable in Redis but pseudonyms.
#
# Replays generated signals (with BSNs, names, phone numbers, e-mail
# addresses, postcodes) onto a private redis-server, then dumps every key
# (redis-cli --scan) and every value, raw, and requires that none of the
# input's BSNs, names, phone numbers, e-mail addresses or postcode+huisnummer
# combinations occurs in it (while signal IDs, which are not personal, are
# found: the dump is readable).  Also checks that every key has a TTL.
set -euo pipefail
vroeg=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
tmp=$(mktemp -d /tmp/vroeg-privacy.XXXXXX)
trap 'redis_cleanup; rm -rf "$tmp"' EXIT
key=$here/../scenarios/test.key
fail() { echo "FAIL: $*" >&2; exit 1; }

redis_start "$tmp/redis" 0
sock=$tmp/redis/redis.sock
"$vroeg" gen --households 60000 --months 6 --seed 11 > "$tmp/in.jsonl"
head -c 32 /dev/urandom > "$tmp/contact.key"
"$vroeg" replay --quiet --key-file "$key" --contact-key-file "$tmp/contact.key" \
	--store "unix://$sock?prefix=priv" --out "$tmp/out" "$tmp/in.jsonl"

# What must not be found: every identifying value of the input.
grep -o '"burgerservicenummer":"[0-9]*"' "$tmp/in.jsonl" | cut -d'"' -f4 > "$tmp/secrets"
# (client blocks only: signaalpartner.naam is an organisation, not a person)
grep -o '"client":{[^}]*}' "$tmp/in.jsonl" > "$tmp/clients"
grep -o '"naam":"[^"]*"' "$tmp/clients" | cut -d'"' -f4 >> "$tmp/secrets"
grep -o '"telefoon":"[^"]*"' "$tmp/in.jsonl" | cut -d'"' -f4 >> "$tmp/secrets"
grep -o '"email":"[^"]*"' "$tmp/in.jsonl" | cut -d'"' -f4 >> "$tmp/secrets"
grep -o '"postcode":"[^"]*","huisnummer":"[^"]*"' "$tmp/in.jsonl" |
	sed 's/"postcode":"\([^"]*\)","huisnummer":"\([^"]*\)"/\1|\2/' >> "$tmp/secrets"
sort -u -o "$tmp/secrets" "$tmp/secrets"
n_secrets=$(wc -l < "$tmp/secrets")
[[ $n_secrets -gt 1000 ]] || fail "too few test values ($n_secrets)"
# Client names are like "J. Jansen": also look for the family names alone.
grep -o '"naam":"[^"]*"' "$tmp/clients" | cut -d'"' -f4 | awk '{print $NF}' | sort -u |
	awk 'length($0) >= 5' > "$tmp/surnames"

# Dump every key and every value, raw.
redis-cli -s "$sock" --scan > "$tmp/keys"
n_keys=$(wc -l < "$tmp/keys")
[[ $n_keys -gt 1000 ]] || fail "too few keys ($n_keys)"
: > "$tmp/dump"
while read -r k; do
	printf '%s\n' "$k" >> "$tmp/dump"
done < "$tmp/keys"
sed 's/^/GET /' "$tmp/keys" | redis-cli -s "$sock" --raw >> "$tmp/dump"
[[ $(stat -c %s "$tmp/dump") -gt 100000 ]] || fail "dump is too small to mean anything"

# Control: the dump is searchable (partners' signal IDs are stored as such).
grep -a -q -F "$(grep -m1 -o '"ID":"[^"]*"' "$tmp/in.jsonl" | cut -d'"' -f4)" "$tmp/dump" ||
	fail "control failed: a stored signal ID is not found in the dump"
if grep -a -F -f "$tmp/secrets" "$tmp/dump" > "$tmp/found"; then
	fail "$(wc -l < "$tmp/found") personal values readable in Redis"
fi
if grep -a -w -F -f "$tmp/surnames" "$tmp/dump" > "$tmp/found2"; then
	fail "client names readable in Redis: $(head -c 200 "$tmp/found2")"
fi
# The same input's decisions and cases hold no identifying value either.
if cat "$tmp/out"/*.jsonl | grep -a -F -f "$tmp/secrets" > /dev/null; then
	fail "personal values in the replay output"
fi
echo "ok: $n_keys keys and their values hold none of $n_secrets identifying values"

# Every key expires: households (with their marks and their case's sealed
# contact block) and completed cases.
sed 's/^/PTTL /' "$tmp/keys" | redis-cli -s "$sock" > "$tmp/ttls"
awk '$1 <= 0 {bad++} END {exit bad > 0}' "$tmp/ttls" || fail "keys without a TTL"
for kind in ':hh' ':case:'; do
	grep -q -- "$kind" "$tmp/keys" || fail "no $kind keys written"
done
echo "ok: every key has a TTL"
echo "2 passed, 0 failed"
