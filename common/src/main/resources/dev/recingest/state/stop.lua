-- Stop a recording if indices 0..N-1 are all stored (or void).
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set
-- ARGV[1] owner epoch ('' = server-side stop, no owner check), ARGV[2] lastSeq ('' = absent), ARGV[3] now
-- Returns {'STOPPED', n, bytes, void...} | {'INCOMPLETE', n, missing...} | {'AHEAD', n} | {'BEHIND', n}
--       | {'NOT_OPEN', state} | {'TAKEN_OVER', ownerEpoch} | {'UNKNOWN'}
local m = redis.call('HMGET', KEYS[1], 'state', 'epoch', 'bytes', 'seqMode', 'filledTo', 'chunks')
if not m[1] then return {'UNKNOWN'} end
if m[1] == 'STOPPED' and ARGV[1] ~= '' and m[2] == ARGV[1] then
  -- The owner's own stop went through before (recording it in storage failed, so it asks again): the same answer.
  local again = {'STOPPED', tonumber(m[6] or '0'), tonumber(m[3] or '0')}
  for _, v in ipairs(redis.call('SMEMBERS', KEYS[4])) do table.insert(again, tonumber(v)) end
  return again
end
if m[1] ~= 'RECORDING' and m[1] ~= 'STALLED' then return {'NOT_OPEN', m[1]} end
if ARGV[1] ~= '' and m[2] ~= ARGV[1] then return {'TAKEN_OVER', m[2] or '0'} end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[2] ~= '' then
  local last = tonumber(ARGV[2])
  if last > n - 1 then return {'AHEAD', n} end
  if last < n - 1 then return {'BEHIND', n} end
end
local auto = m[4] == 'auto'
local missing = {'INCOMPLETE', n}
local have = redis.call('HLEN', KEYS[3]) + redis.call('SCARD', KEYS[4])
if have < n then
  -- Below filledTo every index is stored or void: the check costs O(chunks above it), not O(recording).
  local from = tonumber(m[5] or '0')
  if have < from then from = 0 end
  for i = from, n - 1 do
    if redis.call('HEXISTS', KEYS[3], i) == 0 and redis.call('SISMEMBER', KEYS[4], i) == 0 then
      if auto then
        -- At-least-once: nobody can resend an index (a resend gets a new one). An index still empty
        -- now was lost with a connection or a gateway (the caller waited for its own writes), or
        -- burned by a Redis that went back; it is void for good, and a late write to it is refused.
        redis.call('SADD', KEYS[4], i)
      else
        table.insert(missing, i)
        if #missing > 1002 then break end
      end
    end
  end
end
if #missing > 2 then return missing end
redis.call('HSET', KEYS[1], 'state', 'STOPPED', 'chunks', n, 'filledTo', n, 'stoppedAt', ARGV[3], 'updatedAt', ARGV[3])
local out = {'STOPPED', n, tonumber(m[3] or '0')}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[4])) do table.insert(out, tonumber(v)) end
return out
