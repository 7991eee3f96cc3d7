-- Paged Scan of BENCH_QUERY_TABLE (BENCH_QUERY_PARTITIONS x BENCH_QUERY_ITEMS items, 10,000 by
-- default), Limit BENCH_SCAN_LIMIT (1000) per request: every request is one page. Each answer's
-- LastEvaluatedKey (copied verbatim as ExclusiveStartKey) is queued; the next request takes the
-- oldest queued key, or starts at the beginning when the queue is empty or the answer had none
-- (the end of the table). wrk's Lua sees threads, not connections, but each answer queues one
-- key and each request takes one, so every thread keeps as many independent scans going as it
-- has connections, each following its own pages and wrapping to the start. Each answer's Count
-- is added to `items` (pages/s = req/s).
local c = require "common"
local tbl = os.getenv("BENCH_QUERY_TABLE") or "bench-q"
local limit = tonumber(os.getenv("BENCH_SCAN_LIMIT") or "1000")

local first = string.format('{"TableName":"%s","Limit":%d}', tbl, limit)
local paged = '{"TableName":"' .. tbl .. '","Limit":' .. limit .. ',"ExclusiveStartKey":%s}'
local queue, head, tail = {}, 1, 0

c.request(function()
  counter = counter + 1
  if head > tail then return c.post("Scan", first) end
  local key = queue[head]
  queue[head] = nil
  head = head + 1
  if key == false then return c.post("Scan", first) end
  return c.post("Scan", string.format(paged, key))
end)

function on_response(status, body)
  local key = false
  if status == 200 then
    if not c.count_items(body) then miss = miss + 1 end
    local at = c.find_field(body, "LastEvaluatedKey")
    if at then key = body:match('^"LastEvaluatedKey"%s*:%s*(%b{})', at) or false end
  end
  tail = tail + 1
  queue[tail] = key
end
