#!/usr/bin/env bash
# Builds ddbd and runs every test: the Catch2 unit tests (plain, and under ASan/UBSan built with
# clang), then the conformance suites (boto3/pytest, JavaScript SDK v3, Go SDK v2, AWS CLI)
# against a running ddbd in memory, the boto3 suite again against a persistent ddbd and against
# the sanitizer build, a minute of libFuzzer with hostile seeds, and the container test when a
# container runtime is available. Installs what it needs on Debian
# bookworm. Exits non-zero if anything failed; the last line sums up every test counted.
set -uo pipefail
DDBD_ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$DDBD_ROOT/scripts/deps.sh"
set -e
ddbd_install_build_deps
ddbd_install_test_deps
set +e

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Paths relative to the checkout, so a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR="$DDBD_ROOT" CCACHE_NOHASHDIR=true
LOGS=$(mktemp -d /tmp/ddbd-test.XXXXXX)
PASSED=0
FAILED=0
FAILURES=()

note() { printf '\n== %s\n' "$*"; }
count() {  # count SUITE PASSED FAILED EXIT
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  if [ "$3" -gt 0 ] || [ "$4" -ne 0 ]; then
    FAILURES+=("$1")
    [ "$3" -eq 0 ] && FAILED=$((FAILED + 1))  # a suite that crashed counts as a failure
  fi
}

note "building (release and ASan/UBSan)"
ddbd_build "$DDBD_ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo || exit 1
# The sanitizer build uses clang so that it also builds the libFuzzer target.
CC=clang CXX=clang++ ddbd_build "$DDBD_ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DDDBD_SANITIZE=ON \
  -DDDBD_FUZZ=ON || exit 1

run_ctest() {  # run_ctest NAME DIR
  note "unit tests: $1"
  local out="$LOGS/ctest-$1.log"
  # Catch2 prints its own counts; ctest sums binaries. Count Catch2 test cases.
  ctest --test-dir "$2" --output-on-failure -V > "$out" 2>&1
  local rc=$?
  grep -E "(All tests passed|test cases:)" "$out" | sed -E "s/^[0-9]+: /  /"
  local p f
  p=$(grep -oE "All tests passed \([0-9]+ assertions in [0-9]+ test cases\)" "$out" |
      grep -oE "[0-9]+ test cases" | grep -oE "[0-9]+" | awk '{s+=$1} END {print s+0}')
  local partial
  partial=$(grep -E "^([0-9]+: )?test cases:" "$out" | sed -E 's/.*\| *([0-9]+) passed \| *([0-9]+) failed.*/\1 \2/')
  f=0
  while read -r pp ff; do
    [ -z "$pp" ] && continue
    p=$(( ${p:-0} + pp )); f=$((f + ff))
  done <<< "$partial"
  [ $rc -ne 0 ] && tail -40 "$out"
  count "unit tests ($1)" "${p:-0}" "$f" "$rc"
}

DDBD_PID=
start_ddbd() {  # start_ddbd BINARY ARGS... ; sets DDBD_ENDPOINT
  local log="$LOGS/ddbd-$RANDOM.log"
  "$@" --host 127.0.0.1 --port 0 > "$log" 2>&1 &
  DDBD_PID=$!
  for _ in $(seq 1 200); do
    local port
    port=$(grep -oE "listening on 127\.0\.0\.1:[0-9]+" "$log" | grep -oE "[0-9]+$")
    if [ -n "$port" ]; then
      export DDBD_ENDPOINT="http://127.0.0.1:$port"
      curl -sf "$DDBD_ENDPOINT/" >/dev/null && return 0
    fi
    sleep 0.05
  done
  echo "ddbd did not start:"; cat "$log"
  return 1
}
stop_ddbd() {  # SIGTERM must drain and exit 0
  kill -TERM "$DDBD_PID" 2>/dev/null
  wait "$DDBD_PID"
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "ddbd exited with $rc after SIGTERM"
    count "ddbd clean shutdown" 0 1 1
  fi
}

run_pytest() {  # run_pytest NAME [pytest args...]
  local name="$1"; shift
  note "boto3/pytest: $name"
  local out="$LOGS/pytest-$RANDOM.log"
  (cd "$DDBD_ROOT/conformance-tests/python" &&
   /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@") > "$out" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && grep -E "^(FAILED|ERROR)" "$out" | head -40
  local last
  last=$(tail -1 "$out"); echo "  $last"
  local p f
  p=$(echo "$last" | grep -oE "[0-9]+ passed" | grep -oE "[0-9]+")
  f=$(echo "$last" | grep -oE "[0-9]+ (failed|error|errors)" | grep -oE "[0-9]+" | awk '{s+=$1} END {print s+0}')
  [ $rc -eq 5 ] && rc=1  # "no tests collected" is a failure here
  count "pytest ($name)" "${p:-0}" "${f:-0}" "$rc"
}

run_js() {
  note "JavaScript SDK v3 (node --test)"
  local out="$LOGS/js.log"
  (cd "$DDBD_ROOT/conformance-tests/js" && node --test) > "$out" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && grep -E "^not ok|Error|expected|actual" "$out" | head -40
  local p f
  p=$(grep -E "^# pass" "$out" | grep -oE "[0-9]+")
  f=$(grep -E "^# fail" "$out" | grep -oE "[0-9]+")
  echo "  ${p:-0} passed, ${f:-0} failed"
  count "node --test" "${p:-0}" "${f:-0}" "$rc"
}

run_go() {
  note "Go SDK v2 (go test, offline GOPATH build)"
  local out="$LOGS/go.log"
  bash "$DDBD_ROOT/conformance-tests/go/run.sh" > "$out" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && grep -E "^(--- FAIL|FAIL|panic)|_test.go:[0-9]+" "$out" | head -40
  local last p f
  last=$(tail -1 "$out"); echo "  $last"
  p=$(echo "$last" | grep -oE "^[0-9]+ passed" | grep -oE "[0-9]+")
  f=$(echo "$last" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+")
  count "go test" "${p:-0}" "${f:-0}" "$rc"
}

run_fuzz() {
  note "libFuzzer: hostile seeds, then ${FUZZ_SECONDS:-60} s of mutations (ASan/UBSan)"
  local out="$LOGS/fuzz.log"
  FUZZ_OUT="$LOGS/fuzz" bash "$DDBD_ROOT/testing/fuzz/run.sh" "${FUZZ_SECONDS:-60}" > "$out" 2>&1
  local rc=$?
  grep -E "^(Done|stat::number_of_executed_units)" "$out" | sed 's/^/  /'
  if [ $rc -ne 0 ]; then
    tail -40 "$out"
    count "fuzzing" 0 1 1
  else
    count "fuzzing" 1 0 0
  fi
}

run_cli() {
  note "AWS CLI smoke"
  local out="$LOGS/cli.log"
  bash "$DDBD_ROOT/conformance-tests/cli/smoke.sh" > "$out" 2>&1
  local rc=$?
  [ $rc -ne 0 ] && tail -20 "$out"
  local last p f
  last=$(tail -1 "$out"); echo "  $last"
  p=$(echo "$last" | grep -oE "^[0-9]+ passed" | grep -oE "[0-9]+")
  f=$(echo "$last" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+")
  count "aws cli smoke" "${p:-0}" "${f:-0}" "$rc"
}

note "format (clang-format, .clang-format)"
unformatted=$(cd "$DDBD_ROOT" && find storage api server testing \( -name '*.cc' -o -name '*.h' \) -print0 |
              xargs -0 clang-format --dry-run 2>&1 | grep -oE "^[^:]+\.(cc|h)" | sort -u)
if [ -z "$unformatted" ]; then
  echo "  all C++ sources formatted"
  count "clang-format" 1 0 0
else
  echo "  not formatted (run clang-format -i):"; echo "$unformatted" | sed 's/^/    /'
  count "clang-format" 0 1 1
fi

run_ctest release "$DDBD_ROOT/build"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
export UBSAN_OPTIONS="suppressions=$DDBD_ROOT/testing/ubsan.supp:print_stacktrace=1:halt_on_error=1"
run_ctest asan "$DDBD_ROOT/build-asan"

export DDBD_BIN="$DDBD_ROOT/build/ddbd"
note "conformance against ddbd in memory"
if start_ddbd "$DDBD_ROOT/build/ddbd" --in-memory; then
  run_pytest "in memory"
  run_js
  run_go
  run_cli
  stop_ddbd
else
  count "start ddbd" 0 1 1
fi

note "conformance against ddbd persistent"
DATA=$(mktemp -d /tmp/ddbd-data.XXXXXX)
if start_ddbd "$DDBD_ROOT/build/ddbd" --db-path "$DATA"; then
  run_pytest "persistent" --ignore=test_durability.py --ignore=test_lost_update.py
  stop_ddbd
else
  count "start ddbd (persistent)" 0 1 1
fi
rm -rf "$DATA"

note "conformance against the ASan/UBSan build"
if start_ddbd "$DDBD_ROOT/build-asan/ddbd" --in-memory; then
  DDBD_BIN="$DDBD_ROOT/build-asan/ddbd" run_pytest "asan" --ignore=test_lost_update.py
  stop_ddbd
else
  count "start ddbd (asan)" 0 1 1
fi

run_fuzz

if [ -x "$DDBD_ROOT/docker/test.sh" ]; then
  note "container image"
  out="$LOGS/docker.log"
  bash "$DDBD_ROOT/docker/test.sh" 2>&1 | tee "$out" | tail -20
  rc=${PIPESTATUS[0]}
  last=$(tail -1 "$out")
  p=$(echo "$last" | grep -oE "^[0-9]+ passed" | grep -oE "[0-9]+")
  f=$(echo "$last" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+")
  count "container test" "${p:-0}" "${f:-0}" "$rc"
fi

note "summary (logs in $LOGS)"
if [ ${#FAILURES[@]} -gt 0 ]; then
  printf 'failed suites: %s\n' "${FAILURES[*]}"
fi
echo "total: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ ${#FAILURES[@]} -eq 0 ]
