-- Gives a reservation up: the compensation for a reserve whose outcome the edge does not know
-- (timeout, dropped connection) or that it will never settle. Idempotent by id.
-- KEYS[1]: the reservation record; KEYS[2]: its tombstone
-- ARGV[1]: reservation id; ARGV[2]: tombstone lifetime (ms, at least the lease)
-- Always sets the tombstone first, so a reserve.lua that runs later for this id consumes nothing.
-- When the record exists, undoes what it added (window counters by their amount, never below
-- zero, keeping their expiry; leases removed) and deletes it. The record's counters share the
-- tenant's {hash tag} with KEYS[1], so they are in its cluster slot.
-- Returns the number of counters undone (0 when the reserve never landed or was settled).
redis.call('SET', KEYS[2], '1', 'PX', tonumber(ARGV[2]))
local fields = redis.call('HGETALL', KEYS[1])
for j = 1, #fields, 2 do
  local key = fields[j]
  local amount = fields[j + 1]
  if amount == 'lease' then
    redis.call('ZREM', key, ARGV[1])
  elseif redis.call('EXISTS', key) == 1 then
    local value = redis.call('DECRBY', key, tonumber(amount))
    if value < 0 then
      redis.call('SET', key, 0, 'KEEPTTL')
    end
  end
end
redis.call('DEL', KEYS[1])
return #fields / 2
