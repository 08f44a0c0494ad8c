import type { EventSourceConstructor } from './event-source.js';
import type { SseResumeStorage } from './resume-storage.js';

/**
 * Options of {@link openSseStream}.
 * @publicApi
 */
export interface SseStreamOptions {
  /**
   * The position to start from: an event id, such as the position a snapshot
   * of the page's state was read at. The stream then delivers every event
   * after it, and none before. Wins over the id kept for `resume`.
   * @default undefined (the id kept for `resume`, or from now)
   */
  from?: string;
  /**
   * Resumes across page loads: the id of the newest event its listeners
   * received (or of `from`, until one arrives) is kept in `storage` under
   * this key, and the next stream made with the same key (after a reload, say)
   * starts after it, so a reload neither loses nor repeats an event. `false`
   * turns it off. Off when there is no storage (in Node).
   * @default `sse-last-event-id:<url>`
   */
  resumeKey?: string | false;
  /**
   * Where the last event id is kept for `resumeKey`.
   * @default globalThis.sessionStorage (per tab, gone when the tab closes)
   */
  storage?: SseResumeStorage;
  /**
   * The `EventSource` to use: in Node, the `eventsource` package's.
   * @default globalThis.EventSource
   */
  EventSource?: EventSourceConstructor;
  /**
   * Sends cookies with a cross-origin stream (EventSource's own option).
   * @default false
   */
  withCredentials?: boolean;
  /**
   * The type of the event the server sends when it cannot replay what was
   * missed: the module's `resetEventType`.
   * @default 'reset'
   */
  resetEventType?: string;
}
