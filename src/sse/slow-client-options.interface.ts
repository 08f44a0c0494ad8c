import type { SseEvent } from './sse-event.interface.js';

/**
 * What happens to the events of a client that stops reading, once they pass
 * its pending-data limit (`maxPendingDataLength`) or the module's budget.
 * @publicApi
 */
export interface SseSlowClientOptions {
  /**
   * - `'disconnect'`: drop the connection. The browser reconnects with
   *   `Last-Event-ID` and is replayed what it missed, while history covers it.
   * - `'conflate'`: while the client is not reading, keep only the latest
   *   pending event per `conflateKey` (the latest price per symbol, say). The
   *   connection is still dropped if the limit is passed all the same.
   * @default 'disconnect'
   */
  policy?: 'disconnect' | 'conflate';
  /** The key events are conflated by; required by `'conflate'`. */
  conflateKey?: (event: SseEvent) => string;
}
