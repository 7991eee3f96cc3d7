-- PutItem of ~200-byte items, every request a new key: <run>-p<thread>-<counter>.
local c = require "common"

c.request(function()
  counter = counter + 1
  return c.post("PutItem", string.format(
    '{"TableName":"%s","Item":{"pk":{"S":"%s-p%d-%d"},"version":{"N":"1"},' ..
    '"name":{"S":"bench item"},"payload":{"S":"%s"}}}',
    c.table, c.run, tid, counter, c.payload))
end)
