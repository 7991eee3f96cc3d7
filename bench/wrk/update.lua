-- UpdateItem with a version condition on distinct keys, the shape of the mappers' optimistic
-- locking (@aws/dynamodb-data-mapper, the Java v2 enhanced client): the first write of a key is
-- conditional on attribute_not_exists(#v), every later one on #v = :expected. Each thread
-- cycles through its own BENCH_UPDATE_KEYS keys (<run>-u<thread>-<i>) and remembers the version
-- it wrote, so there is no contention: a key comes round again only after the thread has sent
-- BENCH_UPDATE_KEYS other requests, far more than it has in flight. Conflicts here would mean a
-- lost or misapplied update (or a request stalled for a whole cycle) and are reported.
local c = require "common"
local range = tonumber(os.getenv("BENCH_UPDATE_KEYS") or "4096")
local versions = {}

local create = '{"TableName":"%s","Key":{"pk":{"S":"%s-u%d-%d"}},' ..
  '"UpdateExpression":"SET #v = :one, #n = :n, #p = :p",' ..
  '"ConditionExpression":"attribute_not_exists(#v)",' ..
  '"ExpressionAttributeNames":{"#v":"version","#n":"name","#p":"payload"},' ..
  '"ExpressionAttributeValues":{":one":{"N":"1"},":n":{"S":"bench item"},":p":{"S":"%s"}}}'
local bump = '{"TableName":"%s","Key":{"pk":{"S":"%s-u%d-%d"}},' ..
  '"UpdateExpression":"SET #v = :next, #p = :p",' ..
  '"ConditionExpression":"#v = :expected",' ..
  '"ExpressionAttributeNames":{"#v":"version","#p":"payload"},' ..
  '"ExpressionAttributeValues":{":expected":{"N":"%d"},":next":{"N":"%d"},":p":{"S":"%s"}}}'

c.request(function()
  counter = counter + 1
  local idx = counter % range
  local v = versions[idx]
  if v == nil then
    versions[idx] = 1
    return c.post("UpdateItem", string.format(create, c.table, c.run, tid, idx, c.payload))
  end
  versions[idx] = v + 1
  return c.post("UpdateItem", string.format(bump, c.table, c.run, tid, idx, v, v + 1, c.payload))
end)
