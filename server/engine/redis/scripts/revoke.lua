-- Revokes, from now (Redis time), the tokens issued before: of one known device, or of every device ('*');
-- with a token mark, also that token until it expires. On the way it prunes what can no longer refuse
-- anything: token marks past their token's expiry, and device and '*' marks older than the longest accepted
-- token lifetime (every token issued before such a mark has expired). The hash thus holds at most '*', the
-- devices signed out within that lifetime and the revoked tokens still alive.
-- KEYS: 1 revoked, 2 devices, then every other key of the user (kept for its retention).
-- ARGV: 1 deviceId or '*', 2 token mark ('' for none), 3 its expiry (ms),
-- 4 the longest token lifetime (ms; 0 keeps device marks), 5 retention ttl ms ('0' keeps).
-- Keeps the latest device mark. Returns now.
local now = now_ms()
if ARGV[1] ~= '*' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return refusal('not_found', 'no such device')
end
local existing = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', math.max(now, existing)))
local horizon = tonumber(ARGV[4]) or 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local field, value = fields[i], tonumber(fields[i + 1])
  if string.sub(field, 1, 2) == 't:' then
    if value < now then redis.call('HDEL', KEYS[1], field) end
  elseif horizon > 0 and value < now - horizon then
    redis.call('HDEL', KEYS[1], field)
  end
end
if ARGV[2] ~= '' and tonumber(ARGV[3]) >= now then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
end
keep_keys(ARGV[5])
return now
