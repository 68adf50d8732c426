-- Bring Redis up to what object storage holds (storage is the truth): record every listed chunk and
-- move the counter past the highest listed index, and at least to a floor (indices the caller knows
-- were handed out). Never moves anything backwards.
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set
-- ARGV[1] floor (0 = none); ARGV[2..]: index1, size1, index2, size2, ...
-- Returns {nextSeq, repairedChunks}
local nextSeq = tonumber(redis.call('GET', KEYS[2]) or '0')
local top = tonumber(ARGV[1]) - 1
local repaired = 0
for i = 2, #ARGV, 2 do
  local idx = tonumber(ARGV[i])
  -- A void index keeps its object (written by a write that lost the race with stop) out of the record.
  if redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 0 and redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    repaired = repaired + 1
  end
  if idx > top then top = idx end
end
if repaired > 0 and redis.call('HEXISTS', KEYS[1], 'state') == 1 then
  -- The byte total may be stale in either direction after a loss; recount it from the record.
  local total = 0
  for _, size in ipairs(redis.call('HVALS', KEYS[3])) do total = total + tonumber(size) end
  redis.call('HSET', KEYS[1], 'bytes', total)
end
if top + 1 > nextSeq then
  nextSeq = top + 1
  redis.call('SET', KEYS[2], nextSeq)
end
return {nextSeq, repaired}
