-- Atomic check-and-consume of quota counters (one Redis round trip before the upstream call).
-- KEYS[i]: counter i.  ARGV[3i-2], ARGV[3i-1], ARGV[3i]: limit, amount, ttl seconds of counter i.
-- Refuses if ANY counter would go over its limit, and then consumes NOTHING:
--   returns {0, i, current}  (i = the first counter that refused)
-- Otherwise consumes every counter and sets its expiry in the same step:
--   returns {1, value_1, ..., value_n}  (the counters after consumption)
local n = #KEYS
for i = 1, n do
  local limit = tonumber(ARGV[3 * i - 2])
  local amount = tonumber(ARGV[3 * i - 1])
  local current = tonumber(redis.call('GET', KEYS[i]) or '0')
  if current + amount > limit then
    return {0, i, current}
  end
end
local out = {1}
for i = 1, n do
  local value = redis.call('INCRBY', KEYS[i], tonumber(ARGV[3 * i - 1]))
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[3 * i]))
  out[#out + 1] = value
end
return out
