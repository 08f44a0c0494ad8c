import type { SseEventMap, SseEventOf } from '../sse-event-map.js';

/**
 * One client's open stream, as the endpoint handler sees it. With an event map
 * (`SseConnection<Request, OrderEvents>`), `send` accepts only its events.
 * @publicApi
 */
export interface SseConnection<
  TRequest = any,
  TEvents extends SseEventMap = never,
> {
  /** Unique id of this connection. */
  readonly id: string;
  /** The request that opened the stream (the Express or Fastify request, as `@Req()` gives it). */
  readonly request: TRequest;
  /**
   * The `Last-Event-ID` header the client sent when reconnecting (or its
   * `lastEventId` query parameter, for clients that cannot set headers; the
   * header wins); `undefined` if absent.
   */
  readonly lastEventId: string | undefined;
  /** Aborted once the stream has ended, for whatever reason: tie timers and queries of this connection to it. */
  readonly signal: AbortSignal;
  /** Names of the channels this connection is subscribed to. */
  readonly channels: readonly string[];
  /** `true` once the stream has ended or `close()` was called. */
  readonly closed: boolean;
  /**
   * Queues an event for this client. Returns `true` when it was queued, `false`
   * when the connection is already closed. Throws an `SseEventError` for an
   * event that cannot be written, and then writes nothing.
   */
  send(event: SseEventOf<TEvents>): boolean;
  /**
   * Ends the stream once the events queued before it are written, leaves every
   * channel and runs the `onClose()` callbacks. Idempotent. An EventSource
   * reconnects after it; see the README for how to make it stop.
   */
  close(): void;
  /**
   * Answers the request with `204 No Content` instead of a stream, which makes
   * an EventSource stop reconnecting for good (use it when what the client
   * follows has finished, such as a job whose progress it streamed). Call it
   * before sending anything; the stream is not opened.
   */
  noContent(): void;
  /** Subscribes this connection to channel `name` (once, however often it is called). */
  subscribe(name: string): void;
  /** Unsubscribes this connection from channel `name`. */
  unsubscribe(name: string): void;
  /** Runs `callback` once when the stream ends (at once if it has ended already). */
  onClose(callback: () => void): void;
}
