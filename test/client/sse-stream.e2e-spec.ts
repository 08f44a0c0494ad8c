import { EventSource } from 'eventsource';
import {
  openSseStream,
  SseClientError,
  type SseResumeStorage,
  type SseStream,
  type SseStreamOptions,
  type SseStreamState,
} from '../../src/client/index.js';
import { ChannelService } from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { idAt } from '../support/positions.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { EventWaits, waitFor } from '../support/wait-for.js';

interface FeedEvents {
  hello: string;
  item: { n: number };
}

/** A session's storage, as a page's `sessionStorage` keeps it across reloads. */
class FakeSessionStorage implements SseResumeStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

/** A stream of the client on `/feed` (channel `c`), with what it saw: `item` payloads, states, resets. */
class RecordedStream {
  readonly items: number[] = [];
  readonly ids: string[] = [];
  readonly states: SseStreamState[] = [];
  readonly resets: string[] = [];
  readonly stream: SseStream<FeedEvents>;
  private readonly waits = new EventWaits();

  constructor(url: string, options: SseStreamOptions = {}) {
    this.stream = openSseStream<FeedEvents>(url, { EventSource, ...options });
    this.stream.on('item', (event) => {
      this.items.push(event.json().n);
      this.ids.push(event.id);
      this.waits.notify();
    });
    this.stream.onStateChange((state) => {
      this.states.push(state);
      this.waits.notify();
    });
    this.stream.onReset((reason) => {
      this.resets.push(reason);
      this.waits.notify();
    });
  }

  untilItems(count: number): Promise<void> {
    return this.waits.until(
      () => this.items.length >= count,
      () => `${count} items (got ${JSON.stringify(this.items)})`,
    );
  }

  untilState(state: SseStreamState): Promise<void> {
    return this.waits.until(
      () => this.stream.state === state,
      () => `state ${state} (went through ${this.states.join(', ')})`,
    );
  }

  untilReset(): Promise<void> {
    return this.waits.until(
      () => this.resets.length > 0,
      () => 'a reset',
    );
  }
}

describe.each(ADAPTERS)(
  'nestjs-sse-channels/client against a Nest app (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let channels: ChannelService;
    let probe: ConnectionProbe;
    let sequence = 0;
    const opened: RecordedStream[] = [];

    beforeAll(async () => {
      // A short retry hint, so that a dropped stream is back within the test.
      running = await startApp(
        FeedModule.with({ heartbeatMs: 0, shutdownDrainMs: 0, retryMs: 100 }),
        createAdapter,
      );
      channels = running.app.get(ChannelService);
      probe = running.app.get(ConnectionProbe);
    });
    afterEach(() => {
      for (const recorded of opened.splice(0)) recorded.stream.close();
    });
    afterAll(() => running.close());

    /** A URL of `/feed` on channel `c`, whose connections the probe records under the returned key. */
    function feedUrl(): { url: string; key: string } {
      const key = `client-${sequence++}`;
      return { url: `${running.url}/feed?channels=c&probe=${key}`, key };
    }

    function open(url: string, options?: SseStreamOptions): RecordedStream {
      const recorded = new RecordedStream(url, options);
      opened.push(recorded);
      return recorded;
    }

    const sendItem = (n: number) =>
      channels.channel('c').send({ type: 'item', data: { n } });

    it('hands typed events to their listeners, with the raw data and the id, until unsubscribed', async () => {
      const { url, key } = feedUrl();
      const recorded = open(url);
      const greetings: string[] = [];
      const seen: Array<{ data: string; id: string }> = [];
      // A string payload goes on the wire as it is: `data` is the payload.
      recorded.stream.on('hello', (event) => greetings.push(event.data));
      const off = recorded.stream.on('item', ({ data, id }) =>
        seen.push({ data, id }),
      );
      await probe.get(key);
      await recorded.untilState('open');
      sendItem(1);
      const firstId = idAt(running.app);
      await recorded.untilItems(1);
      off();
      sendItem(2);
      await recorded.untilItems(2);

      expect(greetings).toEqual(['feed']);
      expect(seen).toEqual([{ data: '{"n":1}', id: firstId }]);
      expect(recorded.items).toEqual([1, 2]);
      expect(recorded.stream.lastEventId).toBe(idAt(running.app));
    });

    it('starts from a position: every event after it, none before', async () => {
      sendItem(10);
      const position = idAt(running.app);
      sendItem(11);
      sendItem(12);
      const { url } = feedUrl();
      const recorded = open(url, { from: position });
      await recorded.untilItems(2);
      sendItem(13);
      await recorded.untilItems(3);
      expect(recorded.items).toEqual([11, 12, 13]);
    });

    it('calls onReset with the reason when the server cannot replay from the position', async () => {
      const { url } = feedUrl();
      // An id of another epoch: from before a restart, as far as the server knows.
      const recorded = open(url, { from: 'ffffffffffff-1' });
      await recorded.untilReset();
      sendItem(20);
      await recorded.untilItems(1);
      expect(recorded.resets).toEqual(['unknown']);
      expect(recorded.items).toEqual([20]);
    });

    it('goes reconnecting when the server drops the stream, then open again with nothing lost and nothing repeated', async () => {
      sendItem(30);
      const position = idAt(running.app);
      sendItem(31);
      const { url, key } = feedUrl();
      // `from` stays in the EventSource's URL for every reconnection: the
      // newest id must win over it, or 31 and 32 would come again.
      const recorded = open(url, { from: position });
      await recorded.untilItems(1);
      sendItem(32);
      await recorded.untilItems(2);
      (await probe.get(key)).close();
      await recorded.untilState('reconnecting');
      sendItem(33);
      await recorded.untilState('open');
      sendItem(34);
      await recorded.untilItems(4);

      expect(recorded.items).toEqual([31, 32, 33, 34]);
      expect(recorded.states).toEqual(['open', 'reconnecting', 'open']);
    });

    it('close() ends the stream on the server and moves to closed once', async () => {
      const { url, key } = feedUrl();
      const recorded = open(url);
      await recorded.untilState('open');
      await probe.get(key);
      recorded.stream.close();
      recorded.stream.close();
      await waitFor(
        () => probe.closeCalls.get(key) === 1,
        'the server to see the stream closed',
      );
      expect(recorded.stream.state).toBe('closed');
      expect(recorded.states).toEqual(['open', 'closed']);
    });

    it('resumes across a reload from the id kept in sessionStorage: nothing lost, nothing repeated', async () => {
      const storage = new FakeSessionStorage();
      const { url } = feedUrl();
      const first = open(url, { storage });
      await first.untilState('open');
      sendItem(40);
      sendItem(41);
      await first.untilItems(2);
      first.stream.close(); // the page unloads
      sendItem(42);
      sendItem(43);

      const reloaded = open(url, { storage });
      await reloaded.untilItems(2);
      sendItem(44);
      await reloaded.untilItems(3);

      expect(reloaded.items).toEqual([42, 43, 44]);
      expect([...storage.items]).toEqual([
        [`sse-last-event-id:${url}`, idAt(running.app)],
      ]);
    });

    it('keeps the id under a named key, lets an explicit `from` win over it, and keeps nothing with resumeKey: false', async () => {
      const storage = new FakeSessionStorage();
      const { url } = feedUrl();
      sendItem(50);
      const position = idAt(running.app);
      sendItem(51);
      storage.setItem('feed', idAt(running.app)); // would skip 51

      const fromPosition = open(url, {
        storage,
        resumeKey: 'feed',
        from: position,
      });
      // The position it starts from is kept at once: a reload before any event resumes there.
      expect(storage.getItem('feed')).toBe(position);
      await fromPosition.untilItems(1);
      expect(fromPosition.items).toEqual([51]);
      expect(storage.getItem('feed')).toBe(fromPosition.ids[0]);

      const untouched = new FakeSessionStorage();
      const unkept = open(url, {
        storage: untouched,
        resumeKey: false,
        from: position,
      });
      await unkept.untilItems(1);
      expect(unkept.items).toEqual([51]);
      expect(untouched.items.size).toBe(0);
    });

    it('goes on when the storage refuses to keep the id (full, or forbidden)', async () => {
      const refusing: SseResumeStorage = {
        getItem: () => null,
        setItem: () => {
          throw new Error('QuotaExceededError');
        },
      };
      const { url } = feedUrl();
      const recorded = open(url, {
        storage: refusing,
        from: idAt(running.app),
      });
      await recorded.untilState('open');
      sendItem(60);
      sendItem(61);
      await recorded.untilItems(2);
      expect(recorded.items).toEqual([60, 61]);
      expect(recorded.stream.lastEventId).toBe(idAt(running.app));
    });
  },
);

describe('nestjs-sse-channels/client without an EventSource', () => {
  it('says what is missing and how to give it one', () => {
    expect(
      (globalThis as { EventSource?: unknown }).EventSource,
    ).toBeUndefined();
    expect(() => openSseStream('http://127.0.0.1:1/feed')).toThrow(
      new SseClientError(
        "there is no EventSource here (Node has none): pass one, openSseStream(url, { EventSource }), in Node the 'eventsource' package's.",
      ),
    );
  });
});
