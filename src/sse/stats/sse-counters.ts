import {
  DeliveredEvent,
  type OutgoingMessage,
} from '../connection/delivered-event.js';
import { formatSseFrame } from '../protocol/sse-frame.js';

/**
 * What happened to the connections of one application since it started. Plain
 * fields, incremented where things happen: counting costs an addition.
 */
export class SseCounters {
  /** Connections refused by `maxConnections` or `maxConnectionsPerClient`, or during shutdown. */
  refused = 0;
  /** Connections dropped because too much waited for them (see `SseStatsSnapshot.droppedSlowClients`). */
  droppedSlow = 0;
  /** Events handed to connections' responses (heartbeats and `retry:` hints are not events). */
  eventsSent = 0;
  /** UTF-8 bytes of those events' wire text. */
  bytesSent = 0;
  /** Reconnections that were replayed what they missed. */
  replays = 0;
  /** Events those replays carried. */
  replayedEvents = 0;
  /** Reset events sent: what a client missed could not be replayed. */
  resets = 0;

  /**
   * Counts one event written to one connection; a channel event's bytes are
   * worked out once for every connection it goes to.
   */
  countSent(item: OutgoingMessage): void {
    if (item instanceof DeliveredEvent) {
      this.eventsSent++;
      this.bytesSent += item.wireBytes;
      return;
    }
    if (item.data === undefined) return;
    this.eventsSent++;
    this.bytesSent += Buffer.byteLength(formatSseFrame(item));
  }
}
