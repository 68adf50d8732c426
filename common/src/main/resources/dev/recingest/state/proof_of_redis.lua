-- Included where a script names it in an include line (LuaScript.source): not a script of its own.
-- This Redis's run_id and replication id ('' when INFO is not allowed here: then nothing is ever proven).
local function proofOfRedis()
  local s = redis.pcall('INFO', 'server')
  local r = redis.pcall('INFO', 'replication')
  if type(s) ~= 'string' or type(r) ~= 'string' then return '' end
  local run = string.match(s, 'run_id:(%x+)')
  local repl = string.match(r, 'master_replid:(%x+)')
  if not run or not repl then return '' end
  return run .. ':' .. repl
end
