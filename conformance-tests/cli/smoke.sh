#!/usr/bin/env bash
# Smoke test of ddbd through the AWS CLI (Debian's awscli 2.x): the table lifecycle and one item's
# put/get/delete, plus the error exit for a missing table. Written so it would also pass against
# Amazon DynamoDB. The CLI is slow to start, so calls are few and each one checks several things.
#
# Usage: DDBD_ENDPOINT=http://127.0.0.1:8123 conformance-tests/cli/smoke.sh
# Last line: "N passed, N failed"; exit status non-zero on any failure.
set -euo pipefail

ENDPOINT="${DDBD_ENDPOINT:-http://127.0.0.1:8000}"
if [[ -n "${AWS_CLI:-}" ]]; then
  AWS_BIN="$AWS_CLI"
elif [[ -x /usr/bin/aws ]]; then
  AWS_BIN=/usr/bin/aws # Debian's awscli 2.x, not whatever pip put first on PATH
else
  AWS_BIN="$(command -v aws)"
fi

WORK="$(mktemp -d)"
# Dummy credentials and an empty configuration, so nothing from the caller's ~/.aws leaks in.
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$WORK/config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials"
export AWS_PAGER=""
export AWS_MAX_ATTEMPTS=1 # no retries: a server bug must not hide behind one
export AWS_RETRY_MODE=standard
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN || true

TABLE="ddbd-cli-smoke-$(date +%s)-$$"
MISSING="ddbd-cli-missing-$(date +%s)-$$"
PASSED=0
FAILED=0
TABLE_CREATED=0

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $1"
  [[ -n "${2:-}" ]] && printf '  %s\n' "$2" | head -20
  return 0
}

finish() {
  local rc=$?
  if [[ "$TABLE_CREATED" == 1 ]]; then
    ddb delete-table --table-name "$TABLE" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  if [[ "$rc" != 0 && "$FAILED" == 0 ]]; then
    FAILED=1
    echo "FAIL: script aborted with exit status $rc"
  fi
  echo "$PASSED passed, $FAILED failed"
  [[ "$FAILED" == 0 ]] || exit 1
  exit 0
}
trap finish EXIT

ddb() {
  "$AWS_BIN" dynamodb --endpoint-url "$ENDPOINT" --output json \
    --cli-connect-timeout 5 --cli-read-timeout 30 "$@"
}

# run ARGS...: runs one CLI call; stdout in OUT, stderr in ERR, exit status in RC.
run() {
  RC=0
  OUT="$(ddb "$@" 2>"$WORK/stderr")" || RC=$?
  ERR="$(cat "$WORK/stderr")"
}

# check_json NAME PYTHON_EXPR: evaluates PYTHON_EXPR with d = the JSON in OUT ({} when empty).
check_json() {
  local name="$1" expr="$2" msg
  if msg="$(python3 -c '
import json, sys
raw = sys.stdin.read().strip()
d = json.loads(raw) if raw else {}
ok = eval(sys.argv[1])
if not ok:
    print("unexpected output: " + (raw[:1500] or "<empty>"))
sys.exit(0 if ok else 1)
' "$expr" <<<"$OUT" 2>&1)"; then
    pass "$name"
  else
    fail "$name" "$msg"
  fi
}

# --- create-table, then wait until ACTIVE ------------------------------------------------------
# The table is created on demand with a string hash key; the response describes it at once.
run create-table --table-name "$TABLE" \
  --attribute-definitions AttributeName=pk,AttributeType=S \
  --key-schema AttributeName=pk,KeyType=HASH \
  --billing-mode PAY_PER_REQUEST
if [[ "$RC" != 0 ]]; then
  fail "create-table" "exit $RC: $ERR"
  exit 1
fi
TABLE_CREATED=1
check_json "create-table describes the new table" \
  "d['TableDescription']['TableName'] == '$TABLE' and d['TableDescription']['TableStatus'] in ('CREATING', 'ACTIVE') and d['TableDescription']['KeySchema'] == [{'AttributeName': 'pk', 'KeyType': 'HASH'}]"

run wait table-exists --table-name "$TABLE"
if [[ "$RC" == 0 ]]; then pass "wait table-exists"; else fail "wait table-exists" "exit $RC: $ERR"; fi

# --- list-tables and describe-table --------------------------------------------------------------
run list-tables
if [[ "$RC" == 0 ]]; then
  check_json "list-tables includes the table" "'$TABLE' in d['TableNames']"
else
  fail "list-tables" "exit $RC: $ERR"
fi

run describe-table --table-name "$TABLE"
if [[ "$RC" == 0 ]]; then
  check_json "describe-table reports an ACTIVE on-demand table" \
    "d['Table']['TableName'] == '$TABLE' and d['Table']['TableStatus'] == 'ACTIVE' and d['Table']['AttributeDefinitions'] == [{'AttributeName': 'pk', 'AttributeType': 'S'}] and d['Table'].get('BillingModeSummary', {}).get('BillingMode') == 'PAY_PER_REQUEST'"
else
  fail "describe-table" "exit $RC: $ERR"
fi

# --- put-item, get-item, delete-item -------------------------------------------------------------
ITEM='{"pk":{"S":"cli-item"},"n":{"N":"001.50"},"s":{"S":"héllo"},"b":{"B":"AAEC/w=="},"ss":{"SS":["y","x"]},"m":{"M":{"l":{"L":[{"BOOL":true},{"NULL":true},{"N":"7"}]}}}}'
# The item as it must come back: numbers canonical, binary as base64, set order free.
EXPECTED="{'pk': {'S': 'cli-item'}, 'n': {'N': '1.5'}, 's': {'S': 'héllo'}, 'b': {'B': 'AAEC/w=='}, 'ss': {'SS': ['x', 'y']}, 'm': {'M': {'l': {'L': [{'BOOL': True}, {'NULL': True}, {'N': '7'}]}}}}"
SORTED="dict(d['Item'], ss={'SS': sorted(d['Item']['ss']['SS'])}) if 'ss' in d.get('Item', {}) else d.get('Item')"

run put-item --table-name "$TABLE" --item "$ITEM" --return-consumed-capacity TOTAL
if [[ "$RC" == 0 ]]; then
  check_json "put-item reports 1 consumed capacity unit" \
    "d['ConsumedCapacity']['TableName'] == '$TABLE' and d['ConsumedCapacity']['CapacityUnits'] == 1.0"
else
  fail "put-item" "exit $RC: $ERR"
fi

run get-item --table-name "$TABLE" --key '{"pk":{"S":"cli-item"}}' --consistent-read
if [[ "$RC" == 0 ]]; then
  check_json "get-item returns the item, numbers canonicalised" "($SORTED) == $EXPECTED"
else
  fail "get-item" "exit $RC: $ERR"
fi

run delete-item --table-name "$TABLE" --key '{"pk":{"S":"cli-item"}}' --return-values ALL_OLD
if [[ "$RC" == 0 ]]; then
  check_json "delete-item returns the deleted item" \
    "(dict(d['Attributes'], ss={'SS': sorted(d['Attributes']['ss']['SS'])})) == $EXPECTED"
else
  fail "delete-item" "exit $RC: $ERR"
fi

run get-item --table-name "$TABLE" --key '{"pk":{"S":"cli-item"}}' --consistent-read
if [[ "$RC" == 0 ]]; then
  check_json "get-item after delete-item finds nothing" "'Item' not in d"
else
  fail "get-item after delete-item" "exit $RC: $ERR"
fi

# --- errors --------------------------------------------------------------------------------------
# A missing table must make the CLI exit non-zero with the service's error code and message.
run get-item --table-name "$MISSING" --key '{"pk":{"S":"x"}}'
if [[ "$RC" != 0 && "$ERR" == *"ResourceNotFoundException"* && "$ERR" == *"Requested resource not found"* ]]; then
  pass "get-item on a missing table exits non-zero with ResourceNotFoundException"
else
  fail "get-item on a missing table exits non-zero with ResourceNotFoundException" \
    "exit $RC; stdout: $OUT; stderr: $ERR"
fi

# --- delete-table ---------------------------------------------------------------------------------
run delete-table --table-name "$TABLE"
if [[ "$RC" == 0 ]]; then
  TABLE_CREATED=0
  check_json "delete-table describes the table being deleted" \
    "d['TableDescription']['TableName'] == '$TABLE'"
else
  fail "delete-table" "exit $RC: $ERR"
fi

run wait table-not-exists --table-name "$TABLE"
if [[ "$RC" == 0 ]]; then pass "wait table-not-exists"; else fail "wait table-not-exists" "exit $RC: $ERR"; fi
