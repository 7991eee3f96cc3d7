-- PutItem of new keys (<run>-g<thread>-<counter>) on BENCH_GSI_TABLE: the put workload's table
-- shape (pk S) plus two GSIs (tool.mjs setup-indexes: hash keys g1 and g2, projection ALL), so
-- every request also writes one entry into each index. g1 takes 100 values ("c-0".."c-99", a
-- category-like key: index partitions grow with the run), g2 is unique per item (a lookup key).
-- The payload is 30 bytes shorter than put's so the item stays ~200 bytes; compare with the put
-- workload of the same run for the cost of index maintenance.
local c = require "common"
local tbl = os.getenv("BENCH_GSI_TABLE") or "bench-gsi"
local payload = string.rep("x", 120)

c.request(function()
  counter = counter + 1
  return c.post("PutItem", string.format(
    '{"TableName":"%s","Item":{"pk":{"S":"%s-g%d-%d"},"version":{"N":"1"},' ..
    '"name":{"S":"bench item"},"g1":{"S":"c-%d"},"g2":{"S":"u-%s-%d-%d"},"payload":{"S":"%s"}}}',
    tbl, c.run, tid, counter, counter % 100, c.run, tid, counter, payload))
end)
