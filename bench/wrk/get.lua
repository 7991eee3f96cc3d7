-- GetItem (eventually consistent, the SDK default) over the keys item-0 .. item-(N-1) that
-- tool.mjs setup preloaded; N = BENCH_GET_ITEMS. Threads interleave so concurrent requests hit
-- distinct keys. A 200 without "Item" is counted as a miss (it would mean the preload failed).
local c = require "common"
local n = tonumber(os.getenv("BENCH_GET_ITEMS") or "10000")
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")

c.request(function()
  counter = counter + 1
  local idx = (counter * stride + tid) % n
  return c.post("GetItem", string.format(
    '{"TableName":"%s","Key":{"pk":{"S":"item-%d"}}}', c.table, idx))
end)

function on_response(status, body)
  if status == 200 and not body:find('"Item"', 1, true) then miss = miss + 1 end
end
