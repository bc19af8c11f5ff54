#!/usr/bin/env bash
# tests/http/sink_zgw.sh RECEIVER WORK VROEG - the ZGW sink (docs/dispatch.md):
# 1. against Prism serving the Zaken API 1.5.1 contract (tests/http/zgw/;
#    Prism installed by scripts/prism.sh): every zaak and rol request of a
#    replay's tasks passes Prism's validation, none breaks it;
# 2. against a misbehaving Zaken API (tests/http/receiver.c --mode zgw:
#    20% 503 on zaken, 30% 500 and 10% hanging on rollen): every task gets
#    exactly one zaak, its identificatie the task_id and its kenmerk the
#    case, and one rol answered 201 per task, naming that zaak, however
#    often the rol is retried; every request carries an HS256 JWT signed
#    with the secret and the claims iss, client_id, user_id, iat.
# 3. (tests/http/send_http.c --zgw) a Zaken API that answers 401 makes the
#    tasks wait and be tried again, not fail for good; one that answers 400
#    to the task fails it for good at once.
# Every process started here is stopped on exit.
set -euo pipefail
RECEIVER=$1 WORK=$2 VROEG=$3 SEND=$4
here=$(cd "$(dirname "$0")/.." && pwd)
contract=${VROEG_ZGW_CONTRACT:-$here/http/zgw/zaken-openapi.json}
prism=${VROEG_PRISM:-/opt/vroeg-test/prism/node_modules/.bin/prism}
rm -rf "$WORK" && mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -f $contract ]] || fail "no ZGW contract at $contract (set VROEG_ZGW_CONTRACT)"
[[ -x $prism ]] || fail "no Prism at $prism: run scripts/prism.sh (or set VROEG_PRISM)"

printf 'zgw-test-secret-of-32-characters' >"$WORK/zgw.secret"
"$VROEG" gen --households 4000 --months 3 --seed 5 --out "$WORK/in.jsonl"
sink_conf() { # sink_conf URL TIMEOUT_MS: a config with one zgw sink
	cat <<CONF
[team default]
capacity = 25
[sink.zaken]
type = zgw
url = $1
zaaktype = https://catalogi.example.nl/catalogi/api/v1/zaaktypen/0119dd4e-7be9-477e-bccf-75023b1453c1
roltype = https://catalogi.example.nl/catalogi/api/v1/roltypen/1c359a1b-c38d-47b8-bed5-994db88ead61
rsin = 002220647
client_id = vroeg-test
user_id = schuldhulp
secret.file = $WORK/zgw.secret
timeout.ms = $2
CONF
}
replay() { # replay CONF OUT
	timeout 120 "$VROEG" replay --quiet --key-file "$here/scenarios/test.key" --now 2024-03-31 \
		-c "$1" --out "$2" "$WORK/in.jsonl"
}

# 1. Prism: every request passes the contract's validation.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$prism" mock -h 127.0.0.1 -p "$port" "$contract" >"$WORK/prism.log" 2>&1 &
pids+=($!)
for i in $(seq 1 300); do
	grep -q "Prism is listening" "$WORK/prism.log" && break
	[[ $i -lt 300 ]] || fail "Prism did not start: $(tail -3 "$WORK/prism.log")"
	sleep 0.1
done
sink_conf "http://127.0.0.1:$port" 20000 >"$WORK/prism.conf"
replay "$WORK/prism.conf" "$WORK/prism" || fail "replay to Prism"
tasks=$(wc -l <"$WORK/prism/tasks.jsonl")
[[ $tasks -ge 50 ]] || fail "only $tasks tasks"
passed=$(grep -c "request passed the validation rules" "$WORK/prism.log" || true)
broken=$(grep -c "Violation: request" "$WORK/prism.log" || true)
zaken=$(grep -c "post /zaken" "$WORK/prism.log" || true)
rollen=$(grep -c "post /rollen" "$WORK/prism.log" || true)
[[ $broken -eq 0 ]] || fail "Prism: $broken violations: $(grep -m3 'Violation: request' "$WORK/prism.log")"
[[ $zaken -eq $tasks && $rollen -eq $tasks && $passed -eq $((2 * tasks)) ]] ||
	fail "Prism: $tasks tasks, $zaken zaken, $rollen rollen, $passed passed"
echo "prism: $tasks tasks, $zaken zaken and $rollen rollen, all valid"

# 2. A Zaken API that fails: one zaak per task, rollen retried onto it.
"$RECEIVER" --log "$WORK/zgw.log" --bodies "$WORK/zgw.bodies" --secret-file "$WORK/zgw.secret" \
	--mode zgw --seed 3 --hang-ms 1500 >"$WORK/zgw.url" &
pids+=($!)
for _ in $(seq 1 100); do
	url=$(head -n 1 "$WORK/zgw.url" 2>/dev/null || true)
	[[ -n $url ]] && break
	sleep 0.05
done
[[ -n $url ]] || fail "receiver did not start"
sink_conf "${url%/hook}/api/v1/" 1000 >"$WORK/zgw.conf"
replay "$WORK/zgw.conf" "$WORK/zgw" || fail "replay to the failing Zaken API"
cmp -s "$WORK/zgw/tasks.jsonl" "$WORK/prism/tasks.jsonl" || fail "the two runs made other tasks"
python3 - "$WORK" <<'PY' || fail "zgw requests"
import base64, json, sys, time
w = sys.argv[1]
log = [json.loads(l) for l in open(f"{w}/zgw.log")]
bodies = [json.loads(l) for l in open(f"{w}/zgw.bodies")]
# bodies: one per 2xx answer, in the log's order (a hang is answered 200 late)
ok = [r for r in log if 200 <= r["status"] < 300]
assert len(ok) == len(bodies), (len(ok), len(bodies))
tasks = {json.loads(l)["task_id"]: json.loads(l) for l in open(f"{w}/zgw/tasks.jsonl")}
made = {}   # task_id -> zaak URL
for r, b in zip(ok, bodies):
    if r["path"].endswith("/zaken"):
        tid = b["identificatie"]
        assert tid in tasks, tid
        assert tid not in made, f"a second zaak for {tid}"
        assert b["kenmerken"] == [{"kenmerk": tasks[tid]["case_id"], "bron": "vroeg"}], b
        assert b["bronorganisatie"] == b["verantwoordelijkeOrganisatie"] == "002220647"
        assert b["startdatum"] == tasks[tid]["issued"]
        assert tasks[tid]["priority"] in b["omschrijving"] and len(b["omschrijving"]) <= 80
        assert len(b["toelichting"]) <= 1000 and tasks[tid]["due"] in b["toelichting"]
        made[tid] = r["made"]
assert set(made) == set(tasks), f"{len(tasks) - len(made)} tasks without a zaak"
by_url = {u: t for t, u in made.items()}
linked, with_bsn = set(), 0
for r, b in zip(ok, bodies):
    if r["path"].endswith("/rollen"):
        assert b["zaak"] in by_url, b["zaak"]
        assert b["betrokkeneType"] == "natuurlijk_persoon"
        # A signal without a BSN (an energy company knows the address)
        # links the resident by birth date and name.
        bsn = b["betrokkeneIdentificatie"].get("inpBsn")
        assert (bsn and len(bsn) == 9 and bsn.isdigit()) or b["contactpersoonRol"]["naam"], b
        with_bsn += bool(bsn)
        linked.add(by_url[b["zaak"]])
assert linked == set(tasks), f"{len(tasks) - len(linked)} zaken without their rol"
# A rol answered 201 once per task (a hung one may also have been made: the
# API does not say, and the contract has no way to ask).
rol_ok = sum(1 for r in ok if r["path"].endswith("/rollen"))
assert rol_ok == len(tasks), f"{rol_ok} rollen answered 201 for {len(tasks)} tasks"
assert with_bsn >= 0.8 * len(tasks), f"only {with_bsn} rollen with a BSN"
zaak_tries = sum(1 for r in log if r["path"].endswith("/zaken"))
rol_tries = sum(1 for r in log if r["path"].endswith("/rollen"))
assert zaak_tries > len(tasks) and rol_tries > len(tasks), "no retries were needed"
assert zaak_tries + rol_tries <= 6 * len(tasks), "retries unbounded"
now = time.time()
for r in log:
    assert r["sig"] is True, "a request without a valid HS256 JWT"
    c = json.loads(base64.urlsafe_b64decode(r["claims"] + "=" * (-len(r["claims"]) % 4)))
    assert c["iss"] == c["client_id"] == "vroeg-test" and c["user_id"] == "schuldhulp", c
    assert abs(c["iat"] - now) < 600, c
print(f"zgw: {len(tasks)} tasks, {len(made)} zaken made once each, "
      f"{zaak_tries} zaak and {rol_tries} rol requests")
PY
# 3. The sink's credentials refused (401): every task waits, none fails for
# good; a 400 about the task itself fails it at once, never retried.
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }
for mode in 401 400; do
	"$RECEIVER" --log "$WORK/s$mode.log" --mode "status=$mode" >"$WORK/s$mode.url" &
	pids+=($!)
	for _ in $(seq 1 100); do [[ -s $WORK/s$mode.url ]] && break; sleep 0.05; done
	url=$(head -n 1 "$WORK/s$mode.url")
	out=$("$SEND" --url "${url%/hook}" --n 5 --zgw "$WORK/zgw.secret" --max-seconds 3) || true
	if [[ $mode == 401 ]]; then
		[[ $(field failed "$out") -eq 0 && $(field pending "$out") -eq 5 &&
			$(field retried "$out") -ge 5 ]] || fail "401: $out"
	else
		[[ $(field failed "$out") -eq 5 && $(field retried "$out") -eq 0 &&
			$(wc -l <"$WORK/s400.log") -eq 5 ]] || fail "400: $out"
	fi
done
echo "1 passed, 0 failed"
