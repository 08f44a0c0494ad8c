/**
 * How much of a channel's past is kept for clients that reconnect with
 * `Last-Event-ID`. Memory use is at most `size` events per channel that has
 * any, each about the size of its encoded data.
 * @publicApi
 */
export interface SseHistoryOptions {
  /**
   * Events kept per channel. `0` keeps none: a reconnecting client then gets a
   * reset event whenever it missed something.
   * @default 1000
   */
  size?: number;
  /**
   * Events older than this many milliseconds are dropped too.
   * @default undefined (no age limit)
   */
  maxAgeMs?: number;
}
