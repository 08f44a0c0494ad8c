/**
 * An event as a listener of {@link SseStream.on} receives it.
 * @publicApi
 */
export interface SseStreamEvent<TData = unknown> {
  /** The event type (`message` when the server set none). */
  readonly type: string;
  /** The data, as sent on the wire. */
  readonly data: string;
  /** The event's id: a position the stream can be resumed from. */
  readonly id: string;
  /**
   * `data` parsed as JSON, typed by the stream's event map. The server sends a
   * string payload as it is, not as JSON: for those, read `data`.
   */
  json(): TData;
}
