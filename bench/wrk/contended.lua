-- The contended variant: UpdateItem with a version condition on BENCH_HOT_KEYS hot keys
-- (hot-0 .. hot-15, preloaded with version 0 by tool.mjs setup). Each thread keeps the newest
-- version it has seen per key and sends #v = :expected with ReturnValues ALL_NEW and
-- ReturnValuesOnConditionCheckFailure ALL_OLD: the winner's answer and the loser's error both
-- carry the current version, which the next attempt on that key uses (optimistic locking without
-- an extra read). Requests in flight on the same key race; 200 = win, 400
-- ConditionalCheckFailedException = conflict. A key whose version is unknown is read with a
-- consistent GetItem first (answers counted as "reads"); a conflict that carries no item (a server
-- without ReturnValuesOnConditionCheckFailure, such as dynalite) cannot be attributed to a key,
-- so the thread forgets all versions and re-reads.
local c = require "common"
local nkeys = tonumber(os.getenv("BENCH_HOT_KEYS") or "16")
local known = {}

local upd = '{"TableName":"%s","Key":{"pk":{"S":"hot-%d"}},' ..
  '"UpdateExpression":"SET #v = :next, #p = :p",' ..
  '"ConditionExpression":"#v = :expected",' ..
  '"ExpressionAttributeNames":{"#v":"version","#p":"payload"},' ..
  '"ExpressionAttributeValues":{":expected":{"N":"%d"},":next":{"N":"%d"},":p":{"S":"%s"}},' ..
  '"ReturnValues":"ALL_NEW","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}'
local get = '{"TableName":"%s","Key":{"pk":{"S":"hot-%d"}},"ConsistentRead":true}'

c.request(function()
  counter = counter + 1
  local k = (counter + tid * 7) % nkeys
  local v = known[k]
  if v == nil then
    return c.post("GetItem", string.format(get, c.table, k))
  end
  return c.post("UpdateItem", string.format(upd, c.table, k, v, v + 1, c.payload))
end)

function on_response(status, body)
  if not body then return end
  if status == 200 and body:find('"Item"', 1, true) then reads = reads + 1 end
  local k = body:match('"pk"%s*:%s*{%s*"S"%s*:%s*"hot%-(%d+)"')
  local v = body:match('"version"%s*:%s*{%s*"N"%s*:%s*"(%d+)"')
  if k and v then
    k, v = tonumber(k), tonumber(v)
    if known[k] == nil or v > known[k] then known[k] = v end
  elseif status == 400 and body:find("ConditionalCheckFailed", 1, true) then
    known = {}
  end
end
