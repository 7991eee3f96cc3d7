-- Shared by the wrk scripts in this folder (loaded with require "common"; run.sh sets LUA_PATH).
-- Builds signed-looking DynamoDB requests: an Authorization header in SigV4 shape with a fixed
-- fake signature (ddbd and dynalite check the header's shape and X-Amz-Date, not the signature),
-- gives every wrk thread its own id for per-thread key offsets, counts responses per status in
-- response() and prints one machine-readable BENCH_RESULT line in done().
--
-- Environment: BENCH_TABLE (table name), BENCH_RUN_ID (key prefix, unique per wrk run so that
-- runs never collide on keys).

local M = {}

M.table = os.getenv("BENCH_TABLE") or "bench"
M.run = os.getenv("BENCH_RUN_ID") or "r0"
M.payload = string.rep("x", 150) -- item ~200 bytes (names + values), as tool.mjs preloads

local date = os.date("!%Y%m%dT%H%M%SZ")
local auth = "AWS4-HMAC-SHA256 Credential=AKIDBENCHMARK/" .. date:sub(1, 8) ..
  "/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, " ..
  "Signature=" .. string.rep("0", 64)

local header_cache = {}
function M.headers(op)
  local h = header_cache[op]
  if not h then
    h = {
      ["Content-Type"] = "application/x-amz-json-1.0",
      ["X-Amz-Target"] = "DynamoDB_20120810." .. op,
      ["X-Amz-Date"] = date,
      ["Authorization"] = auth,
    }
    header_cache[op] = h
  end
  return h
end

function M.post(op, body)
  return wrk.format("POST", "/", M.headers(op), body)
end

-- wrk calls request() once on thread 0 before the run, only to check the request parses (it is
-- never sent). Scripts register their generator with M.request so that this probe does not
-- advance their state (a version counted as written but never sent would turn into conflicts).
function M.request(generate)
  request = function()
    if probe_pending then
      probe_pending = false
      return M.post("ListTables", "{}")
    end
    return generate()
  end
end

-- ---- per-thread state (each wrk thread has its own Lua state) -----------------------------
tid = tid or 0      -- set by setup() below through thread:set
counter = 0
ok, ccf, bad, s5xx, other, miss, reads, items = 0, 0, 0, 0, 0, 0, 0, 0
first_error = ""

-- Scripts may define on_response(status, body) to look at bodies (e.g. to learn versions).
-- Query/Scan scripts add each answer's Count to `items` (c.count_items).
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 400 and body and body:find("ConditionalCheckFailed", 1, true) then
    ccf = ccf + 1
  else
    if status >= 500 then s5xx = s5xx + 1
    elseif status >= 400 then bad = bad + 1
    else other = other + 1 end
    if first_error == "" then first_error = tostring(status) .. " " .. tostring(body):sub(1, 300) end
  end
  if on_response then on_response(status, body) end
end

function init(args)
  probe_pending = (tid == 0) -- setup() has run (tid is set); the probe comes next
end

-- ---- main state: thread ids and the summary --------------------------------------------------
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local t = { ok = 0, ccf = 0, bad = 0, s5xx = 0, other = 0, miss = 0, reads = 0, items = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
    local e = thread:get("first_error")
    if e and e ~= "" then io.stderr:write("first unexpected response: " .. e .. "\n") end
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d mean_us=%.0f " ..
    "ok=%d ccf=%d bad=%d s5xx=%d other=%d miss=%d reads=%d items=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_timeout=%d\n",
    summary.requests, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(99), latency.mean,
    t.ok, t.ccf, t.bad, t.s5xx, t.other, t.miss, t.reads, t.items,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end

-- Where the top-level field "<name>" of a Query/Scan answer starts (nil if absent). Plain
-- finds only: an unanchored pattern match is tried at every byte of a 27 KB (Query) or 270 KB
-- (Scan page) body and cost wrk as much CPU as the server's Query. The last 2 KB first (ddbd
-- writes Items first), then the whole body (dynalite writes Items last).
function M.find_field(body, name)
  local lit = '"' .. name .. '"'
  if #body > 2048 then
    local at = body:find(lit, #body - 2048, true)
    if at then return at end
  end
  return body:find(lit, 1, true)
end

-- Count of a 200 Query/Scan answer ("Count":N; "ScannedCount" does not match), added to the
-- thread's items; nil when the body has none.
function M.count_items(body)
  local at = body and M.find_field(body, "Count")
  local n = at and body:match('^"Count"%s*:%s*(%d+)', at)
  if n then
    n = tonumber(n)
    items = items + n
  end
  return n
end

return M
