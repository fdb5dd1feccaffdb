-- Which history of writes this Redis holds, so a store that went back in time is noticed inside the user's
-- own script (no extra round trip, exact per Cluster shard). A promoted replica gets a new replication id,
-- and so does a Redis restarted from its AOF or from an older backup: writes acknowledged before may be
-- missing. Each user's meta remembers the id it was last written under (`hist`); on the first script after
-- a change the user's log forks: a new epoch that continues the version numbers, and `fork_epoch` /
-- `fork_version` say where the previous history ends, so a client that had seen further learns what is gone.
local function history_id()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)') or ''
end

-- Starts a new epoch for the user at `version`; returns it.
local function fork_history(meta_key, epoch, version, hist, now, random)
  local forked = 'r' .. string.format('%d', now) .. '-' .. random
  redis.call('HSET', meta_key, 'epoch', forked, 'hist', hist, 'fork_epoch', epoch, 'fork_version', version)
  return forked
end

-- The user's epoch and version in this store's history: makes the meta of a new user (or of a store that
-- lost its data), forks the log of one written under another history. Also returns where the previous
-- history ended (`fork_epoch`, `fork_version`), or nil, and the rate-limit bucket's fields (read in the same call).
local function current_meta(meta_key, random, now)
  local m = redis.call('HMGET', meta_key, 'epoch', 'version', 'hist', 'fork_epoch', 'fork_version', 'tokens', 'ts')
  local hist = history_id()
  if not m[1] then
    local epoch = 'r' .. string.format('%d', now) .. '-' .. random
    redis.call('HSET', meta_key, 'epoch', epoch, 'version', 0, 'hist', hist)
    return epoch, 0, nil, nil, m[6], m[7]
  end
  local epoch, version = m[1], tonumber(m[2])
  if m[3] == hist then return epoch, version, m[4], tonumber(m[5]), m[6], m[7] end
  if not m[3] then
    -- Written before histories were tracked: adopt this one.
    redis.call('HSET', meta_key, 'hist', hist)
    return epoch, version, m[4], tonumber(m[5]), m[6], m[7]
  end
  return fork_history(meta_key, epoch, version, hist, now, random), version, epoch, version, m[6], m[7]
end
