import type { SseEvent } from '../sse-event.interface.js';

/**
 * An event ready for Nest's `@Sse()` pipeline: validated, with `data` already a
 * string and its `id` assigned, so Nest neither copies nor re-encodes it.
 */
export interface SseMessage {
  readonly type?: string;
  readonly id?: string;
  readonly retry?: number;
  readonly data?: string;
  readonly comment?: string;
}

/**
 * A channel event. One object is shared by the channel's history and every
 * connection it goes to. `position` orders it among the events of all channels.
 * A transport makes it (`id` from `formatEventId(epoch, position)`) and hands
 * it to `TransportSink.deliver()`; every layer reads it and none changes it.
 * @publicApi
 */
export interface ChannelMessage extends SseMessage {
  readonly id: string;
  readonly data: string;
  readonly position: number;
  /** The event as it was sent, for `conflateKey`. */
  readonly source: SseEvent;
  /** Its conflation key, when its channel conflates for slow clients. */
  readonly conflationKey?: string;
}
