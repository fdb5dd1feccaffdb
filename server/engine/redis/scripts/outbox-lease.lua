-- Takes or renews (ARGV[2] ms) the delivery lease of one user for owner ARGV[1], or releases it (ARGV[2] 0)
-- when the owner holds it. KEYS: 1 lease. Returns 1 when the owner holds it after the call.
local holder = redis.call('GET', KEYS[1])
local ms = tonumber(ARGV[2])
if ms == 0 then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return 0
end
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ms)
return 1
