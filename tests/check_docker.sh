#!/usr/bin/env bash
# check_docker.sh VROEG - static checks of docker/ (no Docker engine here):
# every COPY source exists, the build installs what scripts/bootstrap.sh installs,
# the runtime stage installs the package of every shared library vroeg links,
# the runtime image does not run as root, its default command is valid, and the
# compose file's service config passes `vroeg run --check`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
df=$root/docker/Dockerfile
fail() { echo "check_docker: $*" >&2; exit 1; }

[[ -f $df ]] || fail "missing $df"
grep -q '^FROM debian:12' "$df" || fail "base image is not Debian 12"
while read -r src; do
	[[ $src == . ]] && continue
	[[ -e $root/$src ]] || fail "COPY source $src does not exist"
done < <(grep -E '^COPY ' "$df" | grep -v -- '--from=' | awk '{print $2}')
devs=$(sed -n '/^build_packages=(/,/^)/p' "$root/scripts/bootstrap.sh" | tr -d '()' | tr ' \t' '\n\n' | grep -E '^lib.*-dev$' || true)
[[ $(wc -w <<< "$devs") -ge 3 ]] || fail "cannot read build_packages from scripts/bootstrap.sh"
for p in $devs; do
	grep -q "$p" "$df" || fail "build stage lacks $p (scripts/bootstrap.sh installs it)"
done
grep -Eq '^USER [a-z]' "$df" || fail "runtime image runs as root"
# Every library the binary needs (DT_NEEDED) comes from a package the runtime
# stage installs, or from debian:12-slim itself.
base="libc6 libgcc-s1 zlib1g libzstd1 liblz4-1 liblzma5"
runtime=$(sed -n '/^FROM debian:12-slim$/,$p' "$df")
while read -r lib; do
	# (awk reads to the end: leaving early could kill ldconfig with SIGPIPE,
	# which pipefail would turn into a silent exit)
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !p {p = $NF} END {print p}')
	[[ -n $path ]] || fail "cannot find $lib"
	pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p') ||
		pkg=$(dpkg -S "$path" | sed -n '1s/:.*//p')
	[[ " $base " == *" $pkg "* ]] && continue
	# The sanitizer runtimes of the test suite's ASan build are not in a release.
	[[ $pkg == libasan* || $pkg == libubsan* ]] && continue
	grep -q "\b$pkg\b" <<<"$runtime" || fail "runtime stage lacks $pkg (for $lib)"
done < <(objdump -p "$1" | awk '/NEEDED/ {print $2}')
# The default command must be a verb vroeg has.
verb=$(grep -E '^CMD' "$df" | grep -o '"[a-z-]*"' | sed -n '1s/"//gp')
"$1" "$verb" --help >/dev/null || fail "default verb $verb not accepted"
for f in $(grep -E '^CMD' "$df" | grep -o '/usr/share/vroeg/examples/[^"]*' || true); do
	[[ -e $root/examples/${f#/usr/share/vroeg/examples/} ]] || fail "CMD names missing $f"
done
# The compose file's service: its config file is in the image and passes
# the service's own check with the compose environment (keys replaced by
# local stand-ins, as the secrets exist only where it is deployed).
compose=$root/docker/compose.yaml
[[ -f $compose ]] || fail "missing $compose"
conf=$(grep -o '/usr/share/vroeg/examples/[^"]*\.conf' "$compose" | sed -n 1p)
[[ -n $conf && -e $root/examples/${conf#/usr/share/vroeg/examples/} ]] || fail "compose names a missing config"
for v in KAFKA_BOOTSTRAP_SERVERS STORE_URL ENGINE_KEY_FILE ENGINE_CONTACT_KEY_FILE; do
	grep -q "VROEG_$v:" "$compose" || fail "compose does not set VROEG_$v"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(umask 077 && head -c 32 /dev/urandom >"$tmp/contact.key" && head -c 32 /dev/urandom >"$tmp/key")
# The image's /var/lib/vroeg is not here: the output files go to a local stand-in too
# (--check refuses an output path that cannot be opened).
VROEG_ENGINE_KEY_FILE=$tmp/key VROEG_ENGINE_CONTACT_KEY_FILE=$tmp/contact.key \
	VROEG_OUTPUT_DECISIONS=$tmp/decisions.jsonl VROEG_OUTPUT_CASES=$tmp/cases.jsonl \
	"$1" run -c "$root/examples/${conf#/usr/share/vroeg/examples/}" --check >/dev/null ||
	fail "the compose service's config does not pass vroeg run --check"
echo "docker: ok"
