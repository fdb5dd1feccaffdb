-- The {presence} members (user, device) not seen for staleMs, by Redis time, at most `limit` of them.
-- KEYS: 1 {presence}. ARGV: 1 staleMs, 2 limit. Returns the cutoff and the members.
local cutoff = now_ms() - tonumber(ARGV[1])
return { string.format('%d', cutoff), redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[2])) }
