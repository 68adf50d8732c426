-- Make Redis agree with what storage records about the end of a recording (storage is what was acked):
-- move the record to that state unless it is already as far along, or further, and set the fields storage
-- records. A missing record is created again only for a stop, whose merge is still owed; for any later end
-- an absent record already agrees with storage.
-- KEYS[1] meta hash, KEYS[2] void set
-- ARGV[1] state, ARGV[2] now, ARGV[3] k = number of void indices, ARGV[4..3+k] void indices,
-- ARGV[4+k..] field, value pairs
-- Returns {'SETTLED', previous state ('' none)} | {'KEPT', current state} | {'ABSENT'}
local rank = {RECORDING = 0, STALLED = 0, STOPPED = 1, MERGING = 2, FAILED = 3, COMPLETED = 4, ABORTED = 5}
local cur = redis.call('HGET', KEYS[1], 'state')
if cur and (rank[cur] or 0) >= rank[ARGV[1]] then return {'KEPT', cur} end
if not cur and ARGV[1] ~= 'STOPPED' then return {'ABSENT'} end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[2], 'settledAt', ARGV[2])
local k = tonumber(ARGV[3])
for i = 4, 3 + k do redis.call('SADD', KEYS[2], ARGV[i]) end
for i = 4 + k, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
-- The merge job and lease of a stop that Redis forgot went with it; the caller queues the merge again.
redis.call('HDEL', KEYS[1], 'mergeQueuedAt', 'mergeLeaseUntil')
return {'SETTLED', cur or ''}
