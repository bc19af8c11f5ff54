# tests/kafka/lib.sh - a Kafka mock cluster (vroeg dev-kafka: librdkafka's
# mock brokers on 127.0.0.1) for a test, kcat as the partners' client, and
# helpers to run the service against it (sourced).  Every process started
# here is stopped on exit.
#
# Set before sourcing: VROEG (the binary), WORK (the test's directory,
# emptied here).  Sets ROOT (the repository) and KEY (a pseudonym key of the
# test's own: the service refuses the public demo key and a key file others
# can read).

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rm -rf "$WORK" && mkdir -p "$WORK"
KEY=$WORK/pseudonym.key
(umask 077 && head -c 32 /dev/urandom >"$KEY")
kafka_pids=()

kafka_cleanup() {
	for p in "${kafka_pids[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	exec 7>&- 2>/dev/null || true
}
trap kafka_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# kafka_start [--partitions P] [--brokers N]: sets BOOTSTRAP; commands go to
# fd 7 (kafka_cmd), answers to $WORK/dev-kafka.out.
kafka_start() {
	mkfifo "$WORK/dev-kafka.in"
	"$VROEG" dev-kafka "$@" <"$WORK/dev-kafka.in" >"$WORK/dev-kafka.out" \
		2>"$WORK/dev-kafka.err" &
	kafka_pids+=($!)
	exec 7>"$WORK/dev-kafka.in"
	for _ in $(seq 1 100); do
		BOOTSTRAP=$(head -n 1 "$WORK/dev-kafka.out" 2>/dev/null || true)
		[[ -n $BOOTSTRAP ]] && return 0
		sleep 0.05
	done
	cat "$WORK/dev-kafka.err" >&2
	fail "dev-kafka did not start"
}

# kafka_cmd LINE: send a command and wait for its answer.
kafka_cmd() {
	local before
	before=$(wc -l <"$WORK/dev-kafka.out")
	echo "$1" >&7
	for _ in $(seq 1 100); do
		if (($(wc -l <"$WORK/dev-kafka.out") > before)); then
			tail -n 1 "$WORK/dev-kafka.out" | grep -q '^ok$' || fail "dev-kafka: $1: $(tail -n 1 "$WORK/dev-kafka.out")"
			return 0
		fi
		sleep 0.05
	done
	fail "dev-kafka did not answer $1"
}

# produce TOPIC FILE: one message per line.
produce() {
	kcat -P -b "$BOOTSTRAP" -t "$1" -l "$2" 2>>"$WORK/kcat.err" || fail "kcat could not produce to $1"
}

# consume TOPIC FORMAT: every message of the topic, one line each.
consume() {
	kcat -C -b "$BOOTSTRAP" -t "$1" -o beginning -e -q -f "$2" 2>>"$WORK/kcat.err"
}

# write_conf FILE GROUP DECISIONS [extra lines...]: a service config with the
# five partner topics as canonical JSON.
write_conf() {
	local f=$1 group=$2 dec=$3
	shift 3
	{
		echo "[engine]"
		echo "key.file = $KEY"
		echo "clock = 2024-12-31"
		echo "batch = 64"
		echo "linger.ms = 20"
		echo "[output]"
		echo "decisions = $dec"
		echo "[kafka]"
		echo "bootstrap.servers = $BOOTSTRAP"
		echo "[kafka consumer]"
		echo "group.id = $group"
		echo "session.timeout.ms = 6000"
		echo "heartbeat.interval.ms = 500"
		echo "fetch.wait.max.ms = 50"
		for l in "$@"; do echo "$l"; done
		for t in huur:Huur energie:Energie water:Water zorg:Zorg \
			gemeentebelastingen:Gemeentebelastingen; do
			grep -q "^\[topic signals.${t%%:*}\]" <(printf '%s\n' "$@") && continue
			echo "[topic signals.${t%%:*}]"
			echo "partner = ${t#*:}"
		done
	} >"$f"
}

# split_by_partner FILE DIR: the records of FILE per partner topic, as
# DIR/signals.<type>.jsonl; other partner types go to signals.zorg (and are
# rejected there as partner_type).
split_by_partner() {
	local f=$1 d=$2
	mkdir -p "$d"
	grep -a '"type":"Huur"' "$f" >"$d/signals.huur.jsonl" || true
	grep -a '"type":"Energie"' "$f" >"$d/signals.energie.jsonl" || true
	grep -a '"type":"Water"' "$f" >"$d/signals.water.jsonl" || true
	grep -a '"type":"Gemeentebelastingen"' "$f" >"$d/signals.gemeentebelastingen.jsonl" || true
	grep -av '"type":"\(Huur\|Energie\|Water\|Gemeentebelastingen\)"' "$f" \
		>"$d/signals.zorg.jsonl" || true
}

# positions FILE: the source (topic/partition:offset) of every decision.
positions() {
	grep -o '"source":"[^"]*"' "$1" | sort
}

# gen_produce N SEED: generate about N signals and produce them to the
# partner topics; sets PRODUCED (the message count).
gen_produce() {
	local n=$1 seed=$2 d
	d=$WORK/gen.$seed
	"$VROEG" gen --households "$((n * 18))" --months 6 --seed "$seed" --invalid 0.02 \
		--out "$WORK/gen.$seed.jsonl"
	split_by_partner "$WORK/gen.$seed.jsonl" "$d"
	for f in "$d"/*.jsonl; do
		[[ -s $f ]] && produce "$(basename "$f" .jsonl)" "$f"
	done
	PRODUCED=$(cat "$d"/*.jsonl | wc -l)
}

# wait_lines FILE N SECONDS: until FILE has at least N lines.
wait_lines() {
	for _ in $(seq 1 $(($3 * 10))); do
		[[ -f $1 ]] && (($(wc -l <"$1") >= $2)) && return 0
		sleep 0.1
	done
	fail "$1: fewer than $2 lines after $3 s ($(wc -l <"$1" 2>/dev/null || echo 0))"
}

# exactly_once TOTAL FILE...: the decisions of FILEs cover TOTAL positions,
# each once.
exactly_once() {
	local total=$1
	shift
	cat "$@" | grep -o '"source":"[^"]*"' | sort >"$WORK/positions"
	local dup
	dup=$(uniq -d "$WORK/positions" | sed -n 1,5p)
	[[ -z $dup ]] || fail "decided twice: $dup"
	[[ $(wc -l <"$WORK/positions") -eq $total ]] ||
		fail "expected $total decisions, got $(wc -l <"$WORK/positions")"
}

# once_or_recognised TOTAL FILE...: every one of TOTAL positions decided;
# a position read again after a lost assignment (at-least-once) may appear
# twice, but then the engine recognised it: at most one decision per
# position is not "duplicate".  (A rejected record read again is rejected
# again, and dead-lettered again with the same source offset: rejects keep
# no state to recognise them by.)
once_or_recognised() {
	local total=$1
	shift
	cat "$@" | grep -o '"source":"[^"]*"' | sort -u >"$WORK/positions"
	[[ $(wc -l <"$WORK/positions") -eq $total ]] ||
		fail "expected $total positions decided, got $(wc -l <"$WORK/positions")"
	local dup
	dup=$(cat "$@" | grep -v '"status":"\(duplicate\|rejected\)"' | grep -o '"source":"[^"]*"' | sort |
		uniq -d | sed -n 1,5p)
	[[ -z $dup ]] || fail "decided twice (not recognised as redelivered): $dup"
	REDELIVERED=$(($(cat "$@" | wc -l) - total))
}

# shared_store: a redis-server of the test's own (tests/redis/lib.sh) for
# state that several runs share; sets SHARED, config lines for write_conf.
shared_store() {
	source "$ROOT/tests/redis/lib.sh"
	trap 'kafka_cleanup; redis_cleanup' EXIT
	redis_start "$WORK/redis"
	(umask 077 && head -c 32 /dev/urandom >"$WORK/contact.key")
	SHARED=("[store]" "url = unix://$WORK/redis/redis.sock"
		"[engine]" "contact.key.file = $WORK/contact.key")
}
