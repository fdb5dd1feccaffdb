-- What a socket asks right after it (re)connects, in one call instead of three: a rate token, the sync
-- from its version and the user's device list. The session's revocation is checked here, in the same atomic
-- step as the read, so a revoked session reads nothing even when the revoke signal never reached its node.
-- KEYS: 1 meta, 2 log, 3 cart, 4 watch, 5 devices, 6 revoked.
-- ARGV: 1 since epoch ('' for none), 2 since version, 3 random, 4 batch, 5 perSecond, 6 burst,
-- 7 the reader's deviceId ('' for none), 8 its token's issuedAt, 9 its token mark ('' when unknown),
-- 10 byte limit of the changes, 11 paged ('1': the client pages a long catch-up), 12 bytes per extra token.
-- The answer costs one token more per ARGV[12] bytes, charged once it is built.
-- Returns the devices and the sync reply, or refuses with unauthorized or rate_limited.
if session_revoked(KEYS[6], ARGV[7], tonumber(ARGV[8]), ARGV[9]) then return refusal('unauthorized', 'session revoked') end
local now = now_ms()
if not take_token(KEYS[1], now, tonumber(ARGV[5]), tonumber(ARGV[6])) then return refusal('rate_limited', 'too many requests') end
local sync = sync_reply(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), now, tonumber(ARGV[10]), ARGV[11] == '1')
local devices = redis.call('HVALS', KEYS[5])
charge_tokens(KEYS[1], answer_cost(sync_bytes(sync) + list_bytes(devices), tonumber(ARGV[12])), tonumber(ARGV[6]))
return { devices, sync }
