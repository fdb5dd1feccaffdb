-- A page of a user's changes after a version, for the backend API. Creates nothing.
-- KEYS: 1 meta, 2 log, 3 devices. ARGV: 1 epoch ('' for the current one), 2 since version, 3 limit, 4 random.
-- Answers nil for an unknown user, { 'gone', epoch, version } when the log no longer reaches back,
-- else { 'changes', epoch, version, changes }.
local m = redis.call('HMGET', KEYS[1], 'epoch', 'version')
local version = tonumber(m[2] or '0')
if (not m[1] or version == 0) and redis.call('HLEN', KEYS[3]) == 0 then return false end
-- As a sync would: a user with only devices gets its meta, one written under another history forks.
local epoch
epoch, version = current_meta(KEYS[1], ARGV[4], now_ms())
local missing = version - tonumber(ARGV[2])
if (ARGV[1] ~= '' and ARGV[1] ~= epoch) or missing < 0 or missing > redis.call('LLEN', KEYS[2]) then
  return { 'gone', epoch, version }
end
if missing == 0 then return { 'changes', epoch, version, {} } end
local first = -missing
local last = math.min(-1, first + tonumber(ARGV[3]) - 1)
return { 'changes', epoch, version, redis.call('LRANGE', KEYS[2], first, last) }
