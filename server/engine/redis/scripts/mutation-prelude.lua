-- The gate and the commit shared by the mutation scripts (prepended after prelude.lua).
-- KEYS: 1 meta (epoch, version, rate-limit bucket), 2 log, 3 seq, 4 conn, 5 revoked (6.. the state keys of the
-- script), then the user's other keys (for the retention only)
-- ARGV: 1 deviceId, 2 connId, 3 issuedAt, 4 seq, 5 perSecond, 6 burst, 7 random (epoch), 8 log cap (9.. the request),
-- and always last: the wanted webhook events ('' for none, see outbox.lua), retention ttl ms ('0' keeps keys),
-- fan-out channel ('' for none), prefix, suffix. The last two KEYS: the user's outbox and its state hash.
local META, LOG, SEQ, CONN, REVOKED = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local OUTBOX, HOOKSTATE, HOOKS = KEYS[#KEYS - 1], KEYS[#KEYS], ARGV[#ARGV - 4]
local DEVICE, CONN_ID, ISSUED_AT, SEQ_STR = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local FANOUT_CHANNEL, FANOUT_PREFIX, FANOUT_SUFFIX = ARGV[#ARGV - 2], ARGV[#ARGV - 1], ARGV[#ARGV]
local RETENTION_MS = ARGV[#ARGV - 3]

-- The refusal of a request after its token was taken (rate limit, rules): the bucket is stored.
local function refuse(ctx, code, message)
  redis.call('HSET', META, 'tokens', ctx.tokens, 'ts', string.format('%d', ctx.now))
  return refusal(code, message)
end

-- The resent mutation's change as logged, or '' when the log no longer has it in this epoch. A node that waits
-- for replicas (REDIS_MIN_REPLICAS_ACK) pushes a change only once it is replicated; when the first answer was
-- `unavailable`, the resend's duplicate answer is the moment to push it. `at` is the version of the device's
-- last applied seq: this mutation's change is there or, for an earlier seq of the same batch, up to 127
-- versions before. The log is contiguous in versions up to `version` (a fork continues them); the prefix
-- check makes sure an entry is this device's mutation in this epoch.
local function logged_change(epoch, version, at)
  if not at or at > version then return '' end
  local from = math.max(1, at - 127, version - tonumber(ARGV[8]) + 1)
  if from > at then return '' end
  local entries = redis.call('LRANGE', LOG, from - version - 1, at - version - 1)
  local tail = ',"deviceId":"' .. DEVICE .. '","seq":' .. SEQ_STR .. ','
  for i = #entries, 1, -1 do
    local prefix = '{"epoch":"' .. epoch .. '","version":' .. string.format('%d', from + i - 1) .. tail
    if string.sub(entries[i], 1, #prefix) == prefix then return entries[i] end
  end
  return ''
end

-- Checks in the same order as the memory engine: revocation, connection, rate limit, duplicate.
-- Returns the commit context, or the reply to return at once (an error, or the duplicate answer).
-- Once a token is taken, every way out must store the bucket: commit() does, and so does refuse().
local function gate()
  local now = now_ms()
  -- A new user, a store that lost its data or one that went back in time: see current_meta.
  local epoch, version, _, _, tokens_raw, ts_raw = current_meta(META, ARGV[7], now)
  -- Whatever the outcome, the meta (maybe just made) lives on from now; commit() keeps every key.
  keep_key(META, RETENTION_MS)
  if is_revoked(REVOKED, DEVICE, ISSUED_AT) then
    return nil, refusal('unauthorized', 'session revoked')
  end
  if redis.call('HGET', CONN, DEVICE) ~= CONN_ID then
    return nil, refusal('conflict', 'this connection was superseded by a newer one of the same device')
  end
  local allowed, tokens = bucket_take(tokens_raw, ts_raw, now, tonumber(ARGV[5]), tonumber(ARGV[6]))
  local ctx = { now = now, epoch = epoch, version = version, tokens = tokens }
  if not allowed then
    return nil, refuse(ctx, 'rate_limited', 'too many requests')
  end
  -- Exactly-once: the last applied seq is written by commit() in this same script, so a resend,
  -- however late, finds it. Seqs are integers below 2^53: exact as Lua doubles.
  local applied = redis.call('HMGET', SEQ, DEVICE, DEVICE .. ':v')
  if applied[1] and tonumber(SEQ_STR) <= tonumber(applied[1]) then
    redis.call('HSET', META, 'tokens', tokens, 'ts', string.format('%d', now))
    return nil, { 'dup', epoch, tonumber(applied[2]), logged_change(epoch, version, tonumber(applied[2])) }
  end
  return ctx, nil
end

-- Bumps the version, appends the change to the bounded log and records the device's seq, all in this script.
-- The change is assembled as text so `seq` keeps every digit (cjson would print 14 significant digits).
-- The events the change causes are recorded in the same script (hint: see outbox_change).
local function commit(ctx, op_json, hint)
  local version = ctx.version + 1
  redis.call('HSET', META, 'version', version, 'tokens', ctx.tokens, 'ts', string.format('%d', ctx.now))
  local change = '{"epoch":"' .. ctx.epoch .. '","version":' .. string.format('%d', version) ..
    ',"deviceId":"' .. DEVICE .. '","seq":' .. SEQ_STR .. ',"at":' .. string.format('%d', ctx.now) ..
    ',"op":' .. op_json .. '}'
  if redis.call('RPUSH', LOG, change) > tonumber(ARGV[8]) then
    redis.call('LTRIM', LOG, -tonumber(ARGV[8]), -1)
  end
  redis.call('HSET', SEQ, DEVICE, SEQ_STR, DEVICE .. ':v', version)
  outbox_change(OUTBOX, HOOKSTATE, HOOKS, ctx.now, version, op_json, hint)
  keep_keys(RETENTION_MS)
  -- Publishing here saves the node a round trip and puts the pushes in exactly the versions' order.
  -- The channel carries the user's hash tag, so on a Redis Cluster it lives in this script's slot.
  if FANOUT_CHANNEL ~= '' then
    redis.call('SPUBLISH', FANOUT_CHANNEL, FANOUT_PREFIX .. change .. FANOUT_SUFFIX)
    return { 'ok', change, 1 }
  end
  return { 'ok', change, 0 }
end
