-- Renew or release a lock taken with SET key token NX PX ttl, only if this token still holds it.
-- KEYS[1] lock key; ARGV[1] token; ARGV[2] new ttl in ms, or '0' to release
-- Returns {1} when the token held the lock (now renewed or released), {0} when it did not.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {0} end
if ARGV[2] == '0' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return {1}
