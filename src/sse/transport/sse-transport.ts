import type { ChannelMessage } from '../protocol/sse-message.js';
import type { SseEvent } from '../sse-event.interface.js';
import type { TransportSink } from './transport-sink.js';

/**
 * A channel event checked and encoded once, on its way to the transport.
 * @publicApi
 */
export interface ChannelEventDraft {
  readonly type?: string;
  /** The `data` field, encoded: a string, with no id yet. */
  readonly data: string;
  readonly retry?: number;
  /** The event as it was sent. */
  readonly source: SseEvent;
  /** Its conflation key, when its channel conflates for slow clients. */
  readonly conflationKey?: string;
}

/**
 * The result of a history read: the events to replay, or why there are none
 * to trust (`evicted`: some are no longer kept; `unknown`: the position is
 * not one of this history's).
 * @publicApi
 */
export type ReplayResult =
  | { readonly events: ChannelMessage[] }
  | { readonly reset: 'evicted' | 'unknown' };

/**
 * How a transport is doing, in the shape of a `@nestjs/terminus` indicator's
 * details: `status` is `'up'` while events flow, `'down'` while they cannot.
 * @publicApi
 */
export interface SseTransportHealth {
  readonly status: 'up' | 'down';
  /** Sends accepted but not handed to the broker yet. */
  readonly queuedSends: number;
  /** Why it is down, when it is. */
  readonly error?: string;
}

/**
 * Carries channel events between the processes of an application and keeps
 * their history: it gives every event the next position in one sequence for
 * all channels, with the id `formatEventId(epoch, position)`, and hands the
 * events back to each process's `TransportSink` in position order. Messages
 * are plain data, shared read-only by every layer. `InMemoryTransport` (the
 * default) serves one process; `RedisTransport` (`nestjs-sse-channels/redis`)
 * several. See docs/writing-a-transport.md.
 *
 * It is also the token under which the module provides the transport in use,
 * so an application can inject it (for a health check, say).
 * @publicApi
 */
export abstract class SseTransport {
  /** Names the current history (`newEventEpoch()`); a new one when it restarts. */
  abstract get epoch(): string;
  /** The position of the newest event this process has seen (`0` before any). */
  abstract get head(): number;
  /** Connects the transport to this process's channels. Called once, by the module, before anything else. */
  abstract bind(sink: TransportSink): void;
  /**
   * Gives `event` the next position, keeps it in `channel`'s history (within
   * `sink.historyOf(channel)`) and delivers it to the members of `channel` in
   * every process. Throws an `SseTransportError`, and keeps nothing, when it
   * cannot take the event (and always once closed).
   * @returns the number of local members it reached, or `undefined` when
   * delivery happens later (through a broker).
   */
  abstract publish(
    channel: string,
    event: ChannelEventDraft,
  ): number | undefined;
  /**
   * The events of `channels` after `position`, in position order; or a reset:
   * `evicted` when one of them no longer keeps all it had after `position`,
   * `unknown` when `position` is past this history. Rejects with an
   * `SseTransportError` once closed.
   */
  abstract readAfter(
    channels: readonly string[],
    position: number,
  ): Promise<ReplayResult>;
  /** Members of `channel` in every process; `localCount` is this process's. */
  abstract countAll(channel: string, localCount: number): Promise<number>;
  /** Whether events flow. */
  abstract health(): SseTransportHealth;
  /**
   * Frees what it holds; the module calls it at shutdown, after the streams
   * ended. From then on `publish` and `readAfter` fail; a second call does nothing.
   */
  abstract close(): Promise<void> | void;

  // Optional capabilities: implement those the transport has.
  /** Connects (to a broker); the module awaits it at init, after `bind`. Throw to fail the boot. */
  start?(): Promise<void>;
  /** Whether `position` is known now to be past every event: a client giving it is reset at once. Default: `false`, `readAfter` tells. */
  isFuture?(position: number): boolean;
  /** Notes that this process's members of `channel` changed (`sink.count()` says how many). */
  membersChanged?(channel: string): void;
  /** Notes that `channel`'s history limits changed; by default they are read again on the next publish or read. */
  historyChanged?(channel: string): void;
  /** Channels with history kept in this process, for `ChannelService.names()`. Default: none. */
  namesWithHistory?(): Iterable<string>;
}
