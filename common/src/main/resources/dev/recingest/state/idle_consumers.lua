-- Remove the consumers of a group that hold no pending job and have been idle for longer than ARGV[2] ms:
-- those of merger processes that are gone. Checked and removed in one step, so a consumer that takes a job
-- in between is never removed with it (XGROUP DELCONSUMER would drop its pending entries).
-- KEYS[1] stream; ARGV[1] group; ARGV[2] idle threshold in ms
-- Returns the names removed.
local removed = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if tonumber(f['pending']) == 0 and tonumber(f['idle']) > tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], f['name'])
    removed[#removed + 1] = f['name']
  end
end
return removed
