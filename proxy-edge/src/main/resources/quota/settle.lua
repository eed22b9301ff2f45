-- Settles a reservation after the call (one Redis round trip after it).
-- KEYS[i]: counter i.  ARGV[i]: delta (negative releases what was reserved and not used).
-- A counter whose window has already expired is left alone (its key is gone: nothing to settle).
-- A counter is never left below zero; its expiry is kept.
for i = 1, #KEYS do
  local delta = tonumber(ARGV[i])
  if delta ~= 0 and redis.call('EXISTS', KEYS[i]) == 1 then
    local value = redis.call('INCRBY', KEYS[i], delta)
    if value < 0 then
      redis.call('SET', KEYS[i], 0, 'KEEPTTL')
    end
  end
end
return 1
