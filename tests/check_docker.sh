#!/usr/bin/env bash
# check_docker.sh - static checks of docker/Dockerfile (no Docker engine here):
# every COPY source exists, the build installs what scripts/bootstrap.sh installs,
# the runtime image does not run as root, and its default command is valid.
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
# The default command must name files the image contains and a verb vroeg has.
grep -q '"replay"' "$df" && "$1" replay --help >/dev/null || fail "default verb not accepted"
for f in $(grep -E '^CMD' "$df" | grep -o '/usr/share/vroeg/examples/[^"]*'); do
	[[ -e $root/examples/${f#/usr/share/vroeg/examples/} ]] || fail "CMD names missing $f"
done
echo "docker: ok"
