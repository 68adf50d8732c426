-- Where a repair from storage must start listing: the state, the counter, and filledTo, below which every
-- index is recorded as stored or void (so storage holds nothing there that Redis lacks); and whether Redis can
-- prove it lost nothing since the recording was last found to agree with storage (see start.lua).
-- KEYS[1] meta hash, KEYS[2] index counter, KEYS[3] stored hash, KEYS[4] void set, KEYS[5] parts hash
-- Returns {state ('' unknown), filledTo, counter, part boundaries recorded, proof, proven (1 or 0)}
-- proof: this Redis's run_id and replication id. A restart (from an older snapshot or AOF, or none) changes
-- the run_id, a promotion of a replica or a full resync from another master the replication id; nothing else
-- makes Redis forget acknowledged writes (keys deleted by hand take agreedOn with them, or trip the check below).
--#include proof_of_redis
local m = redis.call('HMGET', KEYS[1], 'state', 'filledTo', 'agreedOn')
local filled = tonumber(m[2] or '0')
local trusted = true
-- A watermark whose record of stored indices was lost apart from it (keys deleted one by one) is not trusted.
if filled > 0 and redis.call('HLEN', KEYS[3]) + redis.call('SCARD', KEYS[4]) < filled then
  filled = 0
  trusted = false
end
local proof = proofOfRedis()
local proven = 0
if trusted and proof ~= '' and m[3] == proof then proven = 1 end
return {m[1] or '', filled, tonumber(redis.call('GET', KEYS[2]) or '0'), redis.call('HLEN', KEYS[5]), proof, proven}
