-- The dispatcher's read of one user's outbox (prepended: prelude.lua). Seals, from the head, the entries that
-- are due: cart.updated and watch.progress once `debounce` passed since their last change (cart.updated then
-- carries the cart and version of this moment, consistent with each other), device.disconnected once `grace`
-- passed, or cancelled with the reconnect that followed it within the grace (both become 'skip'). Events
-- the bound refused (`drop`) become one events.dropped at the tail. Same rules as memory-outbox.ts.
-- KEYS: 1 outbox, 2 outbox state, 3 meta, 4 cart. ARGV: 1 debounce ms, 2 grace ms, 3 most entries.
-- Returns { sealed entries from the head, first open entry's due time or -1, state hash (flat) }.
local OUTBOX, STATE, META, CART = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local debounce, grace, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local function f(n) return string.format('%d', n) end

local drop = tonumber(redis.call('HGET', STATE, 'drop') or '0')
if drop > 0 then
  local seq = redis.call('HINCRBY', STATE, 'seq', 1)
  local entry = '{"s":' .. f(seq) .. ',"id":"evt_' .. string.sub(redis.sha1hex(OUTBOX), 1, 10) .. string.format('%x', now) ..
    '_' .. f(seq) .. '","t":"events.dropped","at":' .. f(now) .. ',"d":{"count":' .. f(drop) .. '}}'
  redis.call('RPUSH', OUTBOX, entry)
  redis.call('HSET', STATE, 'drop', 0)
  redis.call('HINCRBY', STATE, 'bytes', #entry)
end

local raws = redis.call('LRANGE', OUTBOX, 0, limit - 1)
local sealed, due = {}, -1
local function rewrite(i, old, new)
  redis.call('LSET', OUTBOX, i - 1, new)
  redis.call('HINCRBY', STATE, 'bytes', #new - #old)
  raws[i] = new
end
local function head(e)
  return '{"s":' .. f(e.s) .. ',"id":"' .. e.id .. '","t":"' .. e.t .. '","at":' .. f(e.at) .. (e.v and (',"v":' .. f(e.v)) or '')
end

local i = 1
while i <= #raws do
  local raw = raws[i]
  local e = cjson.decode(raw)
  if e.o == 1 then
    if e.t == 'device.disconnected' then
      local back = nil
      for j = i + 1, #raws do
        local g = cjson.decode(raws[j])
        if g.t == 'device.connected' and g.d.deviceId == e.d.deviceId then back = { j, g }; break end
      end
      if back and back[2].at - e.last <= grace then
        e.t = 'skip'
        rewrite(i, raw, head(e) .. ',"d":{}}')
        local g = back[2]
        g.t = 'skip'
        rewrite(back[1], raws[back[1]], head(g) .. ',"d":{}}')
      elseif now >= e.last + grace then
        rewrite(i, raw, head(e) .. ',"d":' .. cjson.encode(e.d) .. '}')
      else
        due = e.last + grace
        break
      end
    elseif now >= e.last + debounce then
      if e.t == 'cart.updated' then
        local m = redis.call('HMGET', META, 'epoch', 'version')
        e.v = tonumber(m[2] or '0')
        local lines = redis.call('HVALS', CART)
        rewrite(i, raw, head(e) .. ',"d":{"epoch":' .. cjson.encode(m[1] or '') .. ',"cart":[' .. table.concat(lines, ',') .. ']}}')
      else
        rewrite(i, raw, head(e) .. ',"d":' .. string.match(raw, '"d":(%b{})}$') .. '}')
      end
    else
      due = e.last + debounce
      break
    end
  end
  sealed[#sealed + 1] = raws[i]
  i = i + 1
end
return { sealed, due, redis.call('HGETALL', STATE) }
