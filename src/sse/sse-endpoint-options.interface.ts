import type { SseConnection } from './sse-connection.js';

/**
 * Options of `@SseEndpoint()`.
 * @publicApi
 */
export interface SseEndpointOptions {
  /**
   * Channels every connection joins before the handler runs, or a function
   * that returns them for a connection (for example from `conn.request`).
   * @default []
   */
  channels?: readonly string[] | ((connection: SseConnection) => readonly string[]);
  /**
   * Characters of events that may wait for a client that stops reading before
   * its connection is dropped (an EventSource then reconnects). Passed to Nest's
   * `@Sse()`, whose default is 4M characters.
   * @default Nest's default
   */
  maxPendingDataLength?: number;
  /**
   * Overrides the module's `retryMs` for this endpoint.
   * @default the module's `retryMs`
   */
  retryMs?: number;
}
