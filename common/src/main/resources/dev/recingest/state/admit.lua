-- Admit a new recording of one token subject if it has fewer open recordings than its limit.
-- KEYS[1] the subject's sorted set of recordings it opened (score: when)
-- ARGV[1] recording id, ARGV[2] limit, ARGV[3] now, ARGV[4] ttl of the set (ms)
-- Returns {1} when admitted (or already counted) | {0, id...} when full: the ids counted, so that the caller
-- can drop those that have ended since (their ends are not tracked here) and ask again.
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {1} end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {1}
end
local out = {0}
for _, v in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do table.insert(out, v) end
return out
