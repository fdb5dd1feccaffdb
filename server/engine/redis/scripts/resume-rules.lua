-- The resume rules: Redis's side of resumePoint in client-sdk/src/rules/resume.ts, with the same float
-- operations in the same order (the contract suite holds both engines to that function).
-- `rules` is { minPct, maxPct, minDur, credits }; answers the stored position (0: start over) and completed.
local function resume_point(pos, dur, was_completed, rules)
  local resumable = dur >= rules.minDur
  if pos * 100 > rules.maxPct * dur or (resumable and dur - pos <= rules.credits) then return 0, true end
  if resumable and pos * 100 >= rules.minPct * dur then return pos, false end
  return 0, was_completed
end

-- The rules as the engine passes them: one ARGV 'minPct,maxPct,minDur,credits'.
local function parse_rules(arg)
  local v = {}
  for n in string.gmatch(arg, '[^,]+') do v[#v + 1] = tonumber(n) end
  return { minPct = v[1], maxPct = v[2], minDur = v[3], credits = v[4] }
end
