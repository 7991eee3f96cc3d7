#!/usr/bin/env bash
# Runs the libFuzzer target for N seconds (default 60) from the seed corpus in
# testing/fuzz/corpus plus the hostile seeds of hostile_seeds.py. Uses the fuzzer built in
# build-asan (clang, DDBD_FUZZ=ON, as scripts/test.sh configures it) or the binary named by
# FUZZ_BIN. Exits non-zero on a crash, a sanitizer report, a 500 or a timeout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_TO_RUN=${1:-60}
OUT=${FUZZ_OUT:-/tmp/ddbd-fuzz}
BIN=${FUZZ_BIN:-$ROOT/build-asan/fuzz_dispatcher}
mkdir -p "$OUT/corpus" "$OUT/hostile"
cp -n "$ROOT"/testing/fuzz/corpus/* "$OUT/corpus/" 2>/dev/null || true
/usr/bin/python3 "$ROOT/testing/fuzz/hostile_seeds.py" "$OUT/hostile"
export UBSAN_OPTIONS="suppressions=$ROOT/testing/ubsan.supp:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=0"
# First every hostile seed once at full size (fuzzing truncates inputs to -max_len)...
"$BIN" -timeout=10 -rss_limit_mb=4096 "$OUT"/hostile/* > "$OUT/hostile.log" 2>&1 ||
  { tail -40 "$OUT/hostile.log"; exit 1; }
cp -n "$OUT"/hostile/* "$OUT/corpus/"
# ...then mutations of everything for the time given.
"$BIN" -artifact_prefix="$OUT/" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 \
  -rss_limit_mb=4096 -print_final_stats=1 "$OUT/corpus" 2>&1 | tail -25
