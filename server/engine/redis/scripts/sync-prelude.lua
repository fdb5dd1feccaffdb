-- The changes after a client's version (bounded in bytes), or a snapshot, read inside one script so the state and the version
-- it reports are consistent (no mutation interleaves). Decides as server/domain/sync.ts.
-- A client ahead of the server's history (it saw versions this store no longer has) gets a snapshot with
-- the versions it lost; each lost version is counted once per user (`lost_epoch`, `lost_to` in meta), and
-- the count newly lost is the reply's last element, for the node's counter and log.

-- The oldest `missing` changes of the log up to `limit` bytes (at least one), read 64 at a time so that a long
-- log is never copied whole into the script: as server/domain/sync.ts firstPage. Returns them, their bytes and
-- whether some were left out.
local function changes_page(log_key, missing, limit)
  local page, bytes, from = {}, 0, -missing
  while from <= -1 do
    local to = math.min(from + 63, -1)
    for _, raw in ipairs(redis.call('LRANGE', log_key, from, to)) do
      if #page > 0 and bytes + #raw > limit then return page, bytes, true end
      page[#page + 1] = raw
      bytes = bytes + #raw
    end
    from = to + 1
  end
  return page, bytes, false
end

-- The bytes of the strings of a list (an answer's changes, lines or entries), for the answer's rate cost.
local function list_bytes(list)
  local n = 0
  for _, s in ipairs(list) do n = n + #s end
  return n
end

-- The reply's weight: its changes, or its snapshot's lines and entries.
local function sync_bytes(reply)
  if reply[1] == 'changes' then return list_bytes(reply[4]) end
  return list_bytes(reply[4]) + list_bytes(reply[5])
end

-- `byte_limit`: LIMITS.syncBytes; `paged`: the client asks again on `more` (else a catch-up past the limit
-- gets a snapshot). A changes reply is { 'changes', epoch, version, changes, more (1 or 0) }.
local function sync_reply(meta_key, log_key, cart_key, watch_key, since_epoch, since_version, random, batch, now, byte_limit, paged)
  local epoch, version, fork_epoch, fork_version = current_meta(meta_key, random, now)
  -- An epoch forked from an older history begins at its fork's version: the log below it is the old epoch's.
  if since_epoch == epoch and since_version <= version and since_version >= (fork_version or 0) then
    local missing = version - since_version
    if missing <= redis.call('LLEN', log_key) and missing <= batch then
      if missing == 0 then return { 'changes', epoch, version, {}, 0 } end
      local page, _, more = changes_page(log_key, missing, byte_limit)
      if not more then return { 'changes', epoch, version, page, 0 } end
      if paged then return { 'changes', epoch, version, page, 1 } end
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
