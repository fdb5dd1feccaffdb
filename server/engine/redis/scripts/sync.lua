-- The changes after a client's version, or a snapshot, read in one script so the state and the version
-- it reports are consistent (no mutation interleaves). Decides as server/domain/sync.ts.
-- KEYS: 1 meta, 2 log, 3 cart, 4 watch. ARGV: 1 since epoch ('' for none), 2 since version, 3 random, 4 batch
local now = now_ms()
local epoch, version = ensure_meta(KEYS[1], ARGV[3], now)
local since = tonumber(ARGV[2])
if ARGV[1] == epoch and since <= version then
  local missing = version - since
  if missing <= redis.call('LLEN', KEYS[2]) and missing <= tonumber(ARGV[4]) then
    if missing == 0 then return { 'changes', epoch, version, {} } end
    return { 'changes', epoch, version, redis.call('LRANGE', KEYS[2], -missing, -1) }
  end
end
return { 'snapshot', epoch, version, redis.call('HVALS', KEYS[3]), redis.call('HVALS', KEYS[4]) }
