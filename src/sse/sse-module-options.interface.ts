import type { SseDeliveryMode } from './sse-delivery-mode.js';
import type { SseHistoryOptions } from './history/history-options.interface.js';
import type { SseTransport } from './transport/sse-transport.js';

/**
 * Options of `SseModule.forRoot()` and `SseModule.forRootAsync()`.
 * @publicApi
 */
export interface SseModuleOptions {
  /**
   * Milliseconds between two heartbeat comments on a quiet stream, which keep
   * proxies and load balancers from closing it. A stream that had an event
   * since the last tick gets none. One timer serves every connection.
   * `0` turns heartbeats off.
   * @default 15000
   */
  heartbeatMs?: number;
  /**
   * When set, every stream starts with a `retry:` field telling the browser how
   * long to wait before reconnecting, drawn for each connection between
   * `retryMs` and 1.5 × `retryMs` so that clients do not all come back in the
   * same millisecond. An endpoint can override it.
   * @default undefined (no hint; browsers wait about 3 seconds)
   */
  retryMs?: number;
  /**
   * How much of each channel's past is kept to replay to clients that
   * reconnect with `Last-Event-ID`. A channel can override it
   * (`channels.channel(name, { history })`).
   * @default { size: 1000 }
   */
  history?: SseHistoryOptions;
  /**
   * The type of the event a client gets when it reconnects from a position
   * that cannot be replayed: it should refetch its state.
   * @default 'reset'
   */
  resetEventType?: string;
  /**
   * The largest `data` an event may have, in UTF-8 bytes; larger events are
   * refused at `send()` with an `SseEventError`.
   * @default 1048576 (1 MiB)
   */
  maxEventBytes?: number;
  /**
   * Characters of events that may wait, across all connections, for clients
   * that stopped reading, for streams to start, or behind replays. Past it,
   * the connections that have been behind for the longest are dropped to make
   * room (they reconnect and are replayed what they missed). Bounds the memory
   * slow clients can take, whatever their number.
   * @default 67108864 (64M characters)
   */
  maxPendingDataTotal?: number;
  /**
   * Open streams allowed in the whole application; more are refused (see
   * the README: the browser is told to come back later).
   * @default undefined (no limit)
   */
  maxConnections?: number;
  /**
   * Open streams allowed per client, as `clientKey` tells clients apart.
   * @default undefined (no limit)
   */
  maxConnectionsPerClient?: number;
  /**
   * Tells clients apart for `maxConnectionsPerClient`. The key is never
   * written to a client, and a refusal's log line shows only its digest (`#`
   * and the first 12 hex digits of its SHA-256), as it may be a secret such as
   * an API key.
   * @default the remote address (`request.ip`, which honours Express's `trust proxy`)
   */
  clientKey?: (request: any) => string;
  /**
   * How events reach the socket. `'pipeline'`: through Nest's `@Sse()`
   * pipeline, which formats each event for each connection. `'direct'`: Nest
   * still owns the route (guards, pipes, headers, disconnects, errors), but a
   * channel event's wire text is made once and written to every connection's
   * response as is, which costs far less per subscriber. Order, limits,
   * heartbeats and replay are the same. See the README's Performance section.
   * @default 'pipeline'
   */
  delivery?: SseDeliveryMode;
  /**
   * On shutdown, open streams are ended at random moments spread over this many
   * milliseconds, each after a jittered `retry:` hint, so that their clients do
   * not all reconnect to the other instances at once. `app.close()` takes at
   * most this long plus a little.
   * @default 2000
   */
  shutdownDrainMs?: number;
  /**
   * Carries channel events between the instances of the application and keeps
   * their history. The default keeps everything in this process; with several
   * instances behind a load balancer, give a `RedisTransport` (from
   * `nestjs-sse-channels/redis`). See the README's "Running several instances".
   * @default new InMemoryTransport()
   */
  transport?: SseTransport;
}
