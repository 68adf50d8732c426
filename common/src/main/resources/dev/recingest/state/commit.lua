-- Record that chunk `index` is durably stored. Idempotent: a second commit of an index changes nothing.
-- KEYS[1] meta hash, KEYS[2] stored hash
-- ARGV[1] index, ARGV[2] size, ARGV[3] now
-- Returns 1 when this call recorded the chunk, 0 when it was already recorded.
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[2])
  redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
  return 1
end
return 0
