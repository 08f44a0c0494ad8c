import { InMemoryTransport } from '../../src/sse/index.js';
import { transportContract } from './transport.contract.js';

transportContract('InMemoryTransport', {
  start: async () => new InMemoryTransport(),
  stop: async () => undefined,
});
