-- The commit of a change written by the app's backend (checkout, merge), prepended after prelude.lua.
-- No device gate: the admin API authenticated the caller. The change names the writer as its deviceId and
-- the new version as its seq. Returns the change as text and whether it was published. `hk` (optional):
-- { outbox, state, wanted, hint } records the change's webhook events in the same script (outbox.lua).
local function fmt(n) return string.format('%d', n) end

local function backend_commit(meta, log, epoch, version, writer, now, op_json, log_cap, channel, prefix, suffix, hk)
  local v = version + 1
  redis.call('HSET', meta, 'version', v)
  local change = '{"epoch":"' .. epoch .. '","version":' .. fmt(v) .. ',"deviceId":"' .. writer ..
    '","seq":' .. fmt(v) .. ',"at":' .. fmt(now) .. ',"op":' .. op_json .. '}'
  if redis.call('RPUSH', log, change) > log_cap then redis.call('LTRIM', log, -log_cap, -1) end
  if hk then outbox_change(hk.outbox, hk.state, hk.wanted, now, v, op_json, hk.hint) end
  -- The log may be new; callers pass their retention to keep_keys after writing the rest.
  if channel ~= '' then
    redis.call('SPUBLISH', channel, prefix .. change .. suffix)
    return change, 1
  end
  return change, 0
end
