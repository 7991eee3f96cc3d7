#!/usr/bin/env bash
# ddbd benchmark (issue 3 point 5): throughput and latency on loopback with keep-alive, in one run,
# against three servers:
#   ddbd      build/ddbd --in-memory (I/O threads: ddbd's default, one per core, unless
#             BENCH_DDBD_THREADS is set)
#   dynalite  the npm package (pinned in bench/package.json), in memory, single node process
#   nginx     a fixed `return 200 '{}'` with keep-alive: the ceiling of this machine's HTTP stack.
#             worker_processes 2 by default (BENCH_NGINX_WORKERS): one per core, like ddbd's
#             default thread count, so the ceiling is what the machine can serve, not what one
#             core can.
# Workloads (wrk Lua scripts in bench/wrk/, requests in DynamoDB's wire format with a SigV4-shaped
# Authorization header and a fixed fake signature):
#   put        PutItem, ~200-byte items, every request a new key
#   get        GetItem over BENCH_GET_ITEMS preloaded items
#   update     UpdateItem with a version condition on distinct keys (mapper shape:
#              attribute_not_exists(#v) first, then #v = :expected)
#   contended  UpdateItem with a version condition on BENCH_HOT_KEYS hot keys; counts wins (200)
#              and conflicts (400 ConditionalCheckFailedException) and checks afterwards that the
#              hot keys' versions grew by exactly the number of wins (no lost update)
# and, for Query, Scan and indexes (issue 8; tables made by `tool.mjs setup-indexes`, only when
# one of these workloads is selected):
#   put-gsi    PutItem, ~200-byte items, new keys, on table bench-gsi: put's key schema plus two
#              GSIs (hash keys g1, g2; projection ALL), so each put also writes both indexes;
#              compare with put in the same run for the cost of index maintenance
#   query      Query of one whole partition (no Limit) of table bench-q (pk S, sk N;
#              BENCH_QUERY_PARTITIONS=100 partitions of BENCH_QUERY_ITEMS=100 ~200-byte items)
#   gsi-query  Query on bench-q's GSI g1-index, one whole index partition (100 items) per request
#   scan       Scan of bench-q (10,000 items), Limit BENCH_SCAN_LIMIT=1000: each request is one
#              page; every connection's worth of state follows LastEvaluatedKey and wraps to
#              the start; reported as pages/s (= req/s) and items/s
# and, for the batch and transaction operations (on table bench, like put and get):
#   batch-write    BatchWriteItem of 25 PutRequests, put's ~200-byte items, every item a new key;
#                  reported as req/s and items/s (= 25 x req/s); a 200 whose UnprocessedItems is
#                  not {} is a miss
#   batch-get      BatchGetItem of 100 distinct keys of get's BENCH_GET_ITEMS preloaded items (the
#                  next 100 of the thread's counter, threads interleaved; needs BENCH_GET_ITEMS >=
#                  100 x BENCH_THREADS); reported as req/s and items/s; a 200 with another number
#                  of items than 100 (or UnprocessedKeys not {}) is a miss
#   transact-write TransactWriteItems of 4 actions on new keys: two Puts (put's items), an Update
#                  ADD n :one, a ConditionCheck attribute_not_exists(pk) on a key never written.
#                  Run against ddbd only: dynalite has no transactions (its report row says so),
#                  and nginx is left out with it (no nginx row, so no "vs nginx" figure)
# Plus: heavy requests beside light ones (bench/heavy.py: a 15 MB PutItem, 100,000 legacy
# Expected entries, ADD of 30,000 set members to a 30,000-member set, a 300-operator condition;
# GetItem latency on fresh connections while each runs; BENCH_SKIP_HEAVY=1 skips it),
# startup time (spawn -> first successful ListTables, median of BENCH_STARTUP_RUNS), RSS idle
# (VmRSS after start) and RSS after BENCH_RSS_ITEMS ~200-byte items in persistent mode
# (ddbd --db-path, dynalite --path, in a temp dir), for ddbd and dynalite.
#
# Load: wrk with BENCH_THREADS=2 threads and BENCH_CONNECTIONS=32 connections (16 per thread):
# enough requests in flight to keep a 2-core server busy without measuring queueing alone; on a
# 2-core machine wrk and the server share the cores, which the report says.
#
# Order: the targets run side by side; each workload is measured on every target in turn, after
# all servers are idle (less than 5 % of a core over half a second), before the next workload.
# The two runs a ratio compares are seconds apart (the machine's speed drifts over minutes), and
# no run shares the cores with another server's leftover work.
#
# Output: a markdown table written to bench/results/latest.md (raw numbers in latest.tsv) and
# printed. Every run is bounded (-d BENCH_SECONDS, plus `timeout`), and every process the script
# starts is stopped on exit (trap).
#
# Usage: bench/run.sh                      (BENCH_SECONDS=10 by default)
#        BENCH_SECONDS=3 bench/run.sh      (a quick trial)
# Other knobs: BENCH_REPEAT (passes of the whole series on the same servers, default 1; each row
# is then the median run and each ratio the median of the passes' own ratios, every pass's
# figure listed beside it: one pass's ratio moves by a fifth from run to run on 2 cores),
# BENCH_WARMUP (s, default 2), BENCH_TARGETS ("ddbd dynalite nginx"),
# BENCH_WORKLOADS ("put put-gsi get update contended query gsi-query scan batch-write batch-get
# transact-write"; put-gsi and query .. scan were added by issue 8, the last three with the batch
# and transaction operations; put-gsi runs right after put, as the ratio of the two is issue 8's
# goal: with get, update and contended between them the two runs were minutes apart and one
# pass's ratio ranged from 50 to 93 %), BENCH_SKIP_RSS=1, BENCH_SKIP_STARTUP=1,
# BENCH_SKIP_HEAVY=1, DDBD_BIN (default build/ddbd).
# Issue 8's rows alone, against dynalite, three passes (about 7 minutes on 2 cores):
#   BENCH_WORKLOADS="put put-gsi query gsi-query scan" BENCH_TARGETS="ddbd dynalite" \
#   BENCH_SKIP_RSS=1 BENCH_SKIP_STARTUP=1 BENCH_SKIP_HEAVY=1 BENCH_SECONDS=8 BENCH_REPEAT=3 \
#   bench/run.sh
# The batch and transaction rows alone, beside put (about 2 minutes on 2 cores):
#   BENCH_WORKLOADS="put batch-write batch-get transact-write" BENCH_TARGETS="ddbd dynalite" \
#   BENCH_SKIP_RSS=1 BENCH_SKIP_STARTUP=1 BENCH_SKIP_HEAVY=1 BENCH_SECONDS=8 bench/run.sh
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")

# The command line as given, for the report (before anything below exports variables).
# (grep finds nothing when no BENCH_ variable is set: that must not end the script.)
COMMAND="$({ env | grep -E '^(BENCH_|DDBD_BIN=)' || true; } | sort | tr '\n' ' ')bench/run.sh"

SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-2}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-2}
GET_ITEMS=${BENCH_GET_ITEMS:-10000}
HOT_KEYS=${BENCH_HOT_KEYS:-16}
UPDATE_KEYS=${BENCH_UPDATE_KEYS:-4096}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-20}
RSS_ITEMS=${BENCH_RSS_ITEMS:-100000}
DDBD_THREADS=${BENCH_DDBD_THREADS:-}
TARGETS=${BENCH_TARGETS:-ddbd dynalite nginx}
WORKLOADS=${BENCH_WORKLOADS:-put put-gsi get update contended query gsi-query scan batch-write batch-get transact-write}
QUERY_PARTITIONS=${BENCH_QUERY_PARTITIONS:-100}
QUERY_ITEMS=${BENCH_QUERY_ITEMS:-100}
SCAN_LIMIT=${BENCH_SCAN_LIMIT:-1000}
REPEAT=${BENCH_REPEAT:-1}
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_REPEAT must be a positive integer" >&2; exit 1; }
DDBD_BIN=${DDBD_BIN:-$REPO/build/ddbd}
TABLE=bench
QUERY_TABLE=bench-q
GSI_TABLE=bench-gsi
TOOL="$BENCH_DIR/tool.mjs"
DYNALITE_CLI="$BENCH_DIR/node_modules/dynalite/cli.js"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- prerequisites ------------------------------------------------------------------------------
command -v node >/dev/null || die "node is required (Debian: apt-get install nodejs npm)"
[[ -x "$DDBD_BIN" ]] || die "$DDBD_BIN not found: build ddbd first (cmake -B build -G Ninja && ninja -C build)"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO=sudo
  log "installing ${missing[*]} (apt-get)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -f "$DYNALITE_CLI" ]]; then
  log "installing dynalite (npm ci in bench/)"
  (cd "$BENCH_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---- process bookkeeping --------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/ddbd-bench.XXXXXX)
PIDS=()

stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

forget_pid() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# start_bg LOG CMD...: runs CMD in the background, records its pid in LAST_PID and PIDS.
start_bg() {
  local logfile=$1
  shift
  "$@" >"$logfile" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# waited OUT CMD...: runs CMD (stdout to OUT, stderr to $WORK/last.err) as a tracked background
# child and waits for it. Bash runs an INT/TERM trap only after a foreground command ends (and
# wrk even treats Ctrl-C as "stop and report"), but `wait` returns at once, so an interrupt stops
# the script and the trap stops the child.
waited() {
  local out=$1 pid rc=0
  shift
  "$@" >"$out" 2>"$WORK/last.err" &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  if ((rc != 0)); then cat "$WORK/last.err" >&2; fi
  return $rc
}

# tool ARGS...: runs tool.mjs through waited, bounded by timeout; its output is left in
# $WORK/tool.out (read with tool_out). Not in $(...): a subshell would hide the child from the trap.
tool() {
  waited "$WORK/tool.out" timeout 900 node "$TOOL" "$@" || die "tool.mjs $1 failed"
}
tool_out() { cat "$WORK/tool.out"; }

write_nginx_conf() {
  local port=$1 dir="$WORK/nginx"
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<EOF
# Written by bench/run.sh: the fixed reply that is this machine's HTTP ceiling.
worker_processes $NGINX_WORKERS;
daemon off;
master_process on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 1000000000;
  client_body_buffer_size 64k;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type application/x-amz-json-1.0;
      return 200 '{}';
    }
  }
}
EOF
}

# start_target TARGET [persistent-dir]: starts a server on a free port; sets SRV_PID and SRV_URL.
start_target() {
  local target=$1 datadir=${2:-} port
  tool free-port
  port=$(tool_out)
  SRV_URL="http://127.0.0.1:$port"
  case $target in
    ddbd)
      local args=(--port "$port")
      if [[ -n $datadir ]]; then args+=(--db-path "$datadir"); else args+=(--in-memory); fi
      [[ -n $DDBD_THREADS ]] && args+=(--threads "$DDBD_THREADS")
      start_bg "$WORK/ddbd.log" "$DDBD_BIN" "${args[@]}"
      ;;
    dynalite)
      local args=(--port "$port" --host 127.0.0.1 --createTableMs 0 --deleteTableMs 0 --updateTableMs 0)
      [[ -n $datadir ]] && args+=(--path "$datadir")
      start_bg "$WORK/dynalite.log" node "$DYNALITE_CLI" "${args[@]}"
      ;;
    nginx)
      write_nginx_conf "$port"
      start_bg "$WORK/nginx.log" "$NGINX_BIN" -p "$WORK/nginx/" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf"
      ;;
  esac
  SRV_PID=$LAST_PID
  waited /dev/null timeout 60 node "$TOOL" wait "$SRV_URL" 20000 ||
    { cat "$WORK/$target.log" >&2 || true; die "$target did not start"; }
}

rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

META="$WORK/meta.tsv"
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }

RESULTS_DIR="$BENCH_DIR/results"
mkdir -p "$RESULTS_DIR"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

export LUA_PATH="$BENCH_DIR/wrk/?.lua;;"
export BENCH_TABLE=$TABLE BENCH_GET_ITEMS=$GET_ITEMS BENCH_HOT_KEYS=$HOT_KEYS BENCH_THREADS=$THREADS \
  BENCH_UPDATE_KEYS=$UPDATE_KEYS BENCH_QUERY_TABLE=$QUERY_TABLE BENCH_GSI_TABLE=$GSI_TABLE \
  BENCH_QUERY_PARTITIONS=$QUERY_PARTITIONS BENCH_QUERY_ITEMS=$QUERY_ITEMS BENCH_SCAN_LIMIT=$SCAN_LIMIT
NEEDS_INDEXES=""
for workload in $WORKLOADS; do
  [[ -f "$BENCH_DIR/wrk/$workload.lua" ]] || die "unknown workload $workload (no bench/wrk/$workload.lua)"
  case $workload in put-gsi | query | gsi-query | scan) NEEDS_INDEXES=1 ;; esac
  # batch-get's 100 keys per request are distinct only if the interleaved keys do not wrap.
  [[ $workload != batch-get ]] || ((GET_ITEMS >= 100 * THREADS)) ||
    die "batch-get needs BENCH_GET_ITEMS >= 100 x BENCH_THREADS ($((100 * THREADS)))"
done

# supported TARGET WORKLOAD: false for the workloads not run against a target (transact-write:
# ddbd only; dynalite has no transactions).
supported() {
  [[ $2 != transact-write || $1 == ddbd ]]
}

# run_wrk TARGET WORKLOAD: a warm-up, then the measured run; appends one line to $RESULTS.
run_wrk() {
  local target=$1 workload=$2 script="$BENCH_DIR/wrk/$2.lua" out line extra="" before after
  if ((WARMUP > 0)); then
    BENCH_RUN_ID="w$RANDOM$RANDOM" waited /dev/null timeout $((WARMUP + 30)) \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s -s "$script" "$SRV_URL" ||
      die "wrk warm-up failed: $target $workload"
  fi
  if [[ $workload == contended && $target != nginx ]]; then
    tool hot-sum "$SRV_URL" "$TABLE" "$HOT_KEYS"
    before=$(tool_out)
  fi
  BENCH_RUN_ID="m$RANDOM$RANDOM" waited "$WORK/wrk.out" timeout $((SECS + 60)) \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECS}s" --timeout 5s -s "$script" "$SRV_URL" ||
    die "wrk failed: $target $workload"
  [[ -s "$WORK/last.err" ]] && sed 's/^/  wrk: /' "$WORK/last.err" >&2
  kill -0 "$SRV_PID" 2>/dev/null || { cat "$WORK/$target.log" >&2 || true; die "$target died during $workload"; }
  line=$(sed -n 's/^BENCH_RESULT //p' "$WORK/wrk.out")
  [[ -n $line ]] || { cat "$WORK/wrk.out" >&2; die "no result from wrk: $target $workload"; }
  if [[ -n ${before:-} ]]; then
    tool hot-sum "$SRV_URL" "$TABLE" "$HOT_KEYS"
    after=$(tool_out)
    extra=" versions=$((after - before))"
  fi
  printf '%s\t%s\t%s%s\n' "$target" "$workload" "$line" "$extra" >>"$RESULTS"
  log "$target $workload: $(grep -o 'rps=[0-9.]*' <<<"$line") $(grep -o 'p99_us=[0-9]*' <<<"$line") $(grep -o 'items=[0-9]*' <<<"$line")$extra"
}

# ---- throughput and latency -----------------------------------------------------------------------
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta command "$COMMAND"
meta cpus "$(nproc)"
meta cpuModel "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
meta memory "$(awk '/^MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo)"
meta loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
meta seconds "$SECS"
meta passes "$REPEAT"
meta warmup "$WARMUP"
meta wrkThreads "$THREADS"
meta connections "$CONNECTIONS"
meta hotKeys "$HOT_KEYS"
meta nginxWorkers "$NGINX_WORKERS"
meta ddbdVersion "$("$DDBD_BIN" --version 2>&1 | awk '{ print $NF; exit }')"
meta ddbdArgs "in memory, ${DDBD_THREADS:-default} I/O threads"
meta dynaliteVersion "$(node -p "require('$BENCH_DIR/node_modules/dynalite/package.json').version")"
meta nodeVersion "$(node --version)"
meta nginxVersion "$("$NGINX_BIN" -v 2>&1 | sed 's/.*nginx\///')"
meta startupRuns "$STARTUP_RUNS"
meta rssItems "$RSS_ITEMS"
meta queryPartitions "$QUERY_PARTITIONS"
meta queryItems "$QUERY_ITEMS"
meta scanLimit "$SCAN_LIMIT"

log "work dir $WORK; ${SECS}s per run, ${WARMUP}s warm-up, wrk -t$THREADS -c$CONNECTIONS; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# cpu_ticks PID...: the CPU time (user + system, all threads) the processes and their children
# (nginx's workers) have used so far.
cpu_ticks() {
  local pid total=0 t
  for pid in "$@" $(for p in "$@"; do pgrep -P "$p" || true; done); do
    t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# quiesce PID...: waits (up to 20 s) until the servers are idle: less than 5 % of a core over half
# a second. A run then does not share the machine with another server's leftover work (RocksDB
# flushing what the previous row wrote, a garbage collection), whichever server it measures.
quiesce() {
  local hz before after
  hz=$(getconf CLK_TCK)
  for _ in $(seq 40); do
    before=$(cpu_ticks "$@")
    sleep 0.5
    after=$(cpu_ticks "$@")
    ((100 * (after - before) < 5 * hz / 2)) && return 0
  done
  log "servers still busy after 20 s; measuring anyway"
}

# All targets run side by side, each with its own tables, and each workload is measured on every
# target in turn (ddbd, dynalite, nginx, then the next workload), after the servers are idle. So
# the two runs a ratio compares are seconds apart, not minutes: this machine's speed drifts by
# +-15 % over minutes, which moved the ratios more than most changes did when every target ran
# its whole series before the next started. Each server still sees its workloads in the same order.
declare -A TARGET_PID TARGET_URL
for target in $TARGETS; do
  [[ -z ${TARGET_PID[$target]:-} ]] || die "BENCH_TARGETS names $target twice"
  start_target "$target"
  TARGET_PID[$target]=$SRV_PID
  TARGET_URL[$target]=$SRV_URL
  if [[ $target != nginx ]]; then
    sleep 1
    meta "rss.$target.idleKb" "$(rss_kb "$SRV_PID" VmRSS)"
    tool setup "$SRV_URL" "$TABLE" "$GET_ITEMS" "$HOT_KEYS"
    if [[ -n $NEEDS_INDEXES ]]; then
      log "$target: tables $QUERY_TABLE ($((QUERY_PARTITIONS * QUERY_ITEMS)) items, 2 GSIs) and $GSI_TABLE"
      tool setup-indexes "$SRV_URL" "$QUERY_TABLE" "$QUERY_PARTITIONS" "$QUERY_ITEMS" "$GSI_TABLE"
    fi
  fi
done
# BENCH_REPEAT passes of the whole series, each pass after the one before on the same servers: a
# row of the report is the median run, a ratio the median of the passes' ratios (tool.mjs).
for pass in $(seq "$REPEAT"); do
  ((REPEAT == 1)) || log "pass $pass of $REPEAT"
  for workload in $WORKLOADS; do
    for target in $TARGETS; do
      SRV_PID=${TARGET_PID[$target]}
      SRV_URL=${TARGET_URL[$target]}
      if supported "$target" "$workload"; then
        quiesce "${TARGET_PID[@]}"
        run_wrk "$target" "$workload"
      else
        log "$target $workload: skipped (not supported)"
        # dynalite's row says so in the report (once); nginx gets none.
        [[ $target == nginx || $pass != 1 ]] ||
          printf '%s\t%s\tunsupported=1\n' "$target" "$workload" >>"$RESULTS"
      fi
    done
  done
done
for target in $TARGETS; do stop_pid "${TARGET_PID[$target]}"; done

# ---- startup time -------------------------------------------------------------------------------
if [[ -z ${BENCH_SKIP_STARTUP:-} ]]; then
  tool spawn-baseline "$STARTUP_RUNS"
  meta startup.baseline "$(tool_out)"
  log "startup: ddbd x$STARTUP_RUNS"
  tool startup "$STARTUP_RUNS" "$DDBD_BIN" --port '{PORT}' --in-memory
  meta startup.ddbd "$(tool_out)"
  log "startup: dynalite x$STARTUP_RUNS"
  tool startup "$STARTUP_RUNS" node "$DYNALITE_CLI" --port '{PORT}' --host 127.0.0.1
  meta startup.dynalite "$(tool_out)"
fi

# ---- RSS after RSS_ITEMS items, persistent mode ----------------------------------------------------
if [[ -z ${BENCH_SKIP_RSS:-} ]]; then
  for target in ddbd dynalite; do
    datadir="$WORK/$target-data"
    mkdir -p "$datadir"
    start_target "$target" "$datadir"
    tool create-table "$SRV_URL" "$TABLE"
    log "loading $RSS_ITEMS items into $target (persistent)"
    tool load "$SRV_URL" "$TABLE" "$RSS_ITEMS" rss 32
    secs=$(tool_out)
    sleep 2
    meta "rss.$target.loadedKb" "$(rss_kb "$SRV_PID" VmRSS)"
    meta "rss.$target.loadedHwmKb" "$(rss_kb "$SRV_PID" VmHWM)"
    meta "rss.$target.loadSeconds" "$secs"
    stop_pid "$SRV_PID"
  done
fi

# ---- heavy requests beside light ones (bench/heavy.py) ----------------------------------------------
HEAVY="$WORK/heavy.md"
if [[ -z ${BENCH_SKIP_HEAVY:-} ]]; then
  {
    echo
    echo "### Heavy requests beside light ones"
    echo
    echo "One connection sends the heavy request; fresh connections send GetItem every 20 ms while"
    echo "it runs (bench/heavy.py; a fresh server per shape; requests time out after 60 s)."
    echo
    echo "| target | heavy request | bytes | status | heavy s | GetItems | GetItem p99 ms | GetItem max ms |"
    echo "|---|---|---:|---|---:|---:|---:|---:|"
  } >"$HEAVY"
  for target in $TARGETS; do
    [[ $target == nginx ]] && continue
    for shape in put-15MB-item put-100k-expected add-30k-to-30k-set condition-300-operators; do
      start_target "$target"
      log "heavy: $target $shape"
      waited "$WORK/heavy.out" timeout 200 /usr/bin/python3 "$BENCH_DIR/heavy.py" "$SRV_URL" --only "$shape" ||
        log "heavy.py failed for $target $shape"
      sed -n 's/^HEAVY //p' "$WORK/heavy.out" | tr ' ' '\n' | awk -F= -v t="$target" '
        { v[$1] = $2 } END { printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", t, v["name"], v["bytes"],
          v["status"], v["heavy_s"], v["get_n"], v["get_p99_ms"], v["get_max_ms"] }' >>"$HEAVY"
      stop_pid "$SRV_PID"
    done
  done
fi

cp "$RESULTS" "$RESULTS_DIR/latest.tsv"
tool report "$RESULTS" "$META"
# (No heavy section with BENCH_SKIP_HEAVY=1: cat of the missing file used to end the script with
# status 1 under set -e, before the report was printed.)
cp "$WORK/tool.out" "$RESULTS_DIR/latest.md"
if [[ -f $HEAVY ]]; then cat "$HEAVY" >>"$RESULTS_DIR/latest.md"; fi
echo
cat "$RESULTS_DIR/latest.md"
log "written to bench/results/latest.md"
