import { describe } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';

/** The Redis the suites use: the machine's own, on 127.0.0.1 only. */
export const REDIS_URL = 'redis://127.0.0.1:6379';
const HOW_TO_RUN =
  'Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (then run npm test again).';

/**
 * How long a Redis that accepted the connection may take to answer PING. A
 * Redis that is not running refuses at once; this only bounds a hung one, and
 * is generous because the suites load (and ask) while another jest worker
 * keeps the other core busy: with 1 s, a loaded start once reported a running
 * Redis as missing (the suite skipped, and under CI=true it would have failed).
 */
const PING_TIMEOUT_MS = 5000;

function answersOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(PING_TIMEOUT_MS);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => {
      socket.destroy();
      resolve(reply.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether Redis answers on 127.0.0.1:6379. With `CI=true`, a missing Redis fails the suite instead. */
export const redisAvailable = await answersOn(6379);

if (!redisAvailable) {
  if (process.env.CI === 'true') {
    throw new Error(
      `The Redis suites need Redis on 127.0.0.1:6379, and CI=true makes its absence a failure. ${HOW_TO_RUN}`,
    );
  }
  console.warn(
    `Skipping the Redis suites: no Redis answers on 127.0.0.1:6379. ${HOW_TO_RUN}`,
  );
}

/** `describe` when Redis is there; otherwise the suite is reported as skipped (see the warning above). */
export const describeWithRedis: (name: string, body: () => void) => void =
  redisAvailable ? describe : describe.skip;

/** A key prefix no other test uses, so suites never see each other's keys. */
export function uniquePrefix(): string {
  return `sse-test:${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix` (a test's own, never a pattern a user wrote). */
export async function deleteKeys(
  prefix: string,
  url = REDIS_URL,
): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}*`,
        'COUNT',
        1000,
      );
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** The connections of Redis whose name starts with `prefix`, from CLIENT LIST. */
export async function connectionsNamed(
  prefix: string,
): Promise<Array<{ id: string; name: string }>> {
  const redis = new Redis(REDIS_URL);
  try {
    return String(await redis.client('LIST'))
      .split('\n')
      .map((line) => ({
        id: /^id=(\d+)/.exec(line)?.[1] ?? '',
        name: / name=(\S*)/.exec(line)?.[1] ?? '',
      }))
      .filter((connection) => connection.name.startsWith(prefix));
  } finally {
    await redis.quit();
  }
}
