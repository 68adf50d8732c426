-- Assign the index of one chunk: owner check, seq-mode check, dedupe of resends and INCR, atomically.
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash (index -> size)
-- ARGV[1] owner epoch, ARGV[2] seq (-1 = assign), ARGV[3] seq mode 'explicit'|'auto', ARGV[4] now
-- Returns one of:
--   {'NEW', index}            a new index; store the chunk, then commit
--   {'RESEND', index, size}   seq already has an index; size -1 if it was never stored
--   {'GAP', expected}         seq is ahead of the counter
--   {'NOT_OPEN', state} {'TAKEN_OVER', ownerEpoch} {'MODE_MIX', seqMode} {'UNKNOWN'}
local m = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'seqMode')
if not m[1] then return {'UNKNOWN'} end
if m[1] ~= 'RECORDING' and m[1] ~= 'STALLED' then return {'NOT_OPEN', m[1]} end
if m[2] ~= ARGV[1] then return {'TAKEN_OVER', m[2] or '0'} end
if m[3] == '' or not m[3] then
  redis.call('HSET', KEYS[1], 'seqMode', ARGV[3])
elseif m[3] ~= ARGV[3] then
  return {'MODE_MIX', m[3]}
end
if m[1] == 'STALLED' then redis.call('HSET', KEYS[1], 'state', 'RECORDING') end
redis.call('HSET', KEYS[1], 'lastChunkAt', ARGV[4])
if ARGV[3] == 'auto' then
  return {'NEW', redis.call('INCR', KEYS[2]) - 1}
end
local seq = tonumber(ARGV[2])
local nextSeq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq < nextSeq then
  return {'RESEND', seq, tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '-1')}
end
if seq == nextSeq then
  redis.call('INCR', KEYS[2])
  return {'NEW', seq}
end
return {'GAP', nextSeq}
