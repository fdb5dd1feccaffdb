-- The changes after a client's version, or a snapshot, read inside one script so the state and the version
-- it reports are consistent (no mutation interleaves). Decides as server/domain/sync.ts.
local function sync_reply(meta_key, log_key, cart_key, watch_key, since_epoch, since_version, random, batch, now)
  local epoch, version = ensure_meta(meta_key, random, now)
  if since_epoch == epoch and since_version <= version then
    local missing = version - since_version
    if missing <= redis.call('LLEN', log_key) and missing <= batch then
      if missing == 0 then return { 'changes', epoch, version, {} } end
      return { 'changes', epoch, version, redis.call('LRANGE', log_key, -missing, -1) }
    end
  end
  -- The checkout freeze rides along (its id and expiry, or nils); readers treat an expired one as none.
  local freeze = redis.call('HMGET', meta_key, 'fz_id', 'fz_exp')
  return { 'snapshot', epoch, version, redis.call('HVALS', cart_key), redis.call('HVALS', watch_key), freeze[1] or '', freeze[2] or '' }
end
