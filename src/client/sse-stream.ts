import type { SseEventMap } from '../sse/index.js';
import {
  EVENT_SOURCE_CLOSED,
  type EventSourceConstructor,
  type EventSourceLike,
} from './event-source.js';
import {
  defaultResumeStorage,
  resumeKeyOf,
  type SseResumeStorage,
} from './resume-storage.js';
import { SseClientError } from './sse-client.error.js';
import type { SseStreamEvent } from './sse-stream-event.js';
import type { SseStreamOptions } from './sse-stream-options.interface.js';
import { withLastEventId } from './stream-url.js';

/**
 * Where a stream stands: `connecting` until its first connection opens,
 * `reconnecting` after it dropped (EventSource reconnects by itself), `open`,
 * and `closed` once `close()` was called or the EventSource gave up (the
 * server answered something other than an event stream).
 * @publicApi
 */
export type SseStreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * The event types a listener may name: the map's, or any without a map.
 * @publicApi
 */
export type SseStreamEventType<TEvents extends SseEventMap> = [
  TEvents,
] extends [never]
  ? string
  : keyof TEvents & string;

/**
 * The payload of events of type `K`: the map's, or `unknown` without a map.
 * @publicApi
 */
export type SseStreamData<TEvents extends SseEventMap, K> = [TEvents] extends [
  never,
]
  ? unknown
  : K extends keyof TEvents
    ? TEvents[K]
    : never;

type Listener = (event: SseStreamEvent<any>) => void;

/**
 * A Server-Sent Events stream over EventSource, with typed listeners, a
 * callback for resets, its state, and resuming from a position or across page
 * loads. Made by {@link openSseStream}.
 * @publicApi
 */
export class SseStream<TEvents extends SseEventMap = never> {
  private current: SseStreamState = 'connecting';
  private newestId: string;
  private readonly source: EventSourceLike;
  private readonly storage: SseResumeStorage | undefined;
  private readonly resumeKey: string | false;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stateListeners = new Set<(state: SseStreamState) => void>();

  constructor(
    /** The stream's URL, as given. */
    readonly url: string,
    private readonly options: SseStreamOptions = {},
  ) {
    const EventSource =
      options.EventSource ??
      (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
    if (!EventSource)
      throw new SseClientError(
        "there is no EventSource here (Node has none): pass one, openSseStream(url, { EventSource }), in Node the 'eventsource' package's.",
      );
    this.storage = options.storage ?? defaultResumeStorage();
    this.resumeKey = options.resumeKey ?? resumeKeyOf(url);
    this.newestId =
      (this.resumeKey ? this.storage?.getItem(this.resumeKey) : null) ?? '';
    if (options.from) this.keep(options.from);
    // Only the first request carries the query parameter that matters: on
    // each reconnection EventSource also sends the newest id as the
    // `Last-Event-ID` header, which the server reads first (see
    // readLastEventId), so the stale query parameter is ignored then.
    this.source = new EventSource(withLastEventId(url, this.newestId), {
      withCredentials: options.withCredentials,
    });
    this.source.addEventListener('open', () => this.moveTo('open'));
    this.source.addEventListener('error', () =>
      this.moveTo(
        this.source.readyState === EVENT_SOURCE_CLOSED
          ? 'closed'
          : 'reconnecting',
      ),
    );
  }

  /** Where the stream stands now. */
  get state(): SseStreamState {
    return this.current;
  }

  /** The id of the newest event received (or the position it started from). */
  get lastEventId(): string {
    return this.newestId;
  }

  /**
   * Calls `listener` with each event of `type`; `event.json()` is typed by the
   * stream's event map. Returns a function that removes the listener.
   */
  on<K extends SseStreamEventType<TEvents>>(
    type: K,
    listener: (event: SseStreamEvent<SseStreamData<TEvents, K>>) => void,
  ): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      const listeners = (set = new Set());
      this.listeners.set(type, set);
      this.source.addEventListener(type, (message) =>
        this.dispatch(type, message, listeners),
      );
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Calls `listener` when the server could not replay what the stream missed
   * (it was away longer than the history reaches, or the server restarted),
   * with the reason the server gives (`evicted`, `unknown`): the page should
   * reload its state. Returns a function that removes the listener.
   */
  onReset(listener: (reason: string) => void): () => void {
    return this.on(
      (this.options.resetEventType ?? 'reset') as SseStreamEventType<TEvents>,
      (event) => listener(event.data),
    );
  }

  /** Calls `listener` with each new state. Returns a function that removes it. */
  onStateChange(listener: (state: SseStreamState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes the stream for good; its last event id stays kept for `resumeKey`. */
  close(): void {
    this.source.close();
    this.moveTo('closed');
  }

  private dispatch(
    type: string,
    message: { data: string; lastEventId: string },
    listeners: Set<Listener>,
  ): void {
    const { data, lastEventId: id } = message;
    const event: SseStreamEvent = {
      type,
      data,
      id,
      json: () => JSON.parse(data),
    };
    for (const listener of [...listeners]) listener(event);
    // Kept once its listeners ran: a reload in the middle repeats it rather than losing it.
    if (id) this.keep(id);
  }

  /** The newest position, kept for the next page load too. */
  private keep(id: string): void {
    this.newestId = id;
    try {
      if (this.resumeKey) this.storage?.setItem(this.resumeKey, id);
    } catch {
      // A full or forbidden storage: this page goes on, a reload starts from now.
    }
  }

  private moveTo(state: SseStreamState): void {
    if (this.current === state || this.current === 'closed') return;
    this.current = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }
}

/**
 * Opens a Server-Sent Events stream: `openSseStream<OrderEvents>('/order-updates')`,
 * with the same event map the server's `send` is typed with.
 *
 * ```ts
 * const stream = openSseStream<OrderEvents>('/order-updates');
 * stream.on('new_order', (event) => render(event.json()));
 * stream.onReset(() => reload());
 * ```
 * @publicApi
 */
export function openSseStream<TEvents extends SseEventMap = never>(
  url: string,
  options?: SseStreamOptions,
): SseStream<TEvents> {
  return new SseStream<TEvents>(url, options);
}
