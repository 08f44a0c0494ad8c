import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../src/redis/index.js';
import type { SseTransport } from '../../src/sse/index.js';
import {
  connectionsNamed,
  deleteKeys,
  describeWithRedis,
  redisAvailable,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { waitFor, waitForAsync } from '../support/wait-for.js';
import { transportContract } from './transport.contract.js';

const prefixes = new WeakMap<SseTransport, string>();
/** The connection the fixture inspects Redis with: never one of the transport's. */
const admin = redisAvailable
  ? new Redis(REDIS_URL, { lazyConnect: true })
  : undefined;
/**
 * The transports' connections come back 700 ms after a drop (ioredis
 * retries at once otherwise): long enough to publish past what a reader that
 * was cut off can still read.
 */
const template = new Redis(REDIS_URL, {
  lazyConnect: true,
  retryStrategy: () => 700,
});
// The transport warns about the cut, the loss and the skipped events, as it should; not in the test output.
beforeAll(() => Logger.overrideLogger(false));
afterAll(async () => {
  template.disconnect();
  admin?.disconnect();
});

transportContract(
  'RedisTransport',
  {
    create() {
      const keyPrefix = uniquePrefix();
      const transport = new RedisTransport({ client: template, keyPrefix });
      prefixes.set(transport, keyPrefix);
      return transport;
    },
    async start(transport) {
      await transport.start!();
    },
    async stop(transport) {
      await transport.close();
      await deleteKeys(prefixes.get(transport)!);
    },
    async loseHistory(transport) {
      await deleteKeys(prefixes.get(transport)!);
    },
    async loseEvents(transport, publish) {
      const prefix = prefixes.get(transport)!;
      const readers = (await connectionsNamed(prefix)).filter((connection) =>
        connection.name.endsWith(':reader'),
      );
      expect(readers).toHaveLength(1);
      await admin!.client('KILL', 'ID', readers[0].id);
      await waitFor(
        () => transport.health().status === 'down',
        'the reader to be down',
      );
      const from = Number(await admin!.get(`${prefix}position`));
      publish();
      await waitForAsync(
        async () => Number(await admin!.get(`${prefix}position`)) >= from + 10,
        'the events to be in Redis',
      );
      // As if the shared stream had reached its backlogSize: only the last event is left in it.
      await admin!.xtrim(`${prefix}events`, 'MAXLEN', 1);
    },
  },
  describeWithRedis,
);
