import type { INestApplication } from '@nestjs/common';
import type { SseEventMap } from '../sse/sse-event-map.js';
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
}

type EventOfType<TEvents extends SseEventMap, K> = SseTestEvent<
  K extends keyof TEvents ? TEvents[K] : unknown
>;

/**
 * A Server-Sent Events client for tests: it connects to an application (or a
 * URL) over a real socket, parses the stream as a browser's EventSource does
 * and records every event, and waits for events with a timeout, never for a
 * fixed time. It does not reconnect by itself: `reconnect()` does, with the
 * last event id, when a test says so. As a browser, it dispatches no event
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
  /** Every event received, in order. */
  readonly events: Array<SseTestEvent> = [];
  private readonly parser: SseStreamParser;
  private readonly abort = new AbortController();
  private endedFlag = false;
  private failure: unknown;
  private readonly waiters = new Set<() => void>();

  private constructor(
    /** The URL it connected to. */
    readonly url: string,
    /**
     * The response's status: 200 for a stream, 204 when the endpoint called
     * `noContent()`, an error status otherwise. Only a 200 of type
     * `text/event-stream` has its events dispatched, as in a browser.
     */
    readonly status: number,
    /** The response's headers. */
    readonly headers: Headers,
    private readonly options: SseTestClientOptions,
    body: ReadableStream<Uint8Array> | null,
  ) {
    this.parser = new SseStreamParser((event) => {
      this.events.push({ ...event, json: () => JSON.parse(event.data) });
      this.notify();
    }, options.lastEventId);
    void this.read(body, isEventStream(status, headers));
  }

  /**
   * Opens a stream. `target` is a Nest application (started on a free port of
   * 127.0.0.1 if it does not listen yet) or a base URL; `path` is added to it.
   * Resolves once the response's headers arrived, whatever its status.
   */
  static async connect<TEvents extends SseEventMap = never>(
    target: INestApplication | string,
    path = '',
    options: SseTestClientOptions = {},
  ): Promise<SseTestClient<TEvents>> {
    const url = `${await baseUrlOf(target)}${path}`;
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      ...options.headers,
    };
    if (options.lastEventId !== undefined)
      headers['last-event-id'] = asHeaderBytes(options.lastEventId);
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    const client = new SseTestClient<TEvents>(
      url,
      response.status,
      response.headers,
      options,
      response.body,
    );
    client.abort.signal.addEventListener('abort', () => abort.abort());
    return client;
  }

  /**
   * The last event id, as a browser's EventSource holds it: what it would send
   * back when reconnecting. Set at every blank line from the stream's `id:`,
   * even by a frame with no data (`retry: 3000\nid: 5\n\n`); kept across
   * `reconnect()`; `''` before any.
   */
  get lastEventId(): string {
    return this.parser.lastEventId;
  }

  /** Whether the server ended the stream. */
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

  /** Closes the stream (the server sees the client leave). */
  close(): void {
    this.abort.abort();
  }

  private async read(
    body: ReadableStream<Uint8Array> | null,
    dispatches: boolean,
  ): Promise<void> {
    try {
      if (body) {
        const decoder = new TextDecoder();
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>)
          if (dispatches)
            this.parser.push(decoder.decode(chunk, { stream: true }));
      }
    } catch (error) {
      if (!this.abort.signal.aborted) this.failure = error;
    }
    this.endedFlag = !this.abort.signal.aborted;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters) wake();
  }

  private waitUntil(
    condition: () => boolean,
    what: string,
    timeoutMs = 5000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (condition()) done();
        else if (this.endedFlag || this.failure)
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

  private describe(): string {
    const received = this.events.map(
      ({ type, data }) =>
        `${type}: ${data.length > 60 ? `${data.slice(0, 57)}...` : data}`,
    );
    return ` (status ${this.status}; received ${received.length ? received.join(', ') : 'nothing'})`;
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
