-- BatchGetItem of 100 distinct keys per request (eventually consistent, the SDK default) over the
-- keys item-0 .. item-(N-1) that tool.mjs setup preloaded; N = BENCH_GET_ITEMS. A request takes
-- the next 100 values of the thread's counter and maps each as get does (counter * threads +
-- thread, mod N): threads interleave, and the 100 keys of a request are distinct as long as
-- N >= 100 x BENCH_THREADS (run.sh checks). The items of each 200 (occurrences of "pk" inside
-- Responses, counted with plain finds) are added to `items`; a 200 with another number than 100,
-- or with UnprocessedKeys other than {}, is a miss.
local c = require "common"
local n = tonumber(os.getenv("BENCH_GET_ITEMS") or "10000")
local stride = tonumber(os.getenv("BENCH_THREADS") or "2")
local per = 100

local key = '{"pk":{"S":"item-%d"}}'
local head = string.format('{"RequestItems":{"%s":{"Keys":[', c.table)
local parts = {}

c.request(function()
  for i = 1, per do
    counter = counter + 1
    parts[i] = string.format(key, (counter * stride + tid) % n)
  end
  return c.post("BatchGetItem", head .. table.concat(parts, ",", 1, per) .. "]}}}")
end)

-- Occurrences of '"pk"' in body[from, to): one plain find per item, no per-byte pattern.
local function count_pk(body, from, to)
  local count, at = 0, from
  while true do
    at = body:find('"pk"', at, true)
    if not at or at >= to then return count end
    count = count + 1
    at = at + 4
  end
end

function on_response(status, body)
  if status ~= 200 then return end
  local r = body:find('"Responses"', 1, true)
  local u = c.find_field(body, "UnprocessedKeys")
  if not r or not u then
    miss = miss + 1
    return
  end
  -- Both servers write Responses before UnprocessedKeys; count up to it either way.
  local got = count_pk(body, r, u > r and u or #body + 1)
  items = items + got
  if got ~= per or not body:find('^"UnprocessedKeys"%s*:%s*{%s*}', u) then miss = miss + 1 end
end
