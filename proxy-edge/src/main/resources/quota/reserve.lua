-- Atomic check-and-consume of one call's quota counters (one Redis round trip before the upstream
-- call), as a reservation with an id that settle.lua and release.lua undo idempotently (issue #9).
-- KEYS[1]: the reservation record (hash: counter key -> amount added, or 'lease')
-- KEYS[2]: the reservation's tombstone (set by release.lua: this reservation was given up)
-- KEYS[2+i]: counter i
-- ARGV[1]: reservation id; ARGV[2]: now (ms since the epoch); ARGV[3]: lease (ms)
-- ARGV[4i..4i+3]: limit, amount, ttl seconds, kind ('count' or 'lease') of counter i
--   'count': a window counter (INCRBY, expires with its window)
--   'lease': concurrency slots, a sorted set of reservation ids scored by lease expiry (ms);
--            expired leases are dropped first, so no lost release can hold a slot past its lease
-- Returns {2} when the tombstone exists (the caller gave up and released it: consumes NOTHING);
-- {0, i, current} when counter i would go over its limit (consumes NOTHING);
-- else consumes every counter and returns {1, value_1, ..., value_n} (the values after it).
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {2}
end
local id = ARGV[1]
local now = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local n = #KEYS - 2
for i = 1, n do
  local key = KEYS[2 + i]
  local limit = tonumber(ARGV[4 * i])
  local amount = tonumber(ARGV[4 * i + 1])
  local current
  if ARGV[4 * i + 3] == 'lease' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    current = redis.call('ZCARD', key)
  else
    current = tonumber(redis.call('GET', key) or '0')
  end
  if current + amount > limit then
    return {0, i, current}
  end
end
local out = {1}
for i = 1, n do
  local key = KEYS[2 + i]
  local amount = tonumber(ARGV[4 * i + 1])
  if ARGV[4 * i + 3] == 'lease' then
    redis.call('ZADD', key, now + lease, id)
    redis.call('PEXPIRE', key, lease)
    redis.call('HSET', KEYS[1], key, 'lease')
    out[#out + 1] = redis.call('ZCARD', key)
  else
    local value = redis.call('INCRBY', key, amount)
    redis.call('EXPIRE', key, tonumber(ARGV[4 * i + 2]))
    redis.call('HSET', KEYS[1], key, amount)
    out[#out + 1] = value
  end
end
redis.call('PEXPIRE', KEYS[1], lease)
return out
