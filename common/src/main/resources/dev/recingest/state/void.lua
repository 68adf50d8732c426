-- At-least-once mode: mark an index that could not be stored as void for good.
-- KEYS[1] meta hash, KEYS[2] stored hash, KEYS[3] void set; ARGV[1] index
-- Returns 1 when marked, 0 when the chunk was stored after all (then it is not void).
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('SADD', KEYS[3], ARGV[1])
local f = tonumber(redis.call('HGET', KEYS[1], 'filledTo') or '0')
if f == tonumber(ARGV[1]) and redis.call('HEXISTS', KEYS[1], 'state') == 1 then
  while redis.call('HEXISTS', KEYS[2], f) == 1 or redis.call('SISMEMBER', KEYS[3], f) == 1 do f = f + 1 end
  redis.call('HSET', KEYS[1], 'filledTo', f)
end
return 1
