-- Open or resume a recording. One slot: KEYS share the recording's hash tag.
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] parts hash
-- ARGV[1] contentType, ARGV[2] mode, ARGV[3] metadata JSON, ARGV[4] now (epoch ms), ARGV[5] epoch of a new record,
-- ARGV[6] the proof of Redis (point.lua) a listing of the recording was made under, '' for none: recorded as
-- agreedOn if Redis still has it (it lost nothing since), so that the next resume needs no listing.
-- Returns {outcome, epoch, nextSeq, stateOrSeqMode, parts}; outcome CREATED | RESUMED | NOT_OPEN; parts counts
-- the part the recording started with and every boundary after it.
local state = redis.call('HGET', KEYS[1], 'state')
local nextSeq = tonumber(redis.call('GET', KEYS[2]) or '0')
local parts = 1 + redis.call('HLEN', KEYS[4])
--#include proof_of_redis
local function agreed()
  if ARGV[6] ~= '' and ARGV[6] == proofOfRedis() then
    redis.call('HSET', KEYS[1], 'agreedOn', ARGV[6])
  end
end
if not state then
  redis.call('HSET', KEYS[1], 'state', 'RECORDING', 'contentType', ARGV[1], 'mode', ARGV[2],
    'metadata', ARGV[3], 'seqMode', '', 'epoch', ARGV[5], 'createdAt', ARGV[4], 'updatedAt', ARGV[4],
    'lastChunkAt', ARGV[4], 'openedAt', ARGV[4])
  -- Only the meta record may have been lost: the byte total follows what is recorded as stored.
  local total = 0
  for _, size in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(size) end
  redis.call('HSET', KEYS[1], 'bytes', total)
  agreed()
  -- A record created again after Redis lost it gets an epoch from the clock (not 1), so that it never
  -- equals the epoch a connection still holds from before the loss.
  return {'CREATED', ARGV[5], nextSeq, '', parts}
end
if state == 'RECORDING' or state == 'STALLED' then
  -- A takeover: the new epoch makes every write of the previous owner fail its owner check.
  local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
  -- openedAt: a resume is a sign of life for the janitor even before its first chunk.
  redis.call('HSET', KEYS[1], 'state', 'RECORDING', 'updatedAt', ARGV[4], 'openedAt', ARGV[4])
  agreed()
  return {'RESUMED', epoch, nextSeq, redis.call('HGET', KEYS[1], 'seqMode') or '', parts}
end
return {'NOT_OPEN', 0, nextSeq, state, parts}
