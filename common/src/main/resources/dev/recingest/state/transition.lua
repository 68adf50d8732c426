-- Move a recording from one of the allowed states to a new state and set fields, atomically.
-- KEYS[1] meta hash
-- ARGV[1] allowed states, comma separated; ARGV[2] new state; ARGV[3] now; ARGV[4..] field, value pairs
-- Returns {'OK', previous} | {'REFUSED', current} | {'UNKNOWN'}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'UNKNOWN'} end
if not string.find(',' .. ARGV[1] .. ',', ',' .. state .. ',', 1, true) then return {'REFUSED', state} end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {'OK', state}
