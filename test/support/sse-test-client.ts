import { EventSource } from 'eventsource';
import { waitFor } from './wait-for.js';

export interface ReceivedEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/**
 * A real EventSource (the `eventsource` package, which behaves as a browser's)
 * that records what its listeners receive, as a page would see it.
 */
export class SseTestClient {
  readonly events: ReceivedEvent[] = [];
  readonly source: EventSource;
  errors = 0;
  opens = 0;

  constructor(
    url: string,
    types: string[] = [],
    init?: { headers?: Record<string, string> },
  ) {
    this.source = new EventSource(url, {
      fetch: init?.headers
        ? (input, options) =>
            fetch(input, {
              ...options,
              headers: { ...options?.headers, ...init.headers },
            })
        : undefined,
    });
    for (const type of new Set(['message', ...types])) {
      this.source.addEventListener(type, (event) => {
        this.events.push({
          type,
          data: event.data,
          lastEventId: event.lastEventId,
        });
      });
    }
    this.source.addEventListener('error', () => this.errors++);
    this.source.addEventListener('open', () => this.opens++);
  }

  ofType(type: string): string[] {
    return this.events
      .filter((event) => event.type === type)
      .map((event) => event.data);
  }

  waitForOpen(timeoutMs?: number): Promise<void> {
    return waitFor(() => this.opens > 0, 'the stream to open', timeoutMs);
  }

  waitForEvents(count: number, timeoutMs?: number): Promise<ReceivedEvent[]> {
    return waitFor(
      () => this.events.length >= count,
      `${count} event(s), got ${this.events.length}`,
      timeoutMs,
    ).then(() => this.events);
  }

  waitForError(timeoutMs?: number): Promise<void> {
    return waitFor(
      () => this.errors > 0,
      'an error (the stream ended)',
      timeoutMs,
    );
  }

  close(): void {
    this.source.close();
  }
}

/** The clients a suite opened, to close after each test: `afterEach(() => clients.closeAll())`. */
export class SseTestClients {
  private readonly opened: SseTestClient[] = [];

  connect(
    url: string,
    types: string[] = [],
    init?: { headers?: Record<string, string> },
  ): SseTestClient {
    const client = new SseTestClient(url, types, init);
    this.opened.push(client);
    return client;
  }

  closeAll(): void {
    this.opened.splice(0).forEach((client) => client.close());
  }
}
