-- The changes after a client's version, or a snapshot, read inside one script so the state and the version
-- it reports are consistent (no mutation interleaves). Decides as server/domain/sync.ts.
-- A client ahead of the server's history (it saw versions this store no longer has) gets a snapshot with
-- the versions it lost; each lost version is counted once per user (`lost_epoch`, `lost_to` in meta), and
-- the count newly lost is the reply's last element, for the node's counter and log.
local function sync_reply(meta_key, log_key, cart_key, watch_key, since_epoch, since_version, random, batch, now)
  local epoch, version, fork_epoch, fork_version = current_meta(meta_key, random, now)
  -- An epoch forked from an older history begins at its fork's version: the log below it is the old epoch's.
  if since_epoch == epoch and since_version <= version and since_version >= (fork_version or 0) then
    local missing = version - since_version
    if missing <= redis.call('LLEN', log_key) and missing <= batch then
      if missing == 0 then return { 'changes', epoch, version, {} } end
      return { 'changes', epoch, version, redis.call('LRANGE', log_key, -missing, -1) }
    end
  end
  if since_epoch == epoch and since_version > version then
    -- The history went back without its id changing: fork now, so no later version reuses a lost number.
    fork_epoch, fork_version = epoch, version
    epoch = fork_history(meta_key, epoch, version, history_id(), now, random)
  end
  -- The checkout freeze rides along (its id and expiry, or nils); readers treat an expired one as none.
  local freeze = redis.call('HMGET', meta_key, 'fz_id', 'fz_exp')
  local reply = { 'snapshot', epoch, version, redis.call('HVALS', cart_key), redis.call('HVALS', watch_key), freeze[1] or '', freeze[2] or '' }
  if fork_epoch and since_epoch == fork_epoch and since_version > fork_version then
    local seen = redis.call('HMGET', meta_key, 'lost_epoch', 'lost_to')
    local counted = fork_version
    if seen[1] == fork_epoch then counted = math.max(counted, tonumber(seen[2])) end
    local fresh = math.max(0, since_version - counted)
    if fresh > 0 then redis.call('HSET', meta_key, 'lost_epoch', fork_epoch, 'lost_to', since_version) end
    table.insert(reply, fork_epoch)
    table.insert(reply, fork_version + 1)
    table.insert(reply, since_version)
    table.insert(reply, fresh)
  end
  return reply
end
