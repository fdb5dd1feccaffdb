-- Revokes, from now (Redis time), the tokens issued before: of one device, or of every device ('*').
-- KEYS: 1 revoked. ARGV: 1 deviceId or '*'. Keeps the latest mark. Returns now.
local now = now_ms()
local existing = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', math.max(now, existing)))
return now
