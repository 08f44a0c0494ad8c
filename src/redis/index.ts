export { RedisTransport } from './redis-transport.js';
export type { RedisTransportOptions } from './redis-transport-options.interface.js';
