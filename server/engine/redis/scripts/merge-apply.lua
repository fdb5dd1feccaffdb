-- Step 2 of a guest merge: applies the plan (made by server/domain/merge.ts from the state read at the given
-- version) to the account, with the merge's marker, in one script. A compare-and-set: when the account moved
-- since the read the caller reads again and re-plans; when the marker exists the merge was done already.
-- KEYS: 1 meta, 2 log, 3 cart, 4 watch, 5 watchz, 6 merges.
-- ARGV: 1 guest id, 2 epoch read, 3 version read, 4 writer, 5 log cap, 6 marker keep ms, 7 most markers kept,
-- 8 op JSON, 9 line count n, then n pairs (sku, line JSON), then watch count w, then w triples (videoId, entry
-- JSON, updatedAt), then trimmed count t, then t video ids; always last: wanted webhook events, retention ttl ms,
-- fan-out channel, prefix, suffix. The last two KEYS: the user's outbox and its state (outbox.lua).
local META, LOG, CART, WATCH, WATCHZ, MERGES = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local guest = ARGV[1]
local now = now_ms()
local m = redis.call('HMGET', META, 'epoch', 'version', 'fz_id', 'fz_exp')
if redis.call('HEXISTS', MERGES, guest) == 1 then return { 'dup', m[1] or '', tonumber(m[2] or '0') } end
if m[1] ~= ARGV[2] or tonumber(m[2]) ~= tonumber(ARGV[3]) then return { 'moved' } end
if m[3] and tonumber(m[4]) > now then
  return refusal("frozen", "the account's cart is frozen for checkout " .. m[3])
end

local i = 9
local lines = tonumber(ARGV[i])
redis.call('DEL', CART)
for j = 1, lines do
  redis.call('HSET', CART, ARGV[i + 2 * j - 1], ARGV[i + 2 * j])
end
i = i + 2 * lines + 1
local entries = tonumber(ARGV[i])
for j = 1, entries do
  local at = i + 3 * (j - 1)
  redis.call('HSET', WATCH, ARGV[at + 1], ARGV[at + 2])
  redis.call('ZADD', WATCHZ, tonumber(ARGV[at + 3]), ARGV[at + 1])
end
i = i + 3 * entries + 1
for j = 1, tonumber(ARGV[i]) do
  redis.call('HDEL', WATCH, ARGV[i + j])
  redis.call('ZREM', WATCHZ, ARGV[i + j])
end

-- The marker hash stays small: markers older than the keep time go, then the oldest past the cap.
local keep_from, cap = now - tonumber(ARGV[6]), tonumber(ARGV[7])
local kept = {}
local all = redis.call('HGETALL', MERGES)
for j = 1, #all, 2 do
  if tonumber(all[j + 1]) <= keep_from then redis.call('HDEL', MERGES, all[j])
  else kept[#kept + 1] = { all[j], tonumber(all[j + 1]) } end
end
if #kept >= cap then
  table.sort(kept, function(a, b) return a[2] < b[2] end)
  for j = 1, #kept - cap + 1 do redis.call('HDEL', MERGES, kept[j][1]) end
end
redis.call('HSET', MERGES, guest, fmt(now))

local change, published = backend_commit(META, LOG, m[1], tonumber(m[2]), ARGV[4], now, ARGV[8], tonumber(ARGV[5]),
  ARGV[#ARGV - 2], ARGV[#ARGV - 1], ARGV[#ARGV])
local OUTBOX, HOOKSTATE, HOOKS, merged_v = KEYS[#KEYS - 1], KEYS[#KEYS], ARGV[#ARGV - 4], tonumber(m[2]) + 1
outbox_record(OUTBOX, HOOKSTATE, HOOKS, 'user.merged', now, merged_v, '{"fromUserId":' .. cjson.encode(guest) .. '}', nil)
outbox_record(OUTBOX, HOOKSTATE, HOOKS, 'cart.updated', now, merged_v, '{}', 'cart')
keep_keys(ARGV[#ARGV - 3])
return { 'ok', m[1], tonumber(m[2]) + 1, change, published }
