-- Bring Redis up to what object storage holds (storage is the truth): record every listed chunk and
-- move the counter past the highest listed index. Never moves anything backwards.
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash
-- ARGV: index1, size1, index2, size2, ...
-- Returns {nextSeq, repairedChunks}
local nextSeq = tonumber(redis.call('GET', KEYS[2]) or '0')
local top = -1
local repaired = 0
for i = 1, #ARGV, 2 do
  local idx = tonumber(ARGV[i])
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    repaired = repaired + 1
  end
  if idx > top then top = idx end
end
if repaired > 0 then
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
