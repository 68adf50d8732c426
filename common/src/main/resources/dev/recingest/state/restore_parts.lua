-- Bring the recording's part boundaries up to what storage records (storage is the truth): every part start
-- listed there that the parts hash lacks is added. Never removes one, never changes a start time it holds.
-- KEYS[1] parts hash; ARGV: firstSeq1, startedAt1, firstSeq2, startedAt2, ...
-- Returns the number of boundaries added.
local added = 0
for i = 1, #ARGV, 2 do
  added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
end
return {added}
