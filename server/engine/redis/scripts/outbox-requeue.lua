-- Appends replayed events (sealed, with their ids) at the tail of one user's outbox, for one endpoint only.
-- KEYS: 1 outbox, 2 outbox state. ARGV: 1 endpoint id, 2.. the events as JSON {id, t, at, v?, d}.
for i = 2, #ARGV do
  local e = cjson.decode(ARGV[i])
  local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
  local entry = '{"s":' .. string.format('%d', seq) .. ',"id":' .. cjson.encode(e.id) .. ',"t":' .. cjson.encode(e.t) ..
    ',"at":' .. string.format('%d', e.at) .. (e.v and (',"v":' .. string.format('%d', e.v)) or '') ..
    ',"only":' .. cjson.encode(ARGV[1]) .. ',"d":' .. cjson.encode(e.d) .. '}'
  redis.call('RPUSH', KEYS[1], entry)
  redis.call('HINCRBY', KEYS[2], 'bytes', #entry)
end
return #ARGV - 1
