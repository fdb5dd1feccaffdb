-- Marks this user's listed devices offline when they are online and not seen for staleMs (their node died).
-- Rechecks lastSeen here, atomically, so a device touched since the {presence} read is left alone.
-- KEYS: 1 devices, 2 conn. ARGV: 1 staleMs, 2.. deviceIds.
-- Returns the ids that need no more sweeping (offline or gone) and the devices if any changed.
local cutoff = now_ms() - tonumber(ARGV[1])
local settled, changed = {}, false
for i = 2, #ARGV do
  local device_id = ARGV[i]
  local raw = redis.call('HGET', KEYS[1], device_id)
  local d = raw and cjson.decode(raw)
  if not d or not d.online then
    settled[#settled + 1] = device_id
  elseif d.lastSeen <= cutoff then
    d.online = false
    d.nodeId = ''
    redis.call('HSET', KEYS[1], device_id, cjson.encode(d))
    redis.call('HDEL', KEYS[2], device_id)
    settled[#settled + 1] = device_id
    changed = true
  end
end
if changed then return { settled, redis.call('HVALS', KEYS[1]) } end
return { settled }
