-- Erases every key of one user (KEYS: all of them, devices first) in one step; answers the device ids it had.
local devices = redis.call('HKEYS', KEYS[1])
local gone = redis.call('DEL', unpack(KEYS))
return { gone, devices }
