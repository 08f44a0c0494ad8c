/**
 * What the client needs of an `EventSource`: the browser's, or in Node the
 * `eventsource` package's. Written out here rather than taken from the DOM
 * library, so that the client compiles, and runs, without it.
 * @publicApi
 */
export interface EventSourceLike {
  /** 0 connecting, 1 open, 2 closed for good. */
  readonly readyState: number;
  addEventListener(type: string, listener: (event: any) => void): void;
  close(): void;
}

/**
 * A constructor of {@link EventSourceLike}: `EventSource` in a browser, or in
 * Node the `EventSource` class of the `eventsource` package.
 * @publicApi
 */
export type EventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean },
) => EventSourceLike;

/** `EventSource.CLOSED`: the EventSource gave up and will not reconnect. */
export const EVENT_SOURCE_CLOSED = 2;
