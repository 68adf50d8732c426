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
    -- filledTo: every index below it is stored or void. Moved only by the commit that fills it, past the
    -- indices committed out of order before, so it costs O(1) per chunk over a recording.
    local f = tonumber(redis.call('HGET', KEYS[1], 'filledTo') or '0')
    if f == tonumber(ARGV[1]) then
      while redis.call('HEXISTS', KEYS[2], f) == 1 or redis.call('SISMEMBER', KEYS[3], f) == 1 do f = f + 1 end
      redis.call('HSET', KEYS[1], 'filledTo', f)
    end
  end
  return 1
end
return 0
