-- `watch:remove`, atomically: gate (revocation, connId, rate limit, dedup), then the video leaves the watch
-- hash and the continue-watching zset. Redis's side of decideWatchRemove in client-sdk/src/rules/watch.ts.
-- KEYS[6] watch (hash), 7 watchz (zset), 8 watchgone (removal marks). ARGV[9] videoId, 10 most marks
local ctx, early = gate()
if early then return early end

-- Marked even when there is no entry: the device's first report of it may still be on its way.
mark_removed(KEYS[8], ARGV[9], ctx.now, DEVICE, tonumber(ARGV[10]))
if redis.call('HDEL', KEYS[6], ARGV[9]) == 1 then
  redis.call('ZREM', KEYS[7], ARGV[9])
  return commit(ctx, '{"type":"watch:remove","videoId":"' .. ARGV[9] .. '"}')
end
return commit(ctx, '{"type":"noop"}')
