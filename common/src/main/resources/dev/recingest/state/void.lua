-- At-least-once mode: mark an index that could not be stored as void for good.
-- KEYS[1] stored hash, KEYS[2] void set; ARGV[1] index
-- Returns 1 when marked, 0 when the chunk was stored after all (then it is not void).
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
