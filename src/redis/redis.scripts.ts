/**
 * The Lua scripts of the Redis transport. Each runs atomically, so positions,
 * history and the shared event stream never disagree.
 */

/**
 * Publishes one event.
 * KEYS: epoch, position, events, channel history, instance's sent marker.
 * ARGV: the epoch the instance uses, a fresh epoch in case Redis lost its data,
 * the send's sequence number in its instance, channel name, payload, history
 * size (at least 1), shared stream length, marker TTL in ms.
 * Returns {0, epoch} when the instance must adopt another epoch first, {1, epoch,
 * position} when published, {2, epoch} when this send was taken already.
 */
export const PUBLISH_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
end
if epoch ~= ARGV[1] then return {0, epoch} end
local sent = tonumber(redis.call('GET', KEYS[5]) or '0')
if tonumber(ARGV[3]) <= sent then return {2, epoch} end
local position = redis.call('INCR', KEYS[2])
local previous = 0
local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
if last[1] then previous = tonumber(string.match(last[1][1], '^(%d+)')) end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = position .. '-0'
redis.call('XADD', KEYS[4], 'MAXLEN', ARGV[6], id, 'p', previous, 't', now, 'e', ARGV[5])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], id, 'c', ARGV[4], 'e', ARGV[5])
redis.call('SET', KEYS[5], ARGV[3], 'PX', ARGV[8])
return {1, epoch, position}
`;

/**
 * Reads the epoch, setting a fresh one if Redis has none (it is new, or lost its data).
 * KEYS: epoch, position. ARGV: a fresh epoch. Returns {epoch, position}.
 */
export const EPOCH_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
`;

/**
 * Marks an instance alive for another TTL and writes its changed member counts.
 * KEYS: instances, the instance's counts. ARGV: instance id, TTL in ms, then
 * channel/count pairs (a count of 0 removes the channel).
 */
export const PRESENCE_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '0' then redis.call('HDEL', KEYS[2], ARGV[i])
  else redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
`;

/**
 * Sums a channel's members on every live instance but the caller.
 * KEYS: instances. ARGV: key prefix, channel, the caller's id.
 */
export const COUNT_ALL_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local total = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if id ~= ARGV[3] then
    total = total + tonumber(redis.call('HGET', ARGV[1] .. 'members:' .. id, ARGV[2]) or '0')
  end
end
return total
`;
