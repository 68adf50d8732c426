-- Start a merge attempt: count it and name it, in one step, so that no other attempt can be given the
-- same name (a re-merge resets the count; the random part keeps an old attempt 1 apart from a new one).
-- KEYS[1] meta hash
-- ARGV[1] a random token
-- Returns {attempt number, attempt id}
local n = redis.call('HINCRBY', KEYS[1], 'mergeAttempts', 1)
local id = n .. '-' .. ARGV[1]
redis.call('HSET', KEYS[1], 'mergeAttemptId', id)
return {n, id}
