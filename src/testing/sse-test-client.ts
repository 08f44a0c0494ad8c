import type { INestApplication } from '@nestjs/common';
import type { SseEventMap } from '../sse/index.js';
import { SseStreamParser } from './sse-stream-parser.js';

/**
 * An event as the test client received it: what a browser's EventSource would
 * hand a listener.
 * @publicApi
 */
export interface SseTestEvent<TData = unknown> {
  /** The event type (`message` when the server set none). */
  readonly type: string;
  /** The data, as sent on the wire. */
  readonly data: string;
  /** The client's last event id after this event. */
  readonly lastEventId: string;
  /** `data` parsed as JSON. */
  json(): TData;
}

/**
 * Options of {@link SseTestClient.connect}.
 * @publicApi
 */
export interface SseTestClientOptions {
  /** Request headers, such as `Authorization` or `Cookie`. */
  headers?: Record<string, string>;
  /**
   * Sent as the `Last-Event-ID` header (in UTF-8, as a browser sends it), as a
   * reconnecting browser does; the client's `lastEventId` until the stream
   * sets one.
   */
  lastEventId?: string;
  /**
   * How long each `waitFor…` waits before it fails.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * Reconnects by itself, as a browser's EventSource does: when the server
   * ends the stream or the request fails, it waits the server's `retry:` (3 s
   * until the server sent one) and connects again with `Last-Event-ID`. A
   * response that is not a `200` of type `text/event-stream` closes it for
   * good, as it closes an EventSource. `opens`, `errors` and `readyState` say
   * what an EventSource's listeners would have seen; `events` gathers the
   * events of every stream. Waits fail when the stream ends only once it is
   * closed for good.
   * @default false
   */
  reconnect?: boolean;
}

/**
 * The state of a {@link SseTestClient}, as an EventSource's `readyState` says it.
 * @publicApi
 */
export type SseTestClientState = 'connecting' | 'open' | 'closed';

type EventOfType<TEvents extends SseEventMap, K> = SseTestEvent<
  K extends keyof TEvents ? TEvents[K] : unknown
>;

/** An event as received; `json()` sits on the prototype, so `toEqual` compares the fields only. */
class ReceivedEvent implements SseTestEvent {
  constructor(
    readonly type: string,
    readonly data: string,
    readonly lastEventId: string,
  ) {}

  json(): unknown {
    return JSON.parse(this.data);
  }
}

/** The delay before reconnecting until the server sends `retry:`, as in browsers and the `eventsource` package. */
const DEFAULT_RETRY_MS = 3000;

/**
 * A Server-Sent Events client for tests: it connects to an application (or a
 * URL) over a real socket, parses the stream as a browser's EventSource does
 * and records every event, and waits for events with a timeout, never for a
 * fixed time. By default it does not reconnect by itself: `reconnect()` does,
 * with the last event id, when a test says so; with the `reconnect` option it
 * reconnects as an EventSource does. As a browser, it dispatches no event
 * from a response that is not a `200` of type `text/event-stream` (its
 * `status` and `headers` say what came instead).
 *
 * ```ts
 * const client = await SseTestClient.connect<OrderEvents>(app, '/order-updates');
 * await request(app.getHttpServer()).post('/api/orders').send({ item: 'coffee' });
 * const order = await client.waitForEvent('new_order');
 * expect(order.json().item).toBe('coffee');
 * ```
 * @publicApi
 */
export class SseTestClient<TEvents extends SseEventMap = never> {
  /** Every event received, in order (over every stream, in `reconnect` mode). */
  readonly events: Array<SseTestEvent> = [];
  private openCount = 0;
  private errorCount = 0;
  private state: SseTestClientState = 'connecting';
  private responseStatus = 0;
  private responseHeaders = new Headers();
  private parser: SseStreamParser;
  /** The newest `retry:` of the streams before the current one. */
  private earlierRetry: number | undefined;
  private request: AbortController | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByTest = false;
  private endedFlag = false;
  private failure: unknown;
  private readonly waiters = new Set<() => void>();

  private constructor(
    /** The URL it connects to. */
    readonly url: string,
    private readonly options: SseTestClientOptions,
  ) {
    this.parser = this.parserFrom(options.lastEventId ?? '');
  }

  /**
   * Opens a stream. `target` is a Nest application (started on a free port of
   * 127.0.0.1 if it does not listen yet) or a base URL; `path` is added to it.
   * Resolves once the response's headers arrived, whatever its status (in
   * `reconnect` mode, also once the first request failed: the client then
   * tries again, as an EventSource does).
   */
  static async connect<TEvents extends SseEventMap = never>(
    target: INestApplication | string,
    path = '',
    options: SseTestClientOptions = {},
  ): Promise<SseTestClient<TEvents>> {
    const client = new SseTestClient<TEvents>(
      `${await baseUrlOf(target)}${path}`,
      options,
    );
    await client.openStream();
    return client;
  }

  /**
   * The response's status: 200 for a stream, 204 when the endpoint called
   * `noContent()`, an error status otherwise (0 before any response). Only a
   * 200 of type `text/event-stream` has its events dispatched, as in a
   * browser. In `reconnect` mode, the latest response's.
   */
  get status(): number {
    return this.responseStatus;
  }

  /** The response's headers (the latest response's, in `reconnect` mode). */
  get headers(): Headers {
    return this.responseHeaders;
  }

  /**
   * `connecting`, `open` or `closed`, as an EventSource's `readyState`: a
   * client that does not reconnect by itself is `closed` once its stream
   * ended.
   */
  get readyState(): SseTestClientState {
    return this.state;
  }

  /**
   * Streams opened: responses that were a `200` of type `text/event-stream`
   * (an EventSource's `open` events).
   */
  get opens(): number {
    return this.openCount;
  }

  /**
   * An EventSource's `error` events: a stream the server ended, a request
   * that failed, or a response that was not a stream.
   */
  get errors(): number {
    return this.errorCount;
  }

  /** The server's newest `retry:`, in milliseconds (`undefined` before any). */
  get retry(): number | undefined {
    return this.parser.retry ?? this.earlierRetry;
  }

  /**
   * The last event id, as a browser's EventSource holds it: what it would send
   * back when reconnecting. Set at every blank line from the stream's `id:`,
   * even by a frame with no data (`retry: 3000\nid: 5\n\n`); kept across
   * reconnections; `''` before any.
   */
  get lastEventId(): string {
    return this.parser.lastEventId;
  }

  /** Whether the server ended the stream (one of them, in `reconnect` mode). */
  get ended(): boolean {
    return this.endedFlag;
  }

  /** The data of every event of `type`, in order. */
  dataOf(type: string): string[] {
    return this.events
      .filter((event) => event.type === type)
      .map((event) => event.data);
  }

  /** Resolves with the first event of `type` received (now or later); fails after the timeout. */
  async waitForEvent<K extends string & keyof TEvents>(
    type: K,
    timeoutMs?: number,
  ): Promise<EventOfType<TEvents, K>>;
  async waitForEvent(type: string, timeoutMs?: number): Promise<SseTestEvent>;
  async waitForEvent(
    type: string,
    timeoutMs = this.options.timeoutMs,
  ): Promise<SseTestEvent> {
    await this.waitUntil(
      () => this.events.some((event) => event.type === type),
      `an event of type "${type}"`,
      timeoutMs,
    );
    return this.events.find((event) => event.type === type)!;
  }

  /** Resolves with the first `count` events (of `type`, if given) once they arrived; fails after the timeout. */
  async waitForEvents(
    count: number,
    type?: string,
    timeoutMs = this.options.timeoutMs,
  ): Promise<SseTestEvent[]> {
    const matching = () =>
      type === undefined
        ? this.events
        : this.events.filter((event) => event.type === type);
    await this.waitUntil(
      () => matching().length >= count,
      `${count} event(s)${type ? ` of type "${type}"` : ''}`,
      timeoutMs,
    );
    return matching().slice(0, count);
  }

  /** Resolves once the server has ended the stream; fails after the timeout. */
  waitForEnd(timeoutMs = this.options.timeoutMs): Promise<void> {
    return this.waitUntil(
      () => this.endedFlag,
      'the server to end the stream',
      timeoutMs,
    );
  }

  /** Resolves once `opens` reached `count`; fails after the timeout. */
  waitForOpen(count = 1, timeoutMs = this.options.timeoutMs): Promise<void> {
    return this.waitUntil(
      () => this.opens >= count,
      `${count} open stream(s)`,
      timeoutMs,
    );
  }

  /** Resolves once `errors` reached `count` (a stream ended, a request failed…); fails after the timeout. */
  waitForError(count = 1, timeoutMs = this.options.timeoutMs): Promise<void> {
    return this.waitUntil(
      () => this.errors >= count,
      `${count} error(s)`,
      timeoutMs,
    );
  }

  /**
   * Resolves once `condition` holds, checked now and at every event, open,
   * error and end of this client, never by polling; fails after the timeout,
   * or when the stream ends first (once it is closed for good, in `reconnect`
   * mode), with `what` and what did arrive in the message.
   */
  waitUntil(
    condition: (client: this) => boolean,
    what: string,
    timeoutMs = this.options.timeoutMs ?? 5000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition(this)) done();
        else if (this.isOver())
          done(
            new Error(
              `The stream ended while waiting for ${what}${this.describe()}`,
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for ${what}${this.describe()}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Fails as soon as an event arrives within `forMs` milliseconds from now, and
   * passes after them. Asserting that nothing happens takes a while by nature:
   * keep `forMs` short.
   */
  expectNoEvent(forMs: number): Promise<void> {
    const before = this.events.length;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.events.length === before) return;
        finish();
        const unexpected = this.events
          .slice(before)
          .map(({ type, data }) => ({ type, data }));
        reject(
          new Error(
            `Expected no event within ${forMs} ms, got ${JSON.stringify(unexpected)}`,
          ),
        );
      };
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        resolve();
      }, forMs);
      this.waiters.add(check);
    });
  }

  /**
   * Closes this stream and opens a new one to the same URL with
   * `Last-Event-ID` (none if the last event id is `''`), as a browser does
   * after a drop. The new client starts from this one's last event id.
   */
  async reconnect(): Promise<SseTestClient<TEvents>> {
    this.close();
    return SseTestClient.connect<TEvents>(this.url, '', {
      ...this.options,
      lastEventId: this.lastEventId || undefined,
    });
  }

  /** Closes the stream (the server sees the client leave), and stops reconnecting. */
  close(): void {
    this.closedByTest = true;
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    this.request?.abort();
    this.notify();
  }

  /** One request: resolves once its headers arrived (or it failed), and reads its body in the background. */
  private async openStream(): Promise<void> {
    const request = new AbortController();
    this.request = request;
    this.state = 'connecting';
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      ...this.options.headers,
    };
    if (this.lastEventId !== '')
      headers['last-event-id'] = asHeaderBytes(this.lastEventId);
    let response: Response;
    try {
      response = await fetch(this.url, { headers, signal: request.signal });
    } catch (error) {
      if (request.signal.aborted) return;
      if (!this.options.reconnect) throw error;
      this.failure = error;
      return this.lost();
    }
    this.responseStatus = response.status;
    this.responseHeaders = response.headers;
    const isStream = isEventStream(response.status, response.headers);
    if (this.closedByTest) {
      void response.body?.cancel().catch(() => undefined);
      return;
    }
    if (isStream) {
      this.openCount++;
      this.state = 'open';
    } else {
      this.errorCount++;
      this.state = 'closed';
    }
    this.notify();
    void this.read(response.body, isStream, request);
  }

  private async read(
    body: ReadableStream<Uint8Array> | null,
    isStream: boolean,
    request: AbortController,
  ): Promise<void> {
    try {
      if (body) {
        const decoder = new TextDecoder();
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>)
          if (isStream)
            this.parser.push(decoder.decode(chunk, { stream: true }));
      }
    } catch (error) {
      if (!request.signal.aborted) this.failure = error;
    }
    if (request.signal.aborted) return;
    this.endedFlag = true;
    if (isStream) this.lost();
    else this.notify();
  }

  /** The stream ended or the request failed: an EventSource's error, then a reconnection (in `reconnect` mode). */
  private lost(): void {
    this.errorCount++;
    if (this.options.reconnect && !this.closedByTest) {
      this.state = 'connecting';
      this.earlierRetry = this.retry;
      this.parser = this.parserFrom(this.lastEventId);
      this.reconnectTimer = setTimeout(
        () => void this.openStream(),
        this.earlierRetry ?? DEFAULT_RETRY_MS,
      );
    } else this.state = 'closed';
    this.notify();
  }

  private parserFrom(lastEventId: string): SseStreamParser {
    return new SseStreamParser((event) => {
      this.events.push(
        new ReceivedEvent(event.type, event.data, event.lastEventId),
      );
      this.notify();
    }, lastEventId);
  }

  /** Whether no more can arrive: the stream ended, and it will not come back by itself. */
  private isOver(): boolean {
    if (this.options.reconnect) return this.state === 'closed';
    return this.endedFlag || this.failure !== undefined;
  }

  private notify(): void {
    for (const wake of this.waiters) wake();
  }

  private describe(): string {
    const received = this.events.map(
      ({ type, data }) =>
        `${type}: ${data.length > 60 ? `${data.slice(0, 57)}...` : data}`,
    );
    const streams = this.options.reconnect
      ? `${this.opens} open(s), ${this.errors} error(s); `
      : '';
    return ` (status ${this.status}; ${streams}received ${received.length ? received.join(', ') : 'nothing'})`;
  }
}

/**
 * Whether a browser would read events from this response: the HTML standard
 * fails the connection on any status but 200 or any type but
 * `text/event-stream` (parameters such as `charset` aside).
 */
function isEventStream(status: number, headers: Headers): boolean {
  const type = headers.get('content-type')?.split(';')[0].trim();
  return status === 200 && type?.toLowerCase() === 'text/event-stream';
}

/**
 * `value` as the bytes of its UTF-8, one character per byte: fetch accepts
 * only such header values, and a browser sends `Last-Event-ID` in UTF-8.
 */
function asHeaderBytes(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

async function baseUrlOf(target: INestApplication | string): Promise<string> {
  if (typeof target === 'string') return target.replace(/\/$/, '');
  const server = target.getHttpServer();
  if (!server.listening) await target.listen(0, '127.0.0.1');
  const address = server.address();
  const host =
    address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host === '::' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
}
