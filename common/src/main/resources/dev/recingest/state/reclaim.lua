-- Take a recording back after Redis lost (part of) its record while a connection still owns it: a
-- restart without persistence, a failover to a lagging replica, keys deleted by hand.
-- KEYS[1] meta hash, KEYS[2] stored hash
-- ARGV[1] the connection's epoch, ARGV[2] a fresh epoch (greater than ARGV[1]), ARGV[3] contentType,
-- ARGV[4] mode, ARGV[5] metadata JSON, ARGV[6] seqMode ('' unknown), ARGV[7] now
-- Returns {'RECLAIMED', epoch} | {'TAKEN_OVER', ownerEpoch} | {'NOT_OPEN', state}
local m = redis.call('HMGET', KEYS[1], 'state', 'epoch')
if m[1] and m[1] ~= 'RECORDING' and m[1] ~= 'STALLED' then return {'NOT_OPEN', m[1]} end
if m[1] and m[2] == ARGV[1] then return {'RECLAIMED', ARGV[1]} end
-- An owner with a higher epoch took over after the loss: it wins, as a takeover always does.
if m[1] and tonumber(m[2] or '0') > tonumber(ARGV[1]) then return {'TAKEN_OVER', m[2]} end
if not m[1] then
  -- Re-create the record from what the connection knows (its own start); createdAt is lost.
  redis.call('HSET', KEYS[1], 'state', 'RECORDING', 'contentType', ARGV[3], 'mode', ARGV[4], 'metadata', ARGV[5],
    'seqMode', ARGV[6], 'createdAt', ARGV[7], 'lastChunkAt', ARGV[7], 'openedAt', ARGV[7], 'recoveredAt', ARGV[7])
end
-- Missing, or holding an older epoch than ours (Redis lost our takeover): own it with a fresh epoch,
-- which also fences any connection that still holds the older one.
local total = 0
for _, size in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(size) end
redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'updatedAt', ARGV[7], 'bytes', total)
return {'RECLAIMED', ARGV[2]}
