-- Query of one whole partition per request (no Limit): the table BENCH_QUERY_TABLE (pk S, sk N)
-- that tool.mjs setup-indexes loaded with BENCH_QUERY_PARTITIONS partitions q-0.. of
-- BENCH_QUERY_ITEMS ~200-byte items each. Threads interleave so concurrent requests read
-- different partitions. Each answer's Count is added to `items`; a 200 with another Count is a
-- miss (a short or missing partition).
local c = require "common"
local tbl = os.getenv("BENCH_QUERY_TABLE") or "bench-q"
local partitions = tonumber(os.getenv("BENCH_QUERY_PARTITIONS") or "100")
local expect = tonumber(os.getenv("BENCH_QUERY_ITEMS") or "100")
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")

local q = '{"TableName":"%s","KeyConditionExpression":"#k = :k",' ..
  '"ExpressionAttributeNames":{"#k":"pk"},"ExpressionAttributeValues":{":k":{"S":"q-%d"}}}'

c.request(function()
  counter = counter + 1
  return c.post("Query", string.format(q, tbl, (counter * stride + tid) % partitions))
end)

function on_response(status, body)
  if status == 200 and c.count_items(body) ~= expect then miss = miss + 1 end
end
