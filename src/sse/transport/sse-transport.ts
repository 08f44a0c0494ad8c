import type { EventIds } from '../history/event-ids.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import type { HistoryLimits } from '../resolved-sse-options.js';
import type { SseEvent } from '../sse-event.interface.js';

/** A channel event checked and encoded once, on its way to the transport. */
export interface ChannelEventDraft {
  readonly type?: string;
  readonly data: string;
  readonly retry?: number;
  /** The event as it was sent. */
  readonly source: SseEvent;
  /** Its conflation key, when its channel conflates for slow clients. */
  readonly conflationKey?: string;
}

/** The result of a history read: the events to replay, or why there are none to trust. */
export type ReplayResult =
  | { readonly events: ChannelMessage[] }
  | { readonly reset: 'evicted' | 'unknown' };

/** What a transport hands its events to: the channels of this process. */
export interface TransportSink {
  /** Delivers an event to this process's members of `channel`; events come in position order. */
  deliver(channel: string, message: ChannelMessage): number;
  /** Tells the members of `channel` that they missed events that cannot be replayed. */
  missed(channel: string): void;
  /** Tells every connection that the history restarted: positions it holds mean nothing now. */
  restarted(): void;
  /** The history limits of `channel`. */
  historyOf(channel: string): HistoryLimits;
  /** Members of `channel` in this process. */
  count(channel: string): number;
  /** Channels with members in this process. */
  channelsWithMembers(): Iterable<string>;
  /**
   * Tells the sink that `channel`, which has no members in this process, has
   * no history kept either: the sink forgets its settings. A transport whose
   * history lives elsewhere (a broker) may never call it.
   */
  forgotten(channel: string): void;
}

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
 * their history: it gives every event its position in the one sequence that
 * orders the events of all channels, and hands events back to each process in
 * that order. `InMemoryTransport` (the default) serves one process;
 * `RedisTransport` (`nestjs-sse-channels/redis`) several.
 *
 * It is also the token under which the module provides the transport in use,
 * so an application can inject it (for a health check, say).
 * @publicApi
 */
export abstract class SseTransport {
  /** The ids of the current history. */
  abstract get ids(): EventIds;

  /** The position of the newest event this process has seen. */
  abstract get head(): number;

  /**
   * Whether `position` is known, now, to be past every event of this history:
   * a client that gives it is reset at once. A transport that cannot tell
   * synchronously answers `false` and lets `readAfter` find out.
   */
  abstract isFuture(position: number): boolean;

  /** Connects the transport to the channels of this process. Called once, by the module. */
  abstract bind(sink: TransportSink): void;

  /**
   * Gives `event` the next position, keeps it in `channel`'s history and
   * delivers it to the members of `channel` in every process. Throws, and
   * keeps nothing, when it cannot take the event.
   * @returns the number of local members it was delivered to, or `undefined`
   * when delivery happens later (through a broker).
   */
  abstract publish(
    channel: string,
    event: ChannelEventDraft,
  ): number | undefined;

  /**
   * The events of `channels` after `position`, in position order, or a reset
   * when one of them is no longer kept (`evicted`) or the position is not one
   * of this history's (`unknown`).
   */
  abstract readAfter(
    channels: readonly string[],
    position: number,
  ): Promise<ReplayResult>;

  /**
   * Notes that the members of `channel` in this process changed (`sink.count()`
   * says how many).
   */
  abstract membersChanged(channel: string): void;

  /** Notes that `channel`'s history limits changed. */
  abstract historyChanged(channel: string): void;

  /** The number of members of `channel` in every process; `localCount` is this process's. */
  abstract countAll(channel: string, localCount: number): Promise<number>;

  /** Channels with history kept in this process. */
  abstract namesWithHistory(): Iterable<string>;

  /** Whether events flow. */
  abstract health(): SseTransportHealth;
}
