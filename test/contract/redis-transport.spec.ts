import { RedisTransport } from '../../src/redis/index.js';
import type { SseTransport } from '../../src/sse/index.js';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { transportContract } from './transport.contract.js';

const prefixes = new WeakMap<SseTransport, string>();

transportContract(
  'RedisTransport',
  {
    create() {
      const keyPrefix = uniquePrefix();
      const transport = new RedisTransport({ url: REDIS_URL, keyPrefix });
      prefixes.set(transport, keyPrefix);
      return transport;
    },
    async start(transport) {
      await (transport as RedisTransport).start();
    },
    async stop(transport) {
      await (transport as RedisTransport).close();
      await deleteKeys(prefixes.get(transport)!);
    },
  },
  describeWithRedis,
);
