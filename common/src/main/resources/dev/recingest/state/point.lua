-- Where a repair from storage must start listing: the state, the counter, and filledTo, below which every
-- index is recorded as stored or void (so storage holds nothing there that Redis lacks).
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set, KEYS[5] parts hash
-- Returns {state ('' unknown), filledTo, counter, part boundaries recorded}
local m = redis.call('HMGET', KEYS[1], 'state', 'filledTo')
local filled = tonumber(m[2] or '0')
-- A watermark whose record of stored indices was lost apart from it (keys deleted one by one) is not trusted.
if filled > 0 and redis.call('HLEN', KEYS[3]) + redis.call('SCARD', KEYS[4]) < filled then filled = 0 end
return {m[1] or '', filled, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HLEN', KEYS[5])}
