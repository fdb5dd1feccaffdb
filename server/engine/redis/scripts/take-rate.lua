-- Takes one token from the user's bucket (requests that are not mutations). KEYS: 1 meta (the bucket's fields). ARGV: 1 perSecond, 2 burst.
if take_token(KEYS[1], now_ms(), tonumber(ARGV[1]), tonumber(ARGV[2])) then return 1 end
return refusal('rate_limited', 'too many requests')
