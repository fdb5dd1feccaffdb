-- `devices:list` of a session: its revocation (as in resume.lua), a rate token, then the user's devices, in one
-- atomic step. KEYS: 1 meta, 2 devices, 3 revoked. ARGV: 1 perSecond, 2 burst, 3 deviceId, 4 issuedAt, 5 token mark.
if session_revoked(KEYS[3], ARGV[3], tonumber(ARGV[4]), ARGV[5]) then return refusal('unauthorized', 'session revoked') end
if not take_token(KEYS[1], now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2])) then return refusal('rate_limited', 'too many requests') end
return redis.call('HVALS', KEYS[2])
