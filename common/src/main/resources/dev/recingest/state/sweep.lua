-- The janitor's step for one recording: STALLED after the stall timeout, auto-stop after the idle
-- timeout, both measured from the last sign of life (the last chunk assigned, or the last start/resume).
-- Atomic with the chunk scripts, so a chunk that arrives while the janitor looks wins: it either lands
-- first (the recording is active again) or finds the recording stopped (NOT_OPEN, close 4409).
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set
-- ARGV[1] stall cutoff (epoch ms), ARGV[2] idle cutoff (epoch ms), ARGV[3] now, ARGV[4] '1' if it may auto-stop
-- (the caller has made Redis agree with storage first), else '0'
-- Returns one of:
--   {'IDLE', lastActivity}            due for auto-stop, not stopped (ARGV[4] = '0')
--   {'ACTIVE', lastActivity}          nothing to do before lastActivity + stall timeout
--   {'STALLED', lastActivity, 1|0}    stalled by this call (1) or before (0); auto-stop at lastActivity + idle
--   {'STOPPED', n, bytes, void...}    auto-stopped: the merge must be queued
--   {'FAILED', n, missing...}         auto-stop found explicit-seq indices never stored: FAILED, MISSING_CHUNKS
--   {'NOT_OPEN', state, stoppedAt, mergeQueuedAt}   ('' for a field not set)
--   {'UNKNOWN'}
local m = redis.call('HMGET', KEYS[1], 'state', 'lastChunkAt', 'openedAt', 'createdAt', 'bytes', 'seqMode',
  'stoppedAt', 'mergeQueuedAt', 'filledTo')
local state = m[1]
if not state then return {'UNKNOWN'} end
if state ~= 'RECORDING' and state ~= 'STALLED' then return {'NOT_OPEN', state, m[7] or '', m[8] or ''} end
local active = math.max(tonumber(m[2] or '0'), tonumber(m[3] or '0'), tonumber(m[4] or '0'))
if active > tonumber(ARGV[2]) then
  if state == 'RECORDING' and active <= tonumber(ARGV[1]) then
    redis.call('HSET', KEYS[1], 'state', 'STALLED', 'stalledAt', ARGV[3])
    return {'STALLED', active, 1}
  end
  if state == 'STALLED' then return {'STALLED', active, 0} end
  return {'ACTIVE', active}
end
if ARGV[4] ~= '1' then return {'IDLE', active} end
-- Idle: the same contiguity check as stop.lua.
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
local missing = {}
local have = redis.call('HLEN', KEYS[3]) + redis.call('SCARD', KEYS[4])
if have < n then
  local from = tonumber(m[9] or '0')
  if have < from then from = 0 end
  for i = from, n - 1 do
    if redis.call('HEXISTS', KEYS[3], i) == 0 and redis.call('SISMEMBER', KEYS[4], i) == 0 then
      table.insert(missing, i)
    end
  end
end
if #missing > 0 and m[6] == 'auto' then
  -- At-least-once: a resend gets a new index, so an index never stored by now never will be; it is void,
  -- exactly as if its put had been nacked.
  for _, i in ipairs(missing) do redis.call('SADD', KEYS[4], i) end
  missing = {}
end
if #missing > 0 then
  local listed = {}
  for i = 1, math.min(#missing, 20) do listed[i] = missing[i] end
  redis.call('HSET', KEYS[1], 'state', 'FAILED', 'chunks', n, 'stoppedAt', ARGV[3], 'updatedAt', ARGV[3],
    'failedAt', ARGV[3], 'autoStopped', ARGV[3], 'errorCode', 'MISSING_CHUNKS', 'errorMessage',
    'auto-stopped after the idle timeout with ' .. #missing .. ' chunk(s) never stored: ['
      .. table.concat(listed, ',') .. (#missing > 20 and ',...' or '') .. ']')
  local out = {'FAILED', n}
  for i = 1, math.min(#missing, 1000) do table.insert(out, missing[i]) end
  return out
end
redis.call('HSET', KEYS[1], 'state', 'STOPPED', 'chunks', n, 'filledTo', n, 'stoppedAt', ARGV[3], 'updatedAt', ARGV[3],
  'autoStopped', ARGV[3])
local out = {'STOPPED', n, tonumber(m[5] or '0')}
for _, v in ipairs(redis.call('SMEMBERS', KEYS[4])) do table.insert(out, tonumber(v)) end
return out
