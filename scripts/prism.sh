#!/usr/bin/env bash
# prism.sh - install Prism (npm @stoplight/prism-cli), the mock server that
# serves the ZGW Zaken API contract and validates every request the zgw
# sink's test makes against it (tests/http/sink_zgw.sh).  Installs Node.js
# and npm from Debian first when they are missing.  Safe to run again.
set -euo pipefail
dir=${VROEG_PRISM_DIR:-/opt/vroeg-test/prism}
version=5.16.0
[[ -x $dir/node_modules/.bin/prism ]] && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
if ! command -v npm >/dev/null; then
	echo "prism: installing nodejs npm" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "prism: installing @stoplight/prism-cli@$version into $dir" >&2
"${sudo[@]}" mkdir -p "$dir"
"${sudo[@]}" npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
	"@stoplight/prism-cli@$version" >/dev/null
[[ -x $dir/node_modules/.bin/prism ]] || { echo "prism: not installed" >&2; exit 1; }
