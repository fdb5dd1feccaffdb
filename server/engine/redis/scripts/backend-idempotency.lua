-- The Idempotency-Key record of a backend call that is not a backendWrite (checkout, merge): claimed before
-- the call with the request's hash, settled with the answer after it. The call itself is safe to repeat
-- (by checkout id, by merge marker), so a claim left unsettled by a node that died is simply run again.
-- Same record and expiry as backend-write.lua (a key is one call, whatever route it was used on).
-- KEYS: 1 idem (key -> record), 2 idemz (key by time)
-- ARGV: 1 'claim' | 'settle', 2 idempotency key, 3 request hash, 4 key ttl ms, 5 keys per user, 6 answer (settle)
local IDEM, IDEMZ, KEY, HASH, TTL = KEYS[1], KEYS[2], ARGV[2], ARGV[3], tonumber(ARGV[4])
local now = now_ms()

if ARGV[1] == 'settle' then
  redis.call('HSET', IDEM, KEY, cjson.encode({ h = HASH, a = ARGV[6] }))
  redis.call('ZADD', IDEMZ, now, KEY)
else
  local expired = redis.call('ZRANGEBYSCORE', IDEMZ, '-inf', now - TTL, 'LIMIT', 0, 200)
  if #expired > 0 then
    redis.call('ZREM', IDEMZ, unpack(expired))
    redis.call('HDEL', IDEM, unpack(expired))
  end
  local seen = redis.call('HGET', IDEM, KEY)
  if seen then
    local r = cjson.decode(seen)
    if r.h ~= HASH then return refusal('idempotency_key_reused', 'this Idempotency-Key was used for a different request') end
    if r.a then return { 'done', r.a } end
    return { 'pending' }
  end
  if redis.call('ZCARD', IDEMZ) >= tonumber(ARGV[5]) then
    return refusal('rate_limited', 'too many Idempotency-Keys held for this user; retry later')
  end
  redis.call('HSET', IDEM, KEY, cjson.encode({ h = HASH }))
  redis.call('ZADD', IDEMZ, now, KEY)
end
redis.call('PEXPIRE', IDEM, TTL)
redis.call('PEXPIRE', IDEMZ, TTL)
return { ARGV[1] == 'settle' and 'settled' or 'new' }
