-- A backend API write, atomically: Idempotency-Key, If-Match, the backend's own bucket, every op decided
-- first (all or nothing), then committed like a device's mutations (version, log, writer seq, fan-out), and
-- the key remembered with its answer. Rules as in server/engine/memory/memory-backend.ts (and server/domain).
-- KEYS: 1 meta, 2 log, 3 seq, 4 cart, 5 watch, 6 watchz, 7 idem (key -> answer), 8 idemz (key by time),
--       9 devices, 10 conn, 11 revoked, 12 watchgone, then every other key of the user (kept for its retention),
--       and last the user's outbox and its state (outbox.lua)
-- ARGV: 1 writer, 2 idempotency key, 3 request hash, 4 If-Match epoch ('' none), 5 If-Match version,
--       6 perSecond, 7 burst, 8 random (epoch), 9 log cap, 10 key ttl ms, 11 keys per user, 12 max lines,
--       13 max qty, 14 max watch entries, 15 resume rules (resume-rules.lua), 16 ops (JSON array),
--       17 fan-out channel ('' none), 18 prefix, 19 suffix, 20 retention ttl ms ('0' keeps),
--       21 wanted webhook events ('' none)
-- Device ops commit a noop change: the device list is part of the user's ETag.
local META, LOG, SEQ, CART, WATCH, WATCHZ, IDEM, IDEMZ, DEVICES, CONN, REVOKED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local WRITER, IDEM_KEY, HASH = ARGV[1], ARGV[2], ARGV[3]
local TTL, MAX_KEYS = tonumber(ARGV[10]), tonumber(ARGV[11])
local MAX_LINES, MAX_QTY, MAX_WATCH, RULES = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]), parse_rules(ARGV[15])
local now = now_ms()
local fmt = function(n) return string.format('%d', n) end

-- Forget keys past their time (a bounded number per call; the rest go on the next write).
local expired = redis.call('ZRANGEBYSCORE', IDEMZ, '-inf', now - TTL, 'LIMIT', 0, 200)
if #expired > 0 then
  redis.call('ZREM', IDEMZ, unpack(expired))
  redis.call('HDEL', IDEM, unpack(expired))
end

-- A repeat answers what the first call answered, whatever happened since.
local seen = redis.call('HGET', IDEM, IDEM_KEY)
if seen then
  local r = cjson.decode(seen)
  if r.h ~= HASH then return refusal('idempotency_key_reused', 'this Idempotency-Key was used for a different request') end
  return { 'replay', r.e, r.v, r.f, r.r }
end

-- A new user, a store that lost its data or one that went back in time: see current_meta (history.lua).
local epoch, version = current_meta(META, ARGV[8], now)
local m = redis.call('HMGET', META, 'btokens', 'bts')
if ARGV[4] ~= '' and (ARGV[4] ~= epoch or tonumber(ARGV[5]) ~= version) then
  return { 'moved', epoch, version }
end
if redis.call('ZCARD', IDEMZ) >= MAX_KEYS then
  return refusal('rate_limited', 'too many Idempotency-Keys held for this user; retry later')
end
local allowed, tokens = bucket_take(m[1], m[2], now, tonumber(ARGV[6]), tonumber(ARGV[7]))
redis.call('HSET', META, 'btokens', tokens, 'bts', fmt(now))
if not allowed then return refusal('rate_limited', 'too many backend requests for this user') end

local ops = cjson.decode(ARGV[16])

-- Phase 1: decide every op on an overlay of the cart and watch, so a refusal leaves everything untouched.
local over, cleared, count = {}, false, redis.call('HLEN', CART)
-- The cart's one currency ('' for none), known from any line while the cart has lines.
local currency = nil
if count > 0 then currency = cjson.decode(redis.call('HRANDFIELD', CART, 1, 'WITHVALUES')[2]).currency or '' end
local function line_of(sku)
  if over[sku] ~= nil then return over[sku] or nil end
  if cleared then return nil end
  local stored = redis.call('HGET', CART, sku)
  return stored and cjson.decode(stored) or nil
end
local wover = {}
local function entry_of(video)
  if wover[video] ~= nil then return wover[video] or nil end
  local stored = redis.call('HGET', WATCH, video)
  return stored and cjson.decode(stored) or nil
end
local removed = {}
for _, op in ipairs(ops) do
  local t = op.type
  if t == 'cart:add' then
    local line = line_of(op.sku)
    if not line and count >= MAX_LINES then return refusal('bad_request', 'a cart holds at most ' .. fmt(MAX_LINES) .. ' lines') end
    local theirs, mine = currency, op.currency or ''
    if count > 0 and theirs ~= mine then
      return refusal('currency_mismatch', 'the cart is in ' .. (theirs ~= '' and theirs or 'no currency') ..
        ', the line in ' .. (mine ~= '' and mine or 'none'))
    end
    local total = op.qty + (line and line.qty or 0)
    if total > MAX_QTY then return refusal('bad_request', 'qty would exceed ' .. fmt(MAX_QTY)) end
    if not line then count = count + 1 end
    over[op.sku] = { qty = total }
    currency = mine
  elseif t == 'cart:set' then
    local line = line_of(op.sku)
    if not line then return refusal('not_found', 'no cart line for ' .. op.sku) end
    if op.qty == 0 then over[op.sku] = false; count = count - 1 else over[op.sku] = { qty = op.qty } end
  elseif t == 'cart:remove' then
    if line_of(op.sku) then count = count - 1 end
    over[op.sku] = false
  elseif t == 'cart:clear' then
    over, cleared, count = {}, true, 0
  elseif t == 'watch:set' or t == 'watch:complete' then
    local entry = entry_of(op.videoId)
    local dur = op.durationSec or (entry and entry.durationSec)
    if dur == nil or dur == cjson.null then return refusal('bad_request', 'no progress for ' .. op.videoId .. ' yet: give durationSec') end
    wover[op.videoId] = { durationSec = dur }
  elseif t == 'watch:remove' then
    wover[op.videoId] = false
  elseif t == 'device:remove' then
    if removed[op.deviceId] or redis.call('HEXISTS', DEVICES, op.deviceId) == 0 then
      return refusal('not_found', 'no device ' .. op.deviceId)
    end
    removed[op.deviceId] = true
  end
end

-- Phase 2: apply and commit, op by op, with the same rules (they cannot refuse now).
local from = version
local seq = tonumber(redis.call('HGET', SEQ, WRITER) or '0')
local changes, revoked_at, publish = {}, '', ARGV[17] ~= ''
local OUTBOX, HOOKSTATE, HOOKS = KEYS[#KEYS - 1], KEYS[#KEYS], ARGV[21]
local function commit(op_json, hint)
  version, seq = version + 1, seq + 1
  outbox_change(OUTBOX, HOOKSTATE, HOOKS, now, version, op_json, hint)
  local change = '{"epoch":"' .. epoch .. '","version":' .. fmt(version) .. ',"deviceId":"' .. WRITER ..
    '","seq":' .. fmt(seq) .. ',"at":' .. fmt(now) .. ',"op":' .. op_json .. '}'
  redis.call('RPUSH', LOG, change)
  if publish then redis.call('SPUBLISH', ARGV[17], ARGV[18] .. change .. ARGV[19]) end
  changes[#changes + 1] = change
end
local function line_op(sku, line_json)
  return '{"type":"cart:line","sku":"' .. sku .. '","line":' .. line_json .. '}'
end
local function revoke(field)
  local existing = tonumber(redis.call('HGET', REVOKED, field) or '0')
  redis.call('HSET', REVOKED, field, fmt(math.max(now, existing)))
  revoked_at = now
end

for _, op in ipairs(ops) do
  local t = op.type
  if t == 'cart:add' then
    local stored = redis.call('HGET', CART, op.sku)
    local total = op.qty + (stored and cjson.decode(stored).qty or 0)
    -- Nil fields are left out of the JSON, as in mutate-cart.lua.
    local line = cjson.encode({
      sku = op.sku, title = op.title, priceCents = op.priceCents, qty = total,
      currency = op.currency, attributes = op.attributes,
    })
    redis.call('HSET', CART, op.sku, line)
    commit(line_op(op.sku, line))
  elseif t == 'cart:set' then
    if op.qty == 0 then
      redis.call('HDEL', CART, op.sku)
      commit(line_op(op.sku, 'null'))
    else
      local line = cjson.decode(redis.call('HGET', CART, op.sku))
      line.qty = op.qty
      local encoded = cjson.encode(line)
      redis.call('HSET', CART, op.sku, encoded)
      commit(line_op(op.sku, encoded))
    end
  elseif t == 'cart:remove' then
    if redis.call('HDEL', CART, op.sku) == 1 then commit(line_op(op.sku, 'null')) else commit('{"type":"noop"}') end
  elseif t == 'cart:clear' then
    redis.call('DEL', CART)
    commit('{"type":"cart:clear"}')
  elseif t == 'watch:set' or t == 'watch:complete' then
    local stored = redis.call('HGET', WATCH, op.videoId)
    local existing = stored and cjson.decode(stored) or nil
    local dur = op.durationSec
    if dur == nil or dur == cjson.null then dur = existing.durationSec end
    local pos = dur
    if t == 'watch:set' then pos = math.min(op.positionSec, dur) end
    -- The backend's word wins over every earlier report, also one made in this same millisecond.
    local at = math.max(now, (existing and existing.updatedAt or 0) + 1)
    local resume_at, completed = resume_point(pos, dur, existing ~= nil and existing.completed, RULES)
    local entry = cjson.encode({
      videoId = op.videoId, positionSec = resume_at, durationSec = dur, updatedAt = at, deviceId = WRITER,
      completed = completed,
    })
    redis.call('HSET', WATCH, op.videoId, entry)
    redis.call('ZADD', WATCHZ, at, op.videoId)
    redis.call('HDEL', KEYS[12], op.videoId)
    local trimmed = {}
    local excess = redis.call('ZCARD', WATCHZ) - MAX_WATCH
    if not stored and excess > 0 then
      for _, id in ipairs(redis.call('ZRANGE', WATCHZ, 0, excess)) do
        if #trimmed < excess and id ~= op.videoId then trimmed[#trimmed + 1] = id end
      end
      redis.call('ZREM', WATCHZ, unpack(trimmed))
      redis.call('HDEL', WATCH, unpack(trimmed))
    end
    local quoted = {}
    for i, id in ipairs(trimmed) do quoted[i] = '"' .. id .. '"' end
    local crossed = completed and not (existing ~= nil and existing.completed)
    commit('{"type":"watch","entry":' .. entry .. ',"trimmed":[' .. table.concat(quoted, ',') .. ']}', crossed and 'completed' or nil)
  elseif t == 'watch:remove' then
    mark_removed(KEYS[12], op.videoId, now, WRITER, MAX_WATCH)
    if redis.call('HDEL', WATCH, op.videoId) == 1 then
      redis.call('ZREM', WATCHZ, op.videoId)
      commit('{"type":"watch:remove","videoId":"' .. op.videoId .. '"}')
    else
      commit('{"type":"noop"}')
    end
  elseif t == 'device:remove' then
    redis.call('HDEL', DEVICES, op.deviceId)
    redis.call('HDEL', CONN, op.deviceId)
    revoke(op.deviceId)
    commit('{"type":"noop"}')
    outbox_record(OUTBOX, HOOKSTATE, HOOKS, 'device.signed_out', now, nil, '{"deviceId":' .. cjson.encode(op.deviceId) .. '}', nil)
  elseif t == 'sign-out' then
    revoke('*')
    commit('{"type":"noop"}')
    outbox_record(OUTBOX, HOOKSTATE, HOOKS, 'device.signed_out', now, nil, '{"deviceId":null}', nil)
  end
end

if #changes > 0 then
  redis.call('HSET', META, 'version', version)
  redis.call('HSET', SEQ, WRITER, fmt(seq), WRITER .. ':v', version)
  if redis.call('LLEN', LOG) > tonumber(ARGV[9]) then redis.call('LTRIM', LOG, -tonumber(ARGV[9]), -1) end
end
keep_keys(ARGV[20])
redis.call('HSET', IDEM, IDEM_KEY, cjson.encode({ h = HASH, e = epoch, v = version, f = from, r = revoked_at }))
redis.call('ZADD', IDEMZ, now, IDEM_KEY)
redis.call('PEXPIRE', IDEM, TTL)
redis.call('PEXPIRE', IDEMZ, TTL)
local devices = false
if revoked_at ~= '' then devices = redis.call('HVALS', DEVICES) end
return { 'ok', epoch, version, from, revoked_at, publish and 1 or 0, changes, devices }
