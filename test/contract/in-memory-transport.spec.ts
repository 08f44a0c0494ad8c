import { InMemoryTransport } from '../../src/sse/index.js';
import { transportContract } from './transport.contract.js';

transportContract('InMemoryTransport', {
  create: () => new InMemoryTransport(),
  start: async () => undefined,
  stop: async () => undefined,
});
