-- Record that chunk `index` is durably stored. Idempotent: a second commit of an index changes nothing.
-- KEYS[1] meta hash, KEYS[2] stored hash, KEYS[3] void set
-- ARGV[1] index, ARGV[2] size, ARGV[3] now
-- Returns 1 when this call recorded the chunk, 0 when it was already recorded, -1 when the index is void
-- (at-least-once: a stop gave it up while this write was still in flight; it must not be acked).
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return -1 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 1 then
  -- A meta record lost with Redis's data is not half re-created here; reclaim and start recount bytes.
  if redis.call('HEXISTS', KEYS[1], 'state') == 1 then
    redis.call('HINCRBY', KEYS[1], 'bytes', ARGV[2])
    redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
  end
  return 1
end
return 0
