#!/usr/bin/env bash
# test.sh - the whole test suite: a normal build and an AddressSanitizer +
# UndefinedBehaviorSanitizer build, each running every CTest test, and a
# short libFuzzer run over the rule-file and signal parsers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

echo "== Prism (the ZGW contract's mock server, for the zgw sink's test)"
"$root/scripts/prism.sh"
echo "== build (RelWithDebInfo, warnings as errors)"
"$root/scripts/build.sh" "$root/build" -DVROEG_WERROR=ON
echo "== build (ASan + UBSan)"
"$root/scripts/build.sh" "$root/build-asan" -DVROEG_SANITIZE=ON -DVROEG_WERROR=ON \
	-DCMAKE_BUILD_TYPE=Debug

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== fuzz (libFuzzer, briefly)"
"$root/scripts/fuzz.sh" "${FUZZ_SECONDS:-15}"
echo "== tests (sanitizers)"
# kafka_scale's live run of several instances, a third of its size under the
# sanitizers (it runs four times as slow there; the plain pass runs it whole).
(cd "$root/build-asan" && SCALE_HOUSEHOLDS=${SCALE_HOUSEHOLDS:-1000} \
	ctest -j"$jobs" --output-on-failure --timeout 600)
echo "== tests"
(cd "$root/build" && ctest -j"$jobs" --output-on-failure --timeout 600)
