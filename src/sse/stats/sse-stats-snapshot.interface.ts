import type { SseTransportHealth } from '../transport/sse-transport.js';

/**
 * The module's statistics at one moment, for this instance: what is open now,
 * and counts since the application started.
 * @publicApi
 */
export interface SseStatsSnapshot {
  /** Streams open now: in all, and by endpoint (`Controller.method`). */
  readonly connections: {
    readonly open: number;
    /**
     * Responses not finished yet: the open streams, and those that ended but
     * whose last bytes are still being written. `app.close()` waits for these
     * (at most 5 s); once every client has left, it is 0.
     */
    readonly responding: number;
    readonly byEndpoint: Readonly<Record<string, number>>;
    /**
     * Distinct clients with an open stream, as the `clientKey` option tells
     * them apart (the client's IP address by default).
     */
    readonly clients: number;
  };
  /**
   * Characters of events waiting, over every connection, for clients that
   * stopped reading, for streams to start, or behind replays; and the
   * `maxPendingDataTotal` they may not pass (past it, the clients behind for
   * the longest are dropped). Once every client has caught up, `characters`
   * is 0.
   */
  readonly pendingData: { readonly characters: number; readonly limit: number };
  /** Subscribers of each channel that has any, on this instance. */
  readonly channels: Readonly<Record<string, number>>;
  /** Events written to streams (each connection counts), and their UTF-8 bytes on the wire. */
  readonly events: { readonly sent: number; readonly bytes: number };
  /** Reconnections replayed what they missed, and the events those replays carried. */
  readonly replays: { readonly count: number; readonly events: number };
  /** Reset events sent: what a reconnecting (or cut-off) client missed could not be replayed. */
  readonly resets: number;
  /** Connections dropped because too much waited for them: their client stopped reading (or their stream had not started, or their replay was under way). */
  readonly droppedSlowClients: number;
  /** Connections refused by the connection limits, or during shutdown. */
  readonly refusedConnections: number;
  /** The transport's health. */
  readonly transport: SseTransportHealth;
}
