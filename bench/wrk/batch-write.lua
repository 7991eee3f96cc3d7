-- BatchWriteItem of 25 PutRequests per request on BENCH_TABLE (the put workload's table): items
-- of put's ~200-byte shape, every item a new key (<run>-b<thread>-<counter>, the counter
-- advancing by one per item). A 200 whose UnprocessedItems is not {} is a miss (neither ddbd nor
-- dynalite throttles, so it should never happen); each 200 with UnprocessedItems {} adds its 25
-- items to `items` (items/s = 25 x req/s when every answer is one).
local c = require "common"
local per = 25

local put = '{"PutRequest":{"Item":{"pk":{"S":"%s-b%d-%d"},"version":{"N":"1"},' ..
  '"name":{"S":"bench item"},"payload":{"S":"%s"}}}}'
local head = string.format('{"RequestItems":{"%s":[', c.table)
local parts = {}

c.request(function()
  for i = 1, per do
    counter = counter + 1
    parts[i] = string.format(put, c.run, tid, counter, c.payload)
  end
  return c.post("BatchWriteItem", head .. table.concat(parts, ",", 1, per) .. "]}}")
end)

function on_response(status, body)
  if status ~= 200 then return end
  local at = c.find_field(body, "UnprocessedItems")
  if at and body:find('^"UnprocessedItems"%s*:%s*{%s*}', at) then
    items = items + per
  else
    miss = miss + 1
  end
end
