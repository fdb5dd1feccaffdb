-- Step 1 (and the account's read) of a guest merge: one user's state at one version, read atomically.
-- KEYS: 1 meta, 2 cart, 3 watch, 4 merges. ARGV: 1 random (a missing meta gets an epoch; '' leaves it missing),
-- 2 guest id whose merge marker to report ('' for none)
-- Reply: { exists (0/1), epoch, version, cart lines, watch entries, marked (0/1) }
local marked = ARGV[2] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[2]) or 0
if redis.call('HEXISTS', KEYS[1], 'epoch') == 0 and ARGV[1] == '' then return { 0, '', 0, {}, {}, marked } end
-- The guest is read as is; the account gets its meta made (or its log forked) in this store's history.
local epoch, version
if ARGV[1] == '' then
  local m = redis.call('HMGET', KEYS[1], 'epoch', 'version')
  epoch, version = m[1], tonumber(m[2])
else
  epoch, version = current_meta(KEYS[1], ARGV[1], now_ms())
end
return { 1, epoch, version, redis.call('HVALS', KEYS[2]), redis.call('HVALS', KEYS[3]), marked }
