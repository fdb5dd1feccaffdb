-- Shared helpers, prepended to the scripts that need them when the engine loads them.
-- A script built from prelude + body is still ONE script: Redis runs it atomically (no other command
-- interleaves), so every check and write below sees and leaves a consistent state of the user.

-- Refuses with a protocol error code. The reply is an error whose text is a marker and then the code and
-- message as JSON, so any text survives in the message; server/engine/redis/redis-errors.ts parses it.
local function refusal(code, message)
  return { err = 'TANDEM ' .. cjson.encode({ code = code, message = message }) }
end

-- Server time in ms from Redis itself, so every node agrees on "now".
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The user's epoch and version. A missing meta (a new user, or a Redis that lost its data) gets a new epoch
-- made of the server time and a random id from the caller, so clients of a lost store resync from a snapshot.
local function ensure_meta(meta_key, random, now)
  local m = redis.call('HMGET', meta_key, 'epoch', 'version')
  if m[1] then return m[1], tonumber(m[2]) end
  local epoch = 'r' .. string.format('%d', now) .. '-' .. random
  redis.call('HSET', meta_key, 'epoch', epoch, 'version', 0)
  return epoch, 0
end

-- Same rule as server/domain/revocation.ts.
local function is_revoked(revoked_key, device_id, issued_at)
  local r = redis.call('HMGET', revoked_key, '*', device_id)
  return (r[1] and tonumber(r[1]) > issued_at) or (r[2] and tonumber(r[2]) > issued_at) or false
end

-- Whether a reading session is refused, by the same rule (and the token's own mark, '' when unknown). A
-- device_id of '' means the caller is not a session (an internal read): nothing to check.
local function session_revoked(revoked_key, device_id, issued_at, token_mark)
  if device_id == '' then return false end
  if is_revoked(revoked_key, device_id, issued_at) then return true end
  return token_mark ~= '' and redis.call('HEXISTS', revoked_key, token_mark) == 1
end

-- The user's rate-limit bucket lives in the meta hash (`tokens`, `ts`), so a mutation reads it with the epoch and
-- writes it with the version: one call each instead of four. Same expression, in the same order, as
-- server/domain/rate-limit.ts (so both engines agree to the bit). Returns whether a token was taken and the
-- tokens left, as text: `%.17g` stores the double exactly.
local function bucket_take(tokens_raw, ts_raw, now, per_second, burst)
  local tokens = burst
  if tokens_raw then
    local elapsed = math.max(0, now - tonumber(ts_raw))
    tokens = math.min(burst, tonumber(tokens_raw) + (elapsed * per_second) / 1000)
  end
  local allowed = tokens >= 1
  if allowed then tokens = tokens - 1 end
  return allowed, string.format('%.17g', tokens)
end

-- Takes one token from the bucket in the meta hash (requests that are not mutations).
local function take_token(meta_key, now, per_second, burst)
  local b = redis.call('HMGET', meta_key, 'tokens', 'ts')
  local allowed, tokens = bucket_take(b[1], b[2], now, per_second, burst)
  redis.call('HSET', meta_key, 'tokens', tokens, 'ts', string.format('%d', now))
  return allowed
end

-- As server/domain/rate-limit.ts: the tokens an answer of `bytes` costs beyond the one its request took.
local function answer_cost(bytes, per_token)
  return math.floor(bytes / per_token)
end

-- Takes `count` more tokens once an answer's size is known (after take_token in the same script), down to
-- -burst at most: the requests after it wait for the refill. As chargeTokens.
local function charge_tokens(meta_key, count, burst)
  if count <= 0 then return end
  local tokens = tonumber(redis.call('HGET', meta_key, 'tokens'))
  redis.call('HSET', meta_key, 'tokens', string.format('%.17g', math.max(-burst, tokens - count)))
end

-- Byte-wise string order (Lua's `<` follows the locale's collation, Redis' zsets and JS do not).
local function bytes_lt(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- A removed video's mark (videoId -> '<ms> <remover>'), so another device's report made before the removal
-- does not bring it back (reportedBeforeRemoval in client-sdk/src/rules/watch.ts). At most `cap` marks: past
-- it the oldest goes.
local function mark_removed(key, video, now, by, cap)
  redis.call('HSET', key, video, string.format('%d', now) .. ' ' .. by)
  if redis.call('HLEN', key) <= cap then return end
  local marks, oldest, at = redis.call('HGETALL', key), nil, nil
  for i = 1, #marks, 2 do
    local t = tonumber(string.match(marks[i + 1], '^%d+'))
    if marks[i] ~= video and (at == nil or t < at) then oldest, at = marks[i], t end
  end
  if oldest then redis.call('HDEL', key, oldest) end
end

-- Retention: every key of the script (scripts that write pass all the user's keys) gets `ttl_ms` (the user's retention; '0' or '' keeps them), so a user's
-- keys expire after that long without a write or a connect. A key that does not exist yet is skipped: the
-- script that creates it calls this again after writing.
local function keep_keys(ttl_ms)
  local ttl = tonumber(ttl_ms)
  if not ttl or ttl <= 0 then return end
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end

local function keep_key(key, ttl_ms)
  local ttl = tonumber(ttl_ms)
  if ttl and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
end
