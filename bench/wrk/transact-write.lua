-- TransactWriteItems of 4 actions on BENCH_TABLE (the put workload's table), every action on its
-- own new key: two Puts of put's ~200-byte items (<run>-t<thread>-<counter>), an Update
-- `ADD n :one` that creates its item, and a ConditionCheck attribute_not_exists(pk) on a key
-- that is never written (<run>-tc<thread>-<counter>), so every transaction commits. Each
-- request carries a fresh ClientRequestToken, as the SDKs send one by default (so ddbd's
-- idempotency bookkeeping is part of the cost). A cancellation would come back as 400
-- TransactionCanceledException, counted as a conflict when a reason is ConditionalCheckFailed.
-- Not run against dynalite (no transactions) nor nginx.
local c = require "common"

local tx = '{"TransactItems":[' ..
  '{"Put":{"TableName":"%s","Item":{"pk":{"S":"%s-t%d-%d"},"version":{"N":"1"},' ..
  '"name":{"S":"bench item"},"payload":{"S":"%s"}}}},' ..
  '{"Put":{"TableName":"%s","Item":{"pk":{"S":"%s-t%d-%d"},"version":{"N":"1"},' ..
  '"name":{"S":"bench item"},"payload":{"S":"%s"}}}},' ..
  '{"Update":{"TableName":"%s","Key":{"pk":{"S":"%s-t%d-%d"}},"UpdateExpression":"ADD n :one",' ..
  '"ExpressionAttributeValues":{":one":{"N":"1"}}}},' ..
  '{"ConditionCheck":{"TableName":"%s","Key":{"pk":{"S":"%s-tc%d-%d"}},' ..
  '"ConditionExpression":"attribute_not_exists(pk)"}}],"ClientRequestToken":"%s-%d-%d"}'

c.request(function()
  counter = counter + 3
  return c.post("TransactWriteItems", string.format(tx,
    c.table, c.run, tid, counter - 2, c.payload,
    c.table, c.run, tid, counter - 1, c.payload,
    c.table, c.run, tid, counter,
    c.table, c.run, tid, counter,
    string.sub(c.run, 1, 12), tid, counter))
end)
