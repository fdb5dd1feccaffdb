-- Marks a device offline if connId is still its current connection (a newer connection is left alone).
-- KEYS: 1 devices, 2 conn. ARGV: 1 deviceId, 2 connId. Returns the devices, or nil when nothing changed.
local device_id = ARGV[1]
if redis.call('HGET', KEYS[2], device_id) ~= ARGV[2] then return nil end
redis.call('HDEL', KEYS[2], device_id)
local raw = redis.call('HGET', KEYS[1], device_id)
if not raw then return nil end
local d = cjson.decode(raw)
if not d.online then return nil end
d.online = false
d.nodeId = ''
d.lastSeen = now_ms()
redis.call('HSET', KEYS[1], device_id, cjson.encode(d))
return redis.call('HVALS', KEYS[1])
