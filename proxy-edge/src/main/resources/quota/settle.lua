-- Settles a reservation after the call (one Redis round trip after it); idempotent by id.
-- KEYS[1]: the reservation record; KEYS[1+i]: counter i
-- ARGV[1]: reservation id; ARGV[1+i]: delta of counter i (actual - reserved), or 'lease'
-- No record (already settled or released, or older than its lease): changes nothing, returns 0.
-- Else: a counter whose window has expired is left alone (its key is gone); a counter is never
-- left below zero and keeps its expiry; a lease is removed; the record is deleted; returns 1.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
for i = 2, #KEYS do
  if ARGV[i] == 'lease' then
    redis.call('ZREM', KEYS[i], ARGV[1])
  else
    local delta = tonumber(ARGV[i])
    if delta ~= 0 and redis.call('EXISTS', KEYS[i]) == 1 then
      local value = redis.call('INCRBY', KEYS[i], delta)
      if value < 0 then
        redis.call('SET', KEYS[i], 0, 'KEEPTTL')
      end
    end
  end
end
redis.call('DEL', KEYS[1])
return 1
