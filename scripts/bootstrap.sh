#!/usr/bin/env bash
# bootstrap.sh - install the Debian 12 packages vroeg builds and tests with.
# Installs only what is missing; safe to run again.  Needs root (or sudo).
set -euo pipefail

# What vroeg builds with (docker/Dockerfile's build stage installs the same).
build_packages=(
	build-essential cmake pkg-config
	libcjson-dev libssl-dev
	librdkafka-dev libhiredis-dev libcurl4-openssl-dev libcsv-dev libsodium-dev libjwt-dev
)
# What the tests need on top: clang's libFuzzer (scripts/fuzz.sh), a real redis-server,
# kcat as the partners' Kafka client, libmicrohttpd for the webhook receiver,
# python3-jsonschema to check every task against docs/task.schema.json.
test_packages=(clang-14 libclang-rt-14-dev redis-server redis-tools kcat libmicrohttpd-dev
	python3-jsonschema)
packages=("${build_packages[@]}" "${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || { echo "bootstrap: need root to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
