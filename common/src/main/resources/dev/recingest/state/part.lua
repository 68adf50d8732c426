-- A new part (PROTOCOL.md, "part"): the next chunk, seq = the counter N, is the first of a new continuous stream.
-- Part boundaries live in the parts hash (first seq -> epoch ms when the part started); part 0 starts at seq 0
-- with the recording and is not in it. Decided here, recorded in two steps: ARGV[3] 'check' answers what the part
-- would be without writing, so that the caller records it in storage first; 'commit' then records it in Redis
-- (the counter must still be ARGV[4]). So every boundary Redis knows is one storage knows.
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set, KEYS[5] parts hash
-- ARGV[1] owner epoch, ARGV[2] now (epoch ms), ARGV[3] 'check' | 'commit', ARGV[4] commit: the first seq checked
-- Returns {'SAME', part, firstSeq, startedAt}   nothing since the last part started: the same answer again
--       | {'NEW', part, firstSeq, startedAt}    check: the part to record; commit: recorded now
--       | {'INCOMPLETE', n, missing...}         explicit seqs below N not stored: the previous part is not whole
--       | {'MOVED', n} | {'NOT_OPEN', state} | {'TAKEN_OVER', ownerEpoch} | {'UNKNOWN'}
local m = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'seqMode', 'filledTo', 'createdAt')
if not m[1] then return {'UNKNOWN'} end
if m[1] ~= 'RECORDING' and m[1] ~= 'STALLED' then return {'NOT_OPEN', m[1]} end
if m[2] ~= ARGV[1] then return {'TAKEN_OVER', m[2] or '0'} end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n == 0 then return {'SAME', 0, 0, tonumber(m[5] or '0')} end
local count = redis.call('HLEN', KEYS[5])
if redis.call('HEXISTS', KEYS[5], n) == 1 then
  return {'SAME', count, n, tonumber(redis.call('HGET', KEYS[5], n))}
end
if m[3] == 'explicit' then
  -- Index == seq: every chunk of the previous part is below N. One never stored would be resent into it, but
  -- the client was to send part only with nothing unacked: it is told which, as a stop would tell it.
  local missing = {'INCOMPLETE', n}
  local have = redis.call('HLEN', KEYS[3]) + redis.call('SCARD', KEYS[4])
  if have < n then
    local from = tonumber(m[4] or '0')
    if have < from then from = 0 end
    for i = from, n - 1 do
      if redis.call('HEXISTS', KEYS[3], i) == 0 and redis.call('SISMEMBER', KEYS[4], i) == 0 then
        table.insert(missing, i)
        if #missing > 1002 then break end
      end
    end
  end
  if #missing > 2 then return missing end
end
if ARGV[3] == 'check' then return {'NEW', count + 1, n, tonumber(ARGV[2])} end
if tonumber(ARGV[4]) ~= n then return {'MOVED', n} end
redis.call('HSET', KEYS[5], n, ARGV[2])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2])
return {'NEW', count + 1, n, tonumber(ARGV[2])}
