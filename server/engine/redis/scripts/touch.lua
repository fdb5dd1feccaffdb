-- Refreshes lastSeen of this user's devices that are still on the given connections.
-- KEYS: 1 devices, 2 conn. ARGV: deviceId, connId pairs. Returns now and the touched deviceIds (for {presence}).
local now = now_ms()
local touched = {}
for i = 1, #ARGV, 2 do
  local device_id = ARGV[i]
  if redis.call('HGET', KEYS[2], device_id) == ARGV[i + 1] then
    local raw = redis.call('HGET', KEYS[1], device_id)
    if raw then
      local d = cjson.decode(raw)
      d.lastSeen = now
      redis.call('HSET', KEYS[1], device_id, cjson.encode(d))
      touched[#touched + 1] = device_id
    end
  end
end
return { now, touched }
