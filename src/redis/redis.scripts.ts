/**
 * The Lua scripts of the Redis transport. Each runs atomically, so positions,
 * history and the shared event stream never disagree.
 */

/**
 * Lua that leaves in `epoch` the history to use, starting a new one when
 * Redis lost data: it has no epoch (it is new, was flushed, or restarted
 * without persistence), or its position counter is behind a position the
 * calling instance has read (it restarted from an older snapshot, or failed
 * over to a replica that lacked the last writes), so the positions after it
 * would be given again to other events. A new history starts after the
 * positions Redis has, which it records in the start key.
 */
function adoptHistory(keys: {
  epoch: string;
  position: string;
  start: string;
  freshEpoch: string;
  instanceEpoch: string;
  readPosition: string;
}): string {
  return `
local epoch = redis.call('GET', ${keys.epoch})
local counter = tonumber(redis.call('GET', ${keys.position}) or '0')
if not epoch or (epoch == ${keys.instanceEpoch} and counter < tonumber(${keys.readPosition})) then
  epoch = ${keys.freshEpoch}
  redis.call('SET', ${keys.epoch}, epoch)
  redis.call('SET', ${keys.start}, counter)
end`;
}

/**
 * Publishes one event.
 * KEYS: epoch, position, history start, events, channel history, instance's
 * sent marker.
 * ARGV: the epoch the instance uses, a fresh epoch in case Redis lost its data,
 * the send's sequence number in its instance, channel name, payload, history
 * size (at least 1), shared stream length, marker TTL in ms, the last position
 * the instance has read.
 * Returns {0, epoch, start} when the instance must move to another history
 * first (its events come after `start`), {1, epoch, position} when published,
 * {2, epoch} when this send was taken already.
 */
export const PUBLISH_SCRIPT = `${adoptHistory({
  epoch: 'KEYS[1]',
  position: 'KEYS[2]',
  start: 'KEYS[3]',
  freshEpoch: 'ARGV[2]',
  instanceEpoch: 'ARGV[1]',
  readPosition: 'ARGV[9]',
})}
if epoch ~= ARGV[1] then return {0, epoch, redis.call('GET', KEYS[3]) or '0'} end
local sent = tonumber(redis.call('GET', KEYS[6]) or '0')
if tonumber(ARGV[3]) <= sent then return {2, epoch} end
local position = redis.call('INCR', KEYS[2])
local previous = 0
local last = redis.call('XREVRANGE', KEYS[5], '+', '-', 'COUNT', 1)
if last[1] then previous = tonumber(string.match(last[1][1], '^(%d+)')) end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local id = position .. '-0'
redis.call('XADD', KEYS[5], 'MAXLEN', ARGV[6], id, 'p', previous, 't', now, 'e', ARGV[5])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[7], id, 'c', ARGV[4], 'e', ARGV[5])
redis.call('SET', KEYS[6], ARGV[3], 'PX', ARGV[8])
return {1, epoch, position}
`;

/**
 * Reads the history to use, starting a new one if Redis lost data.
 * KEYS: epoch, position, history start. ARGV: a fresh epoch, the epoch the
 * instance uses (empty at its start), the last position it has read.
 * Returns {epoch, position, start}: the newest position, and the one the
 * history's events come after.
 */
export const EPOCH_SCRIPT = `${adoptHistory({
  epoch: 'KEYS[1]',
  position: 'KEYS[2]',
  start: 'KEYS[3]',
  freshEpoch: 'ARGV[1]',
  instanceEpoch: 'ARGV[2]',
  readPosition: 'ARGV[3]',
})}
return {epoch, tostring(counter), redis.call('GET', KEYS[3]) or '0'}
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
