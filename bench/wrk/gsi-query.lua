-- Query on a GSI, one whole index partition per request (no Limit): IndexName g1-index (hash key
-- g1, projection ALL) of BENCH_QUERY_TABLE, whose BENCH_QUERY_ITEMS values g1-0.. each hold
-- BENCH_QUERY_PARTITIONS items (one per table partition; tool.mjs setup-indexes). Threads
-- interleave so concurrent requests read different index partitions. Each answer's Count is
-- added to `items`; a 200 with another Count is a miss.
local c = require "common"
local tbl = os.getenv("BENCH_QUERY_TABLE") or "bench-q"
local values = tonumber(os.getenv("BENCH_QUERY_ITEMS") or "100")
local expect = tonumber(os.getenv("BENCH_QUERY_PARTITIONS") or "100")
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")

local q = '{"TableName":"%s","IndexName":"g1-index","KeyConditionExpression":"#k = :k",' ..
  '"ExpressionAttributeNames":{"#k":"g1"},"ExpressionAttributeValues":{":k":{"S":"g1-%d"}}}'

c.request(function()
  counter = counter + 1
  return c.post("Query", string.format(q, tbl, (counter * stride + tid) % values))
end)

function on_response(status, body)
  if status == 200 and c.count_items(body) ~= expect then miss = miss + 1 end
end
