-- Like transition.lua, but only while the meta field ARGV[4] still equals ARGV[5]: a step that belongs to
-- one merge attempt (ARGV[4] = 'mergeAttemptId') succeeds only while that attempt is the current one.
-- KEYS[1] meta hash
-- ARGV[1] allowed states, comma separated; ARGV[2] new state; ARGV[3] now; ARGV[4] fence field;
-- ARGV[5] its expected value; ARGV[6..] field, value pairs
-- Returns {'OK', previous} | {'REFUSED', current} | {'FENCED', current} | {'UNKNOWN'}
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'UNKNOWN'} end
if not string.find(',' .. ARGV[1] .. ',', ',' .. state .. ',', 1, true) then return {'REFUSED', state} end
if redis.call('HGET', KEYS[1], ARGV[4]) ~= ARGV[5] then return {'FENCED', state} end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {'OK', state}
