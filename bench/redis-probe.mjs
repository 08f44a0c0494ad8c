// The driver's own connection to the Redis the Redis mode runs on: it checks
// that Redis answers, reads Redis's CPU time, and deletes the keys of a run.
// ioredis is imported only when a Redis server is selected.

/** How long the driver waits for Redis before it skips the Redis mode. */
const CONNECT_TIMEOUT_MS = 2_000;

/**
 * Connects to `url`; rejects (with the reason) when Redis does not answer
 * within CONNECT_TIMEOUT_MS. No retries: an unreachable Redis is reported,
 * not waited for.
 */
export async function connectRedisProbe(url) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's error (ECONNREFUSED…) says more than the command's "Connection is closed.".
  let socketError;
  client.on('error', (error) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw socketError ?? error;
  }
  const info = parseInfo(await client.info('server'));
  return {
    version: info.redis_version,
    pid: Number(info.process_id),

    /**
     * Redis's CPU time in seconds (`INFO cpu`: user + system, every thread
     * of the process), with microsecond precision. It counts everything Redis
     * does, also for other clients.
     */
    async cpuSeconds() {
      const cpu = parseInfo(await client.info('cpu'));
      return Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys);
    },

    /**
     * Deletes every key that starts with `prefix` (SCAN MATCH `<prefix>*`, so
     * the prefix must hold no glob character); resolves to how many.
     */
    async deleteKeys(prefix) {
      if (/[*?[\]\\]/.test(prefix))
        throw new Error(`key prefix ${prefix} holds a glob character`);
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await client.scan(
          cursor,
          'MATCH',
          `${prefix}*`,
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length > 0) deleted += await client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    },

    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function parseInfo(text) {
  const fields = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#'))
      fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}
