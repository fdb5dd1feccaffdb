-- One cart mutation, atomically: gate (revocation, connId, rate limit, dedup), rules, commit.
-- Redis's side of decideCart in client-sdk/src/rules/cart.ts. KEYS[6] cart.
-- ARGV[9] event (add|set|remove|clear), 10 sku, 11 qty, 12 title, 13 priceCents, 14 max lines, 15 max qty,
-- 16 currency ('' for none), 17 attributes as JSON ('' for none)
local ctx, early = gate()
if early then return early end

-- A checkout holds the cart until fz_exp (server time); past it the freeze counts as none (it lapses unwritten).
local freeze = redis.call('HMGET', META, 'fz_id', 'fz_exp')
if freeze[1] and tonumber(freeze[2]) > ctx.now then
  return refuse(ctx, 'frozen', 'the cart is frozen for checkout ' .. freeze[1])
end

local CART, event, sku = KEYS[6], ARGV[9], ARGV[10]
local function line_op(line_json)
  return '{"type":"cart:line","sku":"' .. sku .. '","line":' .. line_json .. '}'
end

if event == 'add' then
  local stored = redis.call('HGET', CART, sku)
  if not stored and redis.call('HLEN', CART) >= tonumber(ARGV[14]) then
    return refuse(ctx, 'bad_request', 'a cart holds at most ' .. ARGV[14] .. ' lines')
  end
  -- Every line shares the cart's currency, so any one line tells it (the memory engine reads its first).
  local other = redis.call('HRANDFIELD', CART, 1, 'WITHVALUES')
  if other[2] then
    local theirs = cjson.decode(other[2]).currency or ''
    if theirs ~= ARGV[16] then
      return refuse(ctx, 'currency_mismatch', 'the cart is in ' .. (theirs ~= '' and theirs or 'no currency') ..
        ', the line in ' .. (ARGV[16] ~= '' and ARGV[16] or 'none'))
    end
  end
  local total = tonumber(ARGV[11]) + (stored and cjson.decode(stored).qty or 0)
  if total > tonumber(ARGV[15]) then
    return refuse(ctx, 'bad_request', 'qty would exceed ' .. ARGV[15])
  end
  -- Title, price, currency and attributes follow the newest add (nil fields are left out of the JSON).
  local line = cjson.encode({
    sku = sku, title = ARGV[12], priceCents = tonumber(ARGV[13]), qty = total,
    currency = ARGV[16] ~= '' and ARGV[16] or nil,
    attributes = ARGV[17] ~= '' and cjson.decode(ARGV[17]) or nil,
  })
  redis.call('HSET', CART, sku, line)
  return commit(ctx, line_op(line))
elseif event == 'set' then
  local stored = redis.call('HGET', CART, sku)
  if not stored then return refuse(ctx, 'not_found', 'no cart line for ' .. sku) end
  local qty = tonumber(ARGV[11])
  if qty == 0 then
    redis.call('HDEL', CART, sku)
    return commit(ctx, line_op('null'))
  end
  local line = cjson.decode(stored)
  line.qty = qty
  local encoded = cjson.encode(line)
  redis.call('HSET', CART, sku, encoded)
  return commit(ctx, line_op(encoded))
elseif event == 'remove' then
  if redis.call('HDEL', CART, sku) == 1 then return commit(ctx, line_op('null')) end
  return commit(ctx, '{"type":"noop"}')
elseif event == 'clear' then
  redis.call('DEL', CART)
  return commit(ctx, '{"type":"cart:clear"}')
end
return refuse(ctx, 'bad_request', 'unknown cart event')
