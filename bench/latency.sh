#!/usr/bin/env bash
# bench/latency.sh [CRISIS] - a crisis signal's way from the partner to the
# team: Kafka produce (kcat, the mock cluster of vroeg dev-kafka) -> vroeg
# run (decide, queue: crisis goes out at once, store, deliver) -> the
# team's webhook (tests/http/receiver.c on 127.0.0.1).
#
# CRISIS crisis signals (default 1,000), 20 a second, each carrying its
# produce time in its ID, while 1,000 normal signals a second are produced
# in the background on the same topic.  Prints the latency from produce to
# the webhook's 200, p50/p99/max (target p99 <= 50 ms).  STORE=redis runs
# the service on a redis-server of its own instead of the memory store, and
# STAGES=1 (with it) with the repartition and dispatch topics of several
# instances (docs/connectors.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
crisis=${1:-1000}
bench_init 0
VROEG=$build/vroeg
WORK=$work/latency
source "$root/tests/kafka/lib.sh"
receiver=$build/tests/http_receiver
kafka_start
kafka_cmd "topic lat.zorg 2"
rpids=()
trap 'kafka_cleanup; for p in "${rpids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# Background and crisis signals from two populations (no crisis signal is
# a repeat of a background one), the crisis ones above any threshold.
"$VROEG" gen --households 400000 --months 6 --seed 3 --out "$WORK/bg.all"
grep -a '"type":"Zorg"' "$WORK/bg.all" | grep -v '"crisissignaal":true' >"$WORK/bg.jsonl"
"$VROEG" gen --households 400000 --months 6 --seed 4 --out "$WORK/cr.all"
grep -a '"type":"Zorg"' "$WORK/cr.all" >"$WORK/cr.zorg"
head -n "$crisis" "$WORK/cr.zorg" |
	sed 's/"crisissignaal":false/"crisissignaal":true/; s/"bedrag":[0-9]*/"bedrag":1500/' >"$WORK/cr.jsonl"

"$receiver" --log "$WORK/hook.log" --bodies "$WORK/hook.bodies" >"$WORK/hook.url" &
rpids+=($!)
for _ in $(seq 1 100); do [[ -s $WORK/hook.url ]] && break; sleep 0.05; done
store=()
if [[ ${STORE:-memory} == redis ]]; then
	source "$root/tests/redis/lib.sh"
	# (its EXIT trap replaces this script's: both, then)
	trap 'kafka_cleanup; redis_cleanup; for p in "${rpids[@]}"; do kill "$p" 2>/dev/null; done' EXIT
	redis_start "$WORK/redis"
	(umask 077 && head -c 32 /dev/urandom >"$WORK/contact.key")
	store=("[store]" "url = unix://$WORK/redis/redis.sock" "[engine]"
		"contact.key.file = $WORK/contact.key")
fi
# STAGES=1 (with STORE=redis): both stages of several instances, with their
# two more trips through Kafka (docs/connectors.md, "Several instances").
if [[ -n ${STAGES:-} ]]; then
	[[ ${STORE:-memory} == redis ]] || { echo "latency.sh: STAGES needs STORE=redis" >&2; exit 2; }
	kafka_cmd "topic lat.households 6"
	kafka_cmd "topic lat.cases 1"
	store+=("[connector]" "repartition.topic = lat.households" "dispatch.topic = lat.cases")
fi
write_conf "$WORK/lat.conf" lat /dev/null "[topic lat.zorg]" "partner = Zorg" "${store[@]}" \
	"[team default]" "[sink.hook]" "type = http" "url = $(head -n 1 "$WORK/hook.url")"
# The service's own clock (crisis due in 3 working days from today), small
# batches with a short linger: what a deployment that cares for latency sets.
# FETCH_WAIT_MS: the consumer's fetch.wait.max.ms, 10 by default (the test
# config has 50).  The mock cluster answers a fetch that found nothing only
# when this time is up, so it bounds how long a new message waits there
# (bench/README.md).
sed -i 's/^clock = .*/clock = wall/; s/^batch = .*/batch = 256/; s/^linger.ms = .*/linger.ms = 5/' \
	"$WORK/lat.conf"
sed -i "s/^fetch.wait.max.ms = .*/fetch.wait.max.ms = ${FETCH_WAIT_MS:-10}/" "$WORK/lat.conf"
sed -i '/^\[topic signals\./,+1d' "$WORK/lat.conf"
"$VROEG" run -c "$WORK/lat.conf" 2>"$WORK/run.log" &
pid=$!
kafka_pids+=("$pid")
# The consumer group's join, then 2 s of background load before the first
# crisis signal: the latency measured is the running service's, not its
# start-up's (the first fetches of a fresh assignment take up to 600 ms).
for _ in $(seq 1 300); do grep -q 'assigned' "$WORK/run.log" && break; sleep 0.05; done

# Produce: 1,000 background lines a second and, after the warm-up, every
# 50 ms a crisis line whose ID says when it was produced.
python3 - "$BOOTSTRAP" "$WORK/bg.jsonl" "$WORK/cr.jsonl" <<'PY'
import re, subprocess, sys, time
boot, bg, cr = sys.argv[1:]
kc = subprocess.Popen(["kcat", "-P", "-b", boot, "-t", "lat.zorg", "-X", "linger.ms=0"],
                      stdin=subprocess.PIPE, text=True)
bgl = open(bg).read().splitlines()
crl = open(cr).read().splitlines()
t0, i, b = time.time(), 0, 0
warm = 2.0
while i < len(crl):
    now = time.time()
    # The population's signals again and again, each round with IDs of its
    # own (new signals to the engine; mostly repeats of the same arrears).
    while b < (now - t0) * 1000:
        line = bgl[b % len(bgl)]
        if b >= len(bgl):
            line = re.sub(r'"ID":"([^"]*)"', r'"ID":"\1-r%d"' % (b // len(bgl)), line, count=1)
        kc.stdin.write(line + "\n"); b += 1
    if now - t0 >= warm + i * 0.05:
        ms = int(time.time() * 1000)
        line = re.sub(r'"ID":"[^"]*"', '"ID":"LAT-%d-%d"' % (ms, i), crl[i], count=1)
        kc.stdin.write(line + "\n"); i += 1
    kc.stdin.flush()
    time.sleep(0.002)
kc.stdin.close(); kc.wait()
print("produced %d crisis and %d background signals in %.1f s" % (i, b, time.time() - t0))
PY
sleep 5
kill -TERM "$pid"
wait "$pid" || true

python3 - "$WORK/hook.log" "$WORK/hook.bodies" <<'PY'
import json, re, sys
log, bodies = sys.argv[1:]
first = {}
for l in open(log):
    r = json.loads(l)
    if r["status"] == 200 and r["key"] not in first:
        first[r["key"]] = r["at_ms"]
lat = {}
for l in open(bodies):
    t = json.loads(l)
    for s in t["signals"]:
        m = re.match(r"LAT-(\d+)-(\d+)$", s["id"])
        if m and t["task_id"] in first and m.group(2) not in lat:
            lat[m.group(2)] = first[t["task_id"]] - int(m.group(1))
v = sorted(lat.values())
if not v:
    sys.exit("no crisis task arrived")
pct = lambda p: v[min(len(v) - 1, (len(v) * p + 99) // 100 - 1)]
print("crisis signals delivered: %d; latency produce -> webhook 200: p50 %d ms, p99 %d ms, "
      "max %d ms (target p99 <= 50 ms)" % (len(v), pct(50), pct(99), v[-1]))
PY
