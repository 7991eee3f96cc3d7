#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) and runs it for N seconds (default 60)
# from the seed corpus in testing/fuzz/corpus. Not part of CI (it is open-ended); run it after
# touching the parser, the wire layer or the store.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_TO_RUN=${1:-60}
OUT=${FUZZ_OUT:-/tmp/ddbd-fuzz}
mkdir -p "$OUT/corpus"
cp -n "$ROOT"/testing/fuzz/corpus/* "$OUT/corpus/" 2>/dev/null || true
SOURCES=$(cd "$ROOT" && ls storage/*.cc api/*.cc api/expressions/*.cc api/operations/*.cc api/wire/*.cc | grep -v _test.cc)
(cd "$ROOT" && clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined  \
  -I. -o "$OUT/fuzz_dispatcher" testing/fuzz/fuzz_dispatcher.cc $SOURCES -lrocksdb -lpthread)
# RapidJSON 1.1 offsets a null pointer inside its internal stack (harmless, fixed upstream later):
# silence that one report so the fuzzer can look for real ones.
echo "pointer-overflow:rapidjson/internal/stack.h" > "$OUT/ubsan.supp"
export UBSAN_OPTIONS="suppressions=$OUT/ubsan.supp:print_stacktrace=1:halt_on_error=1"
"$OUT/fuzz_dispatcher" -artifact_prefix="$OUT/" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=5 \
  -rss_limit_mb=4096 "$OUT/corpus"
