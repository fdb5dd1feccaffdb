-- A device's mutations in order, in this one script (so nothing interleaves between them). Each runs the very
-- code it runs when sent on its own: the engine wraps each mutation script, preludes included, as a function of
-- its own KEYS and ARGV (MUTATIONS, defined above this file when the engine loads it), so every check, the rate
-- token and the dedup apply per mutation, and a refused one leaves the state as it was.
-- KEYS: every key of the mutations, once. ARGV, per mutation: script name, key count, the keys' positions in
-- KEYS, arg count, the args.
-- Returns { replies of the applied mutations, the refusal of the next one ('' when none was refused) }; the
-- mutations after a refused one are not tried.
local replies = {}
local i = 1
while i <= #ARGV do
  local body = MUTATIONS[ARGV[i]]
  if not body then return redis.error_reply('bad_request unknown mutation script') end
  local key_count = tonumber(ARGV[i + 1])
  local keys = {}
  for k = 1, key_count do keys[k] = KEYS[tonumber(ARGV[i + 1 + k])] end
  i = i + 2 + key_count
  local arg_count = tonumber(ARGV[i])
  local args = {}
  for a = 1, arg_count do args[a] = ARGV[i + a] end
  i = i + 1 + arg_count
  local reply = body(keys, args)
  if reply.err then return { replies, reply.err } end
  replies[#replies + 1] = reply
end
return { replies, '' }
