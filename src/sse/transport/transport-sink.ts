import type { HistoryLimits } from '../history/history-limits.js';
import type { ChannelMessage } from '../protocol/sse-message.js';

/**
 * What a transport hands its events to: the channels of this process. The
 * module gives it to `SseTransport.bind()`; a transport calls it, never the
 * other way round.
 * @publicApi
 */
export interface TransportSink {
  /**
   * Delivers an event to this process's members of `channel`. Call it in
   * position order, once per event and process; returns the number of
   * members it reached.
   */
  deliver(channel: string, message: ChannelMessage): number;
  /**
   * Sends a reset to this process's members of `channel`: they missed events
   * that cannot be delivered or replayed (a reader fell behind a broker that
   * trimmed them), so each starts over from now.
   */
  resetMembers(channel: string): void;
  /**
   * Tells every connection that the history restarted (a new epoch): the ids
   * and positions they hold mean nothing now. Call it after `epoch` changed.
   */
  restarted(): void;
  /** The history limits of `channel`: keep at most this much of it. */
  historyOf(channel: string): HistoryLimits;
  /**
   * Connections subscribed to `channel` in this process: what a transport
   * that counts across processes writes. Followers (`SseChannel.follow()`)
   * are members that are not counted.
   */
  count(channel: string): number;
  /**
   * Whether `channel` has members in this process (connections, or
   * followers): a transport may skip the events of a channel without.
   */
  hasMembers(channel: string): boolean;
  /** Channels with members (connections, or followers) in this process. */
  channelsWithMembers(): Iterable<string>;
  /**
   * Tells the sink that `channel`, which has no members in this process, has
   * no history kept either: the sink forgets its settings. A transport whose
   * history lives elsewhere (a broker) may never call it.
   */
  forgotten(channel: string): void;
}
