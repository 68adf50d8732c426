-- Remove a recording from the janitor's index, unless its entry changed since the janitor read it (a start
-- of a recreated recording with the same id writes a new score, and must stay indexed).
-- KEYS[1] the open index; ARGV[1] recording id; ARGV[2] the score the janitor read
-- Returns {1} when removed, {0} when left.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {1}
end
return {0}
