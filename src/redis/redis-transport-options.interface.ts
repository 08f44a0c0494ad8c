import type { Redis } from 'ioredis';

/**
 * Options of `new RedisTransport(options)`.
 * @publicApi
 */
export interface RedisTransportOptions {
  /**
   * Where Redis is, as an ioredis URL (`redis://user:password@host:port/db`).
   * @default 'redis://127.0.0.1:6379'
   */
  url?: string;
  /**
   * An ioredis client to take the connection settings from, instead of `url`.
   * The transport opens its own two connections with them (`client.duplicate()`)
   * and closes those on shutdown; the client itself is left as it is.
   */
  client?: Redis;
  /**
   * Prefix of every key the transport uses. Applications that share a Redis
   * give each a prefix of its own.
   * @default 'sse:'
   */
  keyPrefix?: string;
  /**
   * Events kept in the stream shared by all channels, from which every
   * instance reads. An instance that falls further behind (cut off from
   * Redis meanwhile) reads the rest from the channels' histories.
   * @default 10000
   */
  backlogSize?: number;
  /**
   * Sends that may wait while Redis does not take them (it is unreachable,
   * refuses them with an error, or has not answered a publish for 2 s); past
   * it, `send()` throws an `SseTransportError` that says which. While Redis
   * takes sends, a burst of any size is queued and published in batches.
   * @default 10000
   */
  maxQueuedSends?: number;
  /**
   * How long an instance counts as alive after it last told Redis so (it does
   * every third of it). `countAll()` stops counting the subscribers of an
   * instance that died within this time.
   * @default 5000
   */
  instanceTtlMs?: number;
  /**
   * How long startup waits for Redis before the application fails to start.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * How long shutdown waits for queued sends to reach Redis.
   * @default 2000
   */
  shutdownFlushMs?: number;
}
