-- A checkout's freeze, completion or cancellation, atomically. Rules as in server/domain/checkout.ts.
-- The freeze lives in the meta hash (`fz_id`, `fz_exp`); how the last checkout ended in `co_end`, `co_out`.
-- KEYS: 1 meta, 2 log, 3 cart. ARGV: 1 action (freeze|complete|cancel), 2 checkoutId, 3 ttlMs, 4 writer,
-- 5 random (epoch), 6 log cap, 7 fan-out channel ('' for none), 8 prefix, 9 suffix, 10 retention ttl ms ('0' keeps),
-- 11 If-Match epoch ('' for none), 12 If-Match version. A repeat answers before If-Match is compared.
-- 13 wanted webhook events ('' none); the last two KEYS: the user's outbox and its state (outbox.lua)
local META, LOG, CART, action, id = KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]
local now = now_ms()
if redis.call('HEXISTS', META, 'epoch') == 0 then return refusal('not_found', 'no such user') end
-- In this store's history (a store that went back in time forks the user's log first: see history.lua).
local epoch, version = current_meta(META, ARGV[5], now)
local m = redis.call('HMGET', META, 'epoch', 'version', 'fz_id', 'fz_exp', 'co_end', 'co_out')
local holds = m[3] and tonumber(m[4]) > now
local function moved()
  return ARGV[11] ~= '' and (ARGV[11] ~= epoch or tonumber(ARGV[12]) ~= version)
end
local function commit(op)
  keep_keys(ARGV[10])
  return backend_commit(META, LOG, epoch, version, ARGV[4], now, op, tonumber(ARGV[6]), ARGV[7], ARGV[8], ARGV[9],
    { outbox = KEYS[#KEYS - 1], state = KEYS[#KEYS], wanted = ARGV[13] })
end

if action == 'freeze' then
  if holds then
    if m[3] == id then return { 'repeat', epoch, version, m[4], redis.call('HVALS', CART) } end
    return refusal('frozen', 'another checkout (' .. m[3] .. ') holds the cart')
  end
  if redis.call('HLEN', CART) == 0 then return refusal('bad_request', 'the cart is empty') end
  if moved() then return { 'moved', epoch, version } end
  local expires = fmt(now + tonumber(ARGV[3]))
  redis.call('HSET', META, 'fz_id', id, 'fz_exp', expires)
  local change, published = commit('{"type":"cart:freeze","freeze":{"checkoutId":"' .. id .. '","expiresAt":' .. expires .. '}}')
  return { 'ok', epoch, version + 1, expires, redis.call('HVALS', CART), change, published }
end

if m[5] == id then
  if m[6] == action then return { 'repeat', epoch, version } end
  return refusal('conflict', 'checkout ' .. id .. ' was already ' .. (m[6] == 'complete' and 'completed' or 'cancelled'))
end
if m[3] ~= id then return refusal('not_found', 'no checkout ' .. id) end
if action == 'complete' and not holds then
  return refusal('conflict', 'checkout ' .. id .. ' lapsed; the cart may have changed')
end
if moved() then return { 'moved', epoch, version } end
redis.call('HDEL', META, 'fz_id', 'fz_exp')
redis.call('HSET', META, 'co_end', id, 'co_out', action)
local cleared = 'false'
if action == 'complete' then
  redis.call('DEL', CART)
  cleared = 'true'
end
local change, published = commit('{"type":"cart:unfreeze","checkoutId":"' .. id .. '","cleared":' .. cleared .. '}')
return { 'ok', epoch, version + 1, change, published }
