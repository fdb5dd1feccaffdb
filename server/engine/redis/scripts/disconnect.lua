-- Marks a device offline if connId is still its current connection (a newer connection is left alone).
-- KEYS: 1 devices, 2 conn, 3 outbox, 4 outbox state. ARGV: 1 deviceId, 2 connId, 3 wanted webhook events.
-- Returns the devices, or nil when nothing changed. `device.disconnected` waits out a grace in the outbox
-- (a reconnect within it cancels both: see sealing in server/webhooks/seal.ts).
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
outbox_record(KEYS[3], KEYS[4], ARGV[3], 'device.disconnected', d.lastSeen, nil, '{"deviceId":' .. cjson.encode(device_id) .. '}', 'd:' .. device_id)
return redis.call('HVALS', KEYS[1])
