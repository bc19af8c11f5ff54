#!/usr/bin/env bash
# demo.sh - build vroeg and run its main job on the embedded default:
# replay of the bundled sample signals, decisions on stdout, summary on stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
exec "$root/build/vroeg" replay --key-file "$root/examples/demo.key" --municipality 0344 \
	"$root/examples/signals-sample.jsonl" "$@"
