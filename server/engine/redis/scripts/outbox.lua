-- The user's webhook outbox (server/webhooks/outbox.ts): an event is recorded by the very script that commits
-- the change causing it, in the user's slot, so a change and its event exist together or not at all.
-- OUTBOX: list of entries, oldest first. HOOKSTATE: hash `seq` (last event seq), `bytes` (sum of entry sizes),
-- `drop` (events refused at the bound, reported as one `events.dropped`), and the dispatcher's cursors.
-- Neither key is in the user's erase list: pending events and `user.erased` outlive the erase.
-- HOOKS is '' when no endpoint and no pull reader wants events (one comparison per write), else
-- ',type,type,' of the wanted types. Bounds as OUTBOX_LIMITS in server/webhooks/outbox.ts.
local OUTBOX_MAX_ENTRIES, OUTBOX_MAX_BYTES = 10000, 4194304

local function hook_wanted(hooks, event_type)
  return hooks ~= '' and string.find(hooks, ',' .. event_type .. ',', 1, true) ~= nil
end

local function hfmt(n) return string.format('%d', n) end

-- Appends one event. `key` (debounced types): an open entry of the same type and key at the tail absorbs it
-- (same id and seq; version, data and `last` move on) until the dispatcher seals it. At the bound the write
-- still succeeds; the event is counted in `drop` instead, never silently lost.
local function outbox_record(outbox, state, hooks, event_type, now, version, data_json, key)
  if not hook_wanted(hooks, event_type) then return end
  local vpart = version and (',"v":' .. hfmt(version)) or ''
  if key then
    local tail = redis.call('LINDEX', outbox, -1)
    if tail then
      local e = cjson.decode(tail)
      if e.o == 1 and e.t == event_type and e.k == key then
        local merged = '{"s":' .. hfmt(e.s) .. ',"id":"' .. e.id .. '","t":"' .. event_type .. '","at":' .. hfmt(e.at) ..
          ',"last":' .. hfmt(now) .. vpart .. ',"k":' .. cjson.encode(key) .. ',"o":1,"d":' .. data_json .. '}'
        redis.call('LSET', outbox, -1, merged)
        redis.call('HINCRBY', state, 'bytes', #merged - #tail)
        return
      end
    end
  end
  local bytes = tonumber(redis.call('HGET', state, 'bytes') or '0')
  if redis.call('LLEN', outbox) >= OUTBOX_MAX_ENTRIES or bytes + #data_json + 160 > OUTBOX_MAX_BYTES then
    redis.call('HINCRBY', state, 'drop', 1)
    return
  end
  local seq = redis.call('HINCRBY', state, 'seq', 1)
  local id = 'evt_' .. string.sub(redis.sha1hex(outbox), 1, 10) .. string.format('%x', now) .. '_' .. hfmt(seq)
  local open = key and (',"k":' .. cjson.encode(key) .. ',"o":1') or ''
  local entry = '{"s":' .. hfmt(seq) .. ',"id":"' .. id .. '","t":"' .. event_type .. '","at":' .. hfmt(now) ..
    ',"last":' .. hfmt(now) .. vpart .. open .. ',"d":' .. data_json .. '}'
  redis.call('RPUSH', outbox, entry)
  redis.call('HINCRBY', state, 'bytes', #entry)
end

-- The events a committed change causes (same mapping as eventsOfChange in server/webhooks/change-events.ts).
-- `hint` 'completed': this change took the video past the completed threshold.
local function outbox_change(outbox, state, hooks, now, version, op_json, hint)
  if hooks == '' then return end
  local t = string.match(op_json, '^{"type":"([%w:%-]+)"')
  if t == 'cart:line' or t == 'cart:clear' then
    outbox_record(outbox, state, hooks, 'cart.updated', now, version, '{}', 'cart')
  elseif t == 'cart:unfreeze' then
    local op = cjson.decode(op_json)
    if op.cleared then
      outbox_record(outbox, state, hooks, 'cart.checkout.completed', now, version, '{"checkoutId":' .. cjson.encode(op.checkoutId) .. '}', nil)
      outbox_record(outbox, state, hooks, 'cart.updated', now, version, '{}', 'cart')
    end
  elseif t == 'watch' then
    local entry = string.match(op_json, '"entry":(%b{})')
    local video = cjson.decode(entry).videoId
    if hint == 'completed' then
      outbox_record(outbox, state, hooks, 'watch.completed', now, version, '{"entry":' .. entry .. '}', nil)
    else
      outbox_record(outbox, state, hooks, 'watch.progress', now, version, '{"entry":' .. entry .. '}', 'w:' .. video)
    end
  end
end
