-- `sync` without a rate token (see Engine.sync): the same sync_reply as resume.lua.
-- KEYS: 1 meta, 2 log, 3 cart, 4 watch. ARGV: 1 since epoch ('' for none), 2 since version, 3 random, 4 batch,
-- 5 byte limit of the changes (past it: a snapshot)
return sync_reply(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), now_ms(), tonumber(ARGV[5]), false)
