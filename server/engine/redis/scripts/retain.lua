-- Refreshes the retention of every key of one user (all passed in KEYS, one slot): run after a connect,
-- whose own script only holds some of them. ARGV: 1 ttl ms
keep_keys(ARGV[1])
return 1
