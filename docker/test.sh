#!/usr/bin/env bash
# Container test: builds the ddbd image with podman (from docker/Dockerfile), runs it and checks
# what a user replacing amazon/dynamodb-local relies on: the health line, the optimistic-locking
# scenario through boto3, a non-root user, SIGTERM → exit 0 within 2 s, a persistent volume that
# survives a container restart, the health check inside the image. Reports image size and
# start-to-first-response time. Ends with "N passed, N failed".
#
# No image registry is reachable here: when debian:bookworm cannot be pulled, its root file
# system is built with debootstrap (cached in $DDBD_CACHE) and imported. Set
# DDBD_CONTAINER_TEST=skip to skip (the test command then says so).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${DDBD_CACHE:-/var/cache/ddbd-container}
IMAGE=ddbd:test
PASSED=0
FAILED=0
CONTAINERS=()
VOLUME="ddbd-test-vol-$$"

pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
finish() {
  for c in "${CONTAINERS[@]:-}"; do [ -n "$c" ] && podman rm -f "$c" >/dev/null 2>&1; done
  podman volume rm -f "$VOLUME" >/dev/null 2>&1
  echo "$PASSED passed, $FAILED failed"
}
trap finish EXIT

if [ "${DDBD_CONTAINER_TEST:-}" = "skip" ]; then
  echo "container test skipped: DDBD_CONTAINER_TEST=skip"
  trap - EXIT
  echo "0 passed, 0 failed"
  exit 0
fi

# podman, runc and debootstrap from Debian, when missing.
missing=()
for p in podman runc debootstrap; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    { fail "cannot install ${missing[*]}"; exit 1; }
fi

# This sandbox cannot raise rlimits and has hybrid cgroups: runc, fixed ulimits, cgroupfs.
mkdir -p "$CACHE"
cat > "$CACHE/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$CACHE/containers.conf"

if ! podman info > "$CACHE/podman-info.log" 2>&1; then
  reason=$(tail -1 "$CACHE/podman-info.log")
  if [ "${CI:-}" = "true" ]; then
    fail "podman cannot run on the CI machine: $reason"
    exit 1
  fi
  echo "container test skipped: podman cannot run on this machine: $reason"
  trap - EXIT
  echo "0 passed, 0 failed"
  exit 0
fi

base=docker.io/library/debian:bookworm
if ! podman image exists "$base"; then
  if ! timeout 30 podman pull -q "$base" >/dev/null 2>&1; then
    rootfs="$CACHE/debian-bookworm-rootfs.tar"
    if [ ! -s "$rootfs" ]; then
      echo "== no registry: building the debian:bookworm base with debootstrap (cached in $CACHE)"
      tmp=$(mktemp -d)
      mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
               grep -oE 'https?://[^ ]+/debian/?$|https?://[^ ]+/debian/? ' | grep -v security | head -1 | tr -d ' ')
      debootstrap --variant=minbase bookworm "$tmp" "${mirror:-http://deb.debian.org/debian}" >/dev/null ||
        { fail "debootstrap failed"; rm -rf "$tmp"; exit 1; }
      tar -C "$tmp" -cf "$rootfs.part" . && mv "$rootfs.part" "$rootfs"
      rm -rf "$tmp"
    fi
    podman import -q "$rootfs" "$base" >/dev/null || { fail "podman import failed"; exit 1; }
  fi
fi

echo "== building $IMAGE"
build_start=$(date +%s)
if podman build -q --pull=never --network=host --format docker -f "$ROOT/docker/Dockerfile" \
     -t "$IMAGE" "$ROOT" > "$CACHE/build.log" 2>&1; then
  pass "image builds ($(( $(date +%s) - build_start )) s)"
else
  tail -30 "$CACHE/build.log"
  fail "image build"
  exit 1
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$(awk -v s="$size" 'BEGIN {printf "%.1f", s / 1000000}')
echo "image size: $size_mb MB"
if [ "$size" -le 25000000 ]; then pass "image size $size_mb MB <= 25 MB"; else fail "image size $size_mb MB > 25 MB"; fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# run_container NAME PORT [podman options...] -- [ddbd arguments...]: host networking (this
# sandbox has no container networking); -port picks the port.
run_container() {
  local name=$1 port=$2
  shift 2
  local opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  # (podman's health-check timers need systemd, absent here: its complaints go to the log.)
  podman run -d --name "$name" --network host "${opts[@]}" "$IMAGE" "$@" -port "$port" \
    >/dev/null 2>>"$CACHE/podman.log"
}

wait_healthy() {  # wait_healthy PORT → prints milliseconds until the first answer
  local port=$1 start=$(date +%s%N)
  for _ in $(seq 1 400); do
    if curl -sf "http://127.0.0.1:$port/" >/dev/null 2>&1; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.005
  done
  return 1
}

# 1. In-memory container: health, start time, user, locking scenario, health check, SIGTERM.
port=$(free_port)
name="ddbd-test-mem-$$"
CONTAINERS+=("$name")
start=$(date +%s%N)
run_container "$name" "$port" -- -inMemory || fail "podman run"
if wait_healthy "$port" >/dev/null; then
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "start to first response (podman run included): $ms ms"
  podman logs "$name" 2>&1 | grep -oE "ready in [0-9.]+ ms" | sed 's/^/ddbd inside the container: /'
  pass "container answers on GET / ($ms ms after podman run)"
else
  fail "container never answered"; podman logs "$name" | tail -20; exit 1
fi
body=$(curl -s -H "Host: dynamodb.local:$port" "http://127.0.0.1:$port/")
[ "$body" = "healthy: dynamodb.local:$port" ] && pass "health line: $body" || fail "health line: '$body'"

uid=$(podman top "$name" huser 2>/dev/null | tail -1 | tr -d ' ')
cuser=$(podman inspect --format '{{.Config.User}}' "$IMAGE")
if [ "$cuser" = "65532:65532" ] && [ -n "$uid" ] && [ "$uid" != "root" ] && [ "$uid" != "0" ]; then
  pass "runs as non-root (image user $cuser, process user $uid)"
else
  fail "non-root: image user '$cuser', process user '$uid'"
fi

if podman exec "$name" /ddbd --health-check --port "$port" >/dev/null 2>&1; then
  pass "ddbd --health-check inside the image"
else
  fail "ddbd --health-check inside the image"
fi
# The image's own HEALTHCHECK probes port 8000: run it against a container on 8000 when free.
if ! curl -s "http://127.0.0.1:8000/" >/dev/null 2>&1; then
  hc="ddbd-test-hc-$$"
  CONTAINERS+=("$hc")
  podman run -d --name "$hc" --network host "$IMAGE" >/dev/null 2>>"$CACHE/podman.log"
  wait_healthy 8000 >/dev/null
  if podman healthcheck run "$hc" >/dev/null 2>>"$CACHE/podman.log"; then
    pass "the image's HEALTHCHECK reports healthy"
  else
    fail "the image's HEALTHCHECK"
  fi
  podman rm -f "$hc" >/dev/null 2>&1
else
  echo "port 8000 is busy: the image's HEALTHCHECK (which probes 8000) is not run"
fi

if DDBD_ENDPOINT="http://127.0.0.1:$port" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
     "$ROOT/conformance-tests/python/test_optimistic_locking.py" -k "seed" > "$CACHE/locking.log" 2>&1; then
  pass "optimistic-locking seed scenario via boto3 ($(tail -1 "$CACHE/locking.log"))"
else
  tail -15 "$CACHE/locking.log"; fail "optimistic-locking seed scenario"
fi

t0=$(date +%s%N)
podman stop -t 2 "$name" >/dev/null 2>&1
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
code=$(podman inspect --format '{{.State.ExitCode}}' "$name")
if [ "$code" = "0" ] && [ "$elapsed" -lt 2000 ]; then
  pass "SIGTERM: exit 0 after $elapsed ms"
else
  fail "SIGTERM: exit code $code after $elapsed ms"
fi

# 2. Persistent volume survives a container restart (DynamoDB Local's command line as written).
podman volume create "$VOLUME" >/dev/null
port=$(free_port)
aws_env="AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s AWS_DEFAULT_REGION=us-east-1"
ddb() { env $aws_env /usr/bin/python3 - "$port" "$@"; }
name="ddbd-test-vol1-$$"
CONTAINERS+=("$name")
run_container "$name" "$port" -v "$VOLUME:/data" -- -jar DynamoDBLocal.jar -sharedDb -dbPath /data
if ! wait_healthy "$port" >/dev/null; then fail "persistent container never answered"; podman logs "$name" | tail; exit 1; fi
ddb <<'PY' && pass "wrote a table and an item to /data" || fail "writing to the persistent container"
import sys, boto3
c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}")
c.create_table(TableName="kept", BillingMode="PAY_PER_REQUEST",
               KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
c.put_item(TableName="kept", Item={"pk": {"S": "a"}, "version": {"N": "7"}})
PY
podman stop -t 2 "$name" >/dev/null 2>&1
name="ddbd-test-vol2-$$"
CONTAINERS+=("$name")
run_container "$name" "$port" -v "$VOLUME:/data" -- -sharedDb -dbPath /data
if ! wait_healthy "$port" >/dev/null; then fail "restarted container never answered"; exit 1; fi
ddb <<'PY' && pass "the item survived a container restart" || fail "the item did not survive a restart"
import sys, boto3
c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}")
item = c.get_item(TableName="kept", Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
assert item["version"] == {"N": "7"}, item
PY
podman stop -t 2 "$name" >/dev/null 2>&1
[ "$FAILED" -eq 0 ]
