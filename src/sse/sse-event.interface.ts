/**
 * One event for an EventSource client.
 *
 * - `type` becomes the `event:` field: the name an `addEventListener()` on the
 *   client listens for (`message` when absent).
 * - `data` is sent as it is when it is a string (one `data:` line per line of
 *   text) and JSON-encoded otherwise.
 * - `id` becomes the `id:` field, which the browser sends back as
 *   `Last-Event-ID` when it reconnects.
 * - `retry` tells the browser how many milliseconds to wait before reconnecting.
 * @publicApi
 */
export interface SseEvent {
  type?: string;
  data: unknown;
  id?: string;
  retry?: number;
}
