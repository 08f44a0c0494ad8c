/**
 * Options of `SseModule.forRoot()` and `SseModule.forRootAsync()`.
 * @publicApi
 */
export interface SseModuleOptions {
  /**
   * Milliseconds between two heartbeat comments on a quiet stream, which keep
   * proxies and load balancers from closing it. A stream that had an event
   * since the last tick gets none. One timer serves every connection.
   * `0` turns heartbeats off.
   * @default 15000
   */
  heartbeatMs?: number;
  /**
   * When set, every stream starts with a `retry:` field telling the browser to
   * wait this many milliseconds before reconnecting (browsers default to about
   * 3 seconds). An endpoint can override it.
   * @default undefined (no hint)
   */
  retryMs?: number;
}
