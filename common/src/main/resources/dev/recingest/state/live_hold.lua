-- A live rendition's worker renews its lease and records its status, only while it still holds the lease:
-- a worker that lost it (paused past it, or Redis went back to before it took it) writes nothing.
-- KEYS[1] rec:{id}:live-lease, KEYS[2] rec:{id}:live (status hash)
-- ARGV[1] the worker's token, ARGV[2] lease in ms, ARGV[3..] status field, value, field, value, ...
-- Returns {1} when held (renewed, status written), {0} when not.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if #ARGV > 2 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 3))
end
return {1}
