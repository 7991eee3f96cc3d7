#!/usr/bin/env bash
# Runs the AWS SDK for Go v2 conformance tests (conformance-tests/go/ddbdtest) against the
# DynamoDB endpoint in DDBD_ENDPOINT (default http://127.0.0.1:8000). The server must already be
# running; this script does not start one.
#
# Toolchain: Debian's golang-go and golang-github-aws-aws-sdk-go-v2-dev, installed with apt-get
# if missing (as root). The build is offline, in GOPATH mode: GOPATH is a cache directory whose
# src/ddbdtest links to the tests, followed by /usr/share/gocode where Debian puts the SDK.
# No module proxy, no vendoring, no network.
#
# Output: go test -v as usual, then one last line "N passed, N failed", counting every
# "--- PASS" and "--- FAIL" line (tests and subtests alike; skips are neither). A run that fails
# without any "--- FAIL" line (build error, panic, timeout) counts as 1 failed. Exit status is
# go test's (non-zero on any failure).
#
# Usage: DDBD_ENDPOINT=http://127.0.0.1:8000 conformance-tests/go/run.sh [extra go test args]
#        e.g. ... run.sh -run 'TestOptimistic|TestNoLost'
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DDBD_ENDPOINT="${DDBD_ENDPOINT:-http://127.0.0.1:8000}"

debs=(golang-go golang-github-aws-aws-sdk-go-v2-dev)
missing=()
for p in "${debs[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: missing Debian packages ${missing[*]}; install them as root" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "run.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2 || {
      echo "run.sh: apt-get install ${missing[*]} failed" >&2
      echo "0 passed, 1 failed"
      exit 1
    }
  fi
fi

# A GOPATH per checkout (so two worktrees never share the ddbdtest link), outside the repository.
cache_root="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ddbd-go-conformance"
checkout_id="$(printf '%s' "$here" | md5sum | cut -c1-12)"
gopath="$cache_root/gopath-$checkout_id"
mkdir -p "$gopath/src" "$cache_root/go-build"
ln -sfn "$here/ddbdtest" "$gopath/src/ddbdtest"

export GOPATH="$gopath:/usr/share/gocode"
export GOCACHE="$cache_root/go-build"
export GO111MODULE=off GOPROXY=off GOFLAGS= GONOSUMDB= GOTOOLCHAIN=local CGO_ENABLED=0
unset GOROOT GOBIN

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

cd "$gopath/src/ddbdtest"
go test -v -count=1 -timeout 10m "$@" ddbdtest 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -cE '^[[:space:]]*--- PASS' "$log")
failed=$(grep -cE '^[[:space:]]*--- FAIL' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
