import type { SseEventMap } from '../sse-event-map.js';

/**
 * One event of a channel, as a follower of `SseChannel.follow()` receives it:
 * what a client receives, on the server.
 * @typeParam TType its type.
 * @typeParam TData what `json()` returns.
 * @publicApi
 */
export interface SseFollowedEventOf<TType extends string, TData> {
  /** The event type (`message` when it was sent without one). */
  readonly type: TType;
  /** Its id, as a client gets it: a position a client can resume after. */
  readonly id: string;
  /** The data, as written on the wire (a string payload as it is, any other as JSON). */
  readonly data: string;
  /**
   * `data` parsed as JSON, typed by the channel's event map. A string payload
   * is written as it is, not as JSON: for those, read `data`.
   */
  json(): TData;
}

/**
 * The events a follower of a channel typed by `TEvents` receives: a union
 * discriminated by `type`, so that `if (event.type === 'new_post')` types
 * `event.json()`. Without a map, any type, and `json()` returns `unknown`.
 * @publicApi
 */
export type SseFollowedEvent<TEvents extends SseEventMap = never> = [
  TEvents,
] extends [never]
  ? SseFollowedEventOf<string, unknown>
  : {
      [K in keyof TEvents & string]: SseFollowedEventOf<K, TEvents[K]>;
    }[keyof TEvents & string];

/**
 * What `SseChannel.follow()` calls. A listener that throws is logged, and
 * changes nothing for the connections or the other followers.
 * @publicApi
 */
export interface SseFollowListener<TEvents extends SseEventMap = never> {
  /**
   * Each event of the channel this instance delivers, once, in position order,
   * in the same synchronous step in which `channels.position()` moves past it.
   */
  event(event: SseFollowedEvent<TEvents>): void;
  /**
   * Events of the channel were missed and cannot be delivered (Redis trimmed
   * them before this instance read them, or lost its data: the history
   * restarted): state built from the events should be loaded again.
   */
  reset(): void;
}

/** What the channel registry calls: a listener of any event map. */
export interface FollowListener {
  event(event: SseFollowedEventOf<string, unknown>): void;
  reset(): void;
}

/**
 * A follower of a channel, from `SseChannel.follow()`.
 * @publicApi
 */
export interface SseFollowing {
  /** The channel followed. */
  readonly channel: string;
  /** Stops the deliveries to the listener; a second call does nothing. */
  close(): void;
}
