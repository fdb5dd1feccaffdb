-- Removes the head entries of one user's outbox that every target is done with (seq <= ARGV[1]), keeping
-- the byte count right. KEYS: 1 outbox, 2 outbox state, 3 meta. Returns how many entries remain. An empty
-- outbox of a user that no longer exists (erased, expired) leaves nothing behind: its state goes too.
local upto = tonumber(ARGV[1])
local freed = 0
while true do
  local raw = redis.call('LINDEX', KEYS[1], 0)
  if not raw then break end
  if tonumber(string.match(raw, '^{"s":(%d+)')) > upto then break end
  redis.call('LPOP', KEYS[1])
  freed = freed + #raw
end
if freed > 0 then redis.call('HINCRBY', KEYS[2], 'bytes', -freed) end
local left = redis.call('LLEN', KEYS[1])
if left == 0 then
  if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('DEL', KEYS[2]) else redis.call('HSET', KEYS[2], 'bytes', 0) end
end
return left
