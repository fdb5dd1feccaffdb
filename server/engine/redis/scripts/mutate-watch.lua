-- One watch report, atomically: gate (revocation, connId, rate limit, dedup), rules, commit.
-- Redis's side of decideWatch in client-sdk/src/rules/watch.ts. KEYS[6] watch (hash), 7 watchz (zset by updatedAt).
-- KEYS[8] watchgone (hash videoId -> removal mark: reportedBeforeRemoval).
-- ARGV[9] videoId, 10 positionSec, 11 durationSec, 12 at, 13 kind, 14 max entries, 15 resume rules (resume-rules.lua)
local ctx, early = gate()
if early then return early end

local WATCH, WATCHZ, video = KEYS[6], KEYS[7], ARGV[9]
local pos, dur = tonumber(ARGV[10]), tonumber(ARGV[11])
local at = math.min(tonumber(ARGV[12]), ctx.now)

local gone = redis.call('HGET', KEYS[8], video)
if gone then
  local removed_at, by = string.match(gone, '^(%d+) (.*)$')
  if by ~= DEVICE and at < tonumber(removed_at) then return commit(ctx, '{"type":"noop"}') end
end

local stored = redis.call('HGET', WATCH, video)
local was_completed = false
if stored then
  local existing = cjson.decode(stored)
  if at <= existing.updatedAt or (ARGV[13] == 'progress' and pos < existing.positionSec) then
    return commit(ctx, '{"type":"noop"}')
  end
  was_completed = existing.completed
end
local resume_at, completed = resume_point(pos, dur, was_completed, parse_rules(ARGV[15]))

-- Seconds arrive rounded to the ms, so cjson's 14 significant digits print them exactly.
local entry = cjson.encode({
  videoId = video, positionSec = resume_at, durationSec = dur, updatedAt = at, deviceId = DEVICE,
  completed = completed,
})
redis.call('HSET', WATCH, video, entry)
redis.call('ZADD', WATCHZ, at, video)
if gone then redis.call('HDEL', KEYS[8], video) end

-- Past the cap, trim the oldest entries other than this one (zset order: score, then bytes of the id).
local trimmed = {}
local excess = redis.call('ZCARD', WATCHZ) - tonumber(ARGV[14])
if not stored and excess > 0 then
  for _, id in ipairs(redis.call('ZRANGE', WATCHZ, 0, excess)) do
    if #trimmed < excess and id ~= video then trimmed[#trimmed + 1] = id end
  end
  redis.call('ZREM', WATCHZ, unpack(trimmed))
  redis.call('HDEL', WATCH, unpack(trimmed))
end
local quoted = {}
for i, id in ipairs(trimmed) do quoted[i] = '"' .. id .. '"' end
local crossed = completed and not was_completed
return commit(ctx, '{"type":"watch","entry":' .. entry .. ',"trimmed":[' .. table.concat(quoted, ',') .. ']}', crossed and 'completed' or nil)
