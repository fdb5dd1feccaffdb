-- Revokes, from now (Redis time), the tokens issued before: of one known device, or of every device ('*');
-- with a token mark, also that token until it expires. Marks of tokens already expired are pruned, so the
-- hash holds at most the user's devices, '*' and the tokens still alive.
-- KEYS: 1 revoked, 2 devices. ARGV: 1 deviceId or '*', 2 token mark ('' for none), 3 its expiry (ms).
-- Keeps the latest device mark. Returns now.
local now = now_ms()
if ARGV[1] ~= '*' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return refusal('not_found', 'no such device')
end
local existing = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', math.max(now, existing)))
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 2) == 't:' and tonumber(fields[i + 1]) < now then redis.call('HDEL', KEYS[1], fields[i]) end
end
if ARGV[2] ~= '' and tonumber(ARGV[3]) >= now then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
end
return now
