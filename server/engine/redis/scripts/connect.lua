-- Registers a connecting device atomically: revocation check, a rate token (a connect costs like a request),
-- device cap (evict the offline device seen longest ago, with its applied seq, else refuse), then the device
-- becomes online with this connId as its current connection.
-- KEYS: 1 devices, 2 conn, 3 revoked, 4 meta, 5 seq, 6 outbox, 7 outbox state (outbox.lua).
-- ARGV: 1 deviceId, 2 connId, 3 issuedAt, 4 name, 5 kind, 6 nodeId, 7 max devices, 8 per second, 9 burst,
-- 10 the token's mark (t:<token id>, '' when unknown), 11 wanted webhook events ('' none)
local DEVICES, CONN = KEYS[1], KEYS[2]
local device_id = ARGV[1]
if is_revoked(KEYS[3], device_id, tonumber(ARGV[3])) or (ARGV[10] ~= '' and redis.call('HEXISTS', KEYS[3], ARGV[10]) == 1) then
  return refusal('unauthorized', 'session revoked')
end
local now = now_ms()
if not take_token(KEYS[4], now, tonumber(ARGV[8]), tonumber(ARGV[9])) then
  return refusal('rate_limited', 'too many requests')
end
if redis.call('HEXISTS', DEVICES, device_id) == 0 and redis.call('HLEN', DEVICES) >= tonumber(ARGV[7]) then
  local pick
  for _, raw in ipairs(redis.call('HVALS', DEVICES)) do
    local d = cjson.decode(raw)
    if not d.online and (not pick or d.lastSeen < pick.lastSeen or
        (d.lastSeen == pick.lastSeen and bytes_lt(d.deviceId, pick.deviceId))) then
      pick = d
    end
  end
  if not pick then
    return refusal('forbidden', 'at most ' .. ARGV[7] .. ' devices may be online at once')
  end
  redis.call('HDEL', DEVICES, pick.deviceId)
  redis.call('HDEL', CONN, pick.deviceId)
  -- Both of its seq fields: the last applied seq and the version it committed at.
  redis.call('HDEL', KEYS[5], pick.deviceId, pick.deviceId .. ':v')
end
redis.call('HSET', DEVICES, device_id, cjson.encode({
  deviceId = device_id, name = ARGV[4], kind = ARGV[5], connectedAt = now, lastSeen = now,
  online = true, nodeId = ARGV[6],
}))
redis.call('HSET', CONN, device_id, ARGV[2])
outbox_record(KEYS[6], KEYS[7], ARGV[11], 'device.connected', now, nil,
  '{"deviceId":' .. cjson.encode(device_id) .. ',"name":' .. cjson.encode(ARGV[4]) .. ',"kind":' .. cjson.encode(ARGV[5]) .. '}', nil)
return { now, redis.call('HVALS', DEVICES) }
