-- Erases every key of one user (KEYS: all of them, devices first, then the outbox and its state, which are
-- kept) in one step; answers the device ids it had. `user.erased` goes to the outbox, which outlives the erase
-- so that the backend learns of it (ARGV: 1 wanted webhook events).
local OUTBOX, HOOKSTATE = KEYS[#KEYS - 1], KEYS[#KEYS]
local devices = redis.call('HKEYS', KEYS[1])
local gone = redis.call('DEL', unpack(KEYS, 1, #KEYS - 2))
if gone > 0 then outbox_record(OUTBOX, HOOKSTATE, ARGV[1], 'user.erased', now_ms(), nil, '{}', nil) end
return { gone, devices }
