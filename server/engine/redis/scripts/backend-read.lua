-- A user as the backend API shows it, read in one step so the state matches the version.
-- KEYS: 1 meta, 2 cart, 3 watch, 4 devices, 5 log. ARGV: 1 '1' to add the whole log (export), 2 random (epoch).
-- An unknown user (nothing committed, no device) answers nil and creates nothing; a user with only devices
-- gets its meta (as a sync would), so its answer has an epoch.
local m = redis.call('HMGET', KEYS[1], 'epoch', 'version')
local version = tonumber(m[2] or '0')
local devices = redis.call('HVALS', KEYS[4])
if (not m[1] or version == 0) and #devices == 0 then return false end
-- As a sync would: a user with only devices gets its meta, one written under another history forks.
local epoch
epoch, version = current_meta(KEYS[1], ARGV[2], now_ms())
local log = {}
if ARGV[1] == '1' then log = redis.call('LRANGE', KEYS[5], 0, -1) end
return { epoch, version, redis.call('HVALS', KEYS[2]), redis.call('HVALS', KEYS[3]), devices, log }
