#!/usr/bin/env bash
# demo.sh - build vroeg and run its main job on the embedded default:
# `vroeg demo`, the streaming service end to end on an in-process Kafka mock
# cluster (no servers): partner topics in their own formats, the engine, the
# team's worklist, counts per status and the dead letters.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
exec "$root/build/vroeg" demo "$@"
