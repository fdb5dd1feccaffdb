-- Removes swept members from {presence}, unless they were touched again since the sweep read them
-- (their score moved past the cutoff), so a device that reconnected meanwhile stays tracked.
-- KEYS: 1 {presence}. ARGV: 1 cutoff, 2.. members.
local cutoff = tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) <= cutoff then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
