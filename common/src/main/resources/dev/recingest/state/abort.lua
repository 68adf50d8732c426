-- Abort a recording: ABORTED from RECORDING, STALLED or STOPPED, checking the owner like every other write.
-- KEYS[1] meta hash
-- ARGV[1] owner epoch ('' = a server-side abort, no owner check), ARGV[2] now
-- Returns {'ABORTED'} | {'NOT_OPEN', state} | {'TAKEN_OVER', ownerEpoch} | {'UNKNOWN'}
local m = redis.call('HMGET', KEYS[1], 'state', 'epoch')
if not m[1] then return {'UNKNOWN'} end
-- The owner's abort went through before (its answer, or the clean-up after it, was lost): the same answer.
if m[1] == 'ABORTED' and ARGV[1] ~= '' and m[2] == ARGV[1] then return {'ABORTED'} end
if m[1] ~= 'RECORDING' and m[1] ~= 'STALLED' and m[1] ~= 'STOPPED' then return {'NOT_OPEN', m[1]} end
if ARGV[1] ~= '' and m[2] ~= ARGV[1] then return {'TAKEN_OVER', m[2] or '0'} end
redis.call('HSET', KEYS[1], 'state', 'ABORTED', 'updatedAt', ARGV[2], 'abortedAt', ARGV[2])
return {'ABORTED'}
