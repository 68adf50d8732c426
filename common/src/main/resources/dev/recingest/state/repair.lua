-- Bring Redis up to what object storage holds (storage is the truth): record every listed chunk and
-- move the counter past the highest listed index, and at least to a floor (indices the caller knows
-- were handed out). Never moves anything backwards. The caller lists only from filledTo on (point.lua),
-- so the work is O(chunks above it), not O(recording).
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set
-- ARGV[1] floor (0 = none), ARGV[2] the index the listing started at; ARGV[3..]: index1, size1, index2, size2, ...
-- Returns {nextSeq, repairedChunks}
local nextSeq = tonumber(redis.call('GET', KEYS[2]) or '0')
local top = tonumber(ARGV[1]) - 1
local repaired = 0
local added = 0
for i = 3, #ARGV, 2 do
  local idx = tonumber(ARGV[i])
  -- A void index keeps its object (written by a write that lost the race with stop) out of the record.
  if redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 0 and redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    repaired = repaired + 1
    added = added + tonumber(ARGV[i + 1])
  end
  if idx > top then top = idx end
end
if repaired > 0 and redis.call('HEXISTS', KEYS[1], 'state') == 1 then
  if ARGV[2] == '0' then
    -- A listing of the whole recording: the record may have been lost in parts; recount from it.
    local total = 0
    for _, size in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(size) end
    redis.call('HSET', KEYS[1], 'bytes', total)
  else
    -- Redis loses a consistent tail of its writes: the byte total matches the stored record it kept.
    redis.call('HINCRBY', KEYS[1], 'bytes', added)
  end
  local f = tonumber(redis.call('HGET', KEYS[1], 'filledTo') or '0')
  local from = f
  while redis.call('HEXISTS', KEYS[3], f) == 1 or redis.call('SISMEMBER', KEYS[4], f) == 1 do f = f + 1 end
  if f ~= from then redis.call('HSET', KEYS[1], 'filledTo', f) end
end
if top + 1 > nextSeq then
  nextSeq = top + 1
  redis.call('SET', KEYS[2], nextSeq)
end
return {nextSeq, repaired}
