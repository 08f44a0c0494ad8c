import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseTestClient } from '../../src/testing/index.js';
import { EventSource } from 'eventsource';
import { withTimeout } from '../support/wait-for.js';

/** A stream case: the bytes a server writes, and what an EventSource dispatches from them. */
interface StreamCase {
  readonly body: string;
  /** `[type, data, lastEventId]` of each event, per the HTML standard. */
  readonly events: Array<[string, string, string]>;
  /** The EventSource's last event id once the stream is read. */
  readonly lastEventId: string;
  /** Why the `eventsource` package dispatches something else, where it does. */
  readonly referenceDiffers?: string;
}

// Cases of the HTML standard's event stream interpretation
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation),
// its examples first. The kit must dispatch exactly these; the `eventsource`
// package (built on `eventsource-parser`) is run on the same bytes as a check.
const CASES: Record<string, StreamCase> = {
  'multi-line data (spec example)': {
    body: 'data: YHOO\ndata: +2\ndata: 10\n\n',
    events: [['message', 'YHOO\n+2\n10', '']],
    lastEventId: '',
  },
  'four blocks: comment, id, id reset, two spaces (spec example)': {
    body: ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    events: [
      ['message', 'first event', '1'],
      ['message', 'second event', ''],
      ['message', ' third event', ''],
    ],
    lastEventId: '',
  },
  'empty data lines, and an event left unfinished (spec example)': {
    body: 'data\n\ndata\ndata\n\ndata:',
    events: [
      ['message', '', ''],
      ['message', '\n', ''],
    ],
    lastEventId: '',
  },
  'one optional space after the colon (spec example)': {
    body: 'data:test\n\ndata: test\n\n',
    events: [
      ['message', 'test', ''],
      ['message', 'test', ''],
    ],
    lastEventId: '',
  },
  'event types, reset after each event': {
    body: 'event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent:\ndata: plain\n\n',
    events: [
      ['add', '73857293', ''],
      ['remove', '2153', ''],
      ['message', 'plain', ''],
    ],
    lastEventId: '',
  },
  'CRLF, CR and LF line endings': {
    body: 'data: a\r\ndata: b\rdata: c\n\r\nid: 2\rdata: d\r\rdata: e\n\n',
    events: [
      ['message', 'a\nb\nc', ''],
      ['message', 'd', '2'],
      ['message', 'e', '2'],
    ],
    lastEventId: '2',
  },
  'a blank line ended by the last CR of the stream': {
    body: 'data: last\r\r',
    events: [['message', 'last', '']],
    lastEventId: '',
    referenceDiffers:
      'eventsource-parser holds a final CR for an LF that might follow, and drops it at the end',
  },
  'a byte order mark at the start': {
    body: '\ufeffdata: after the BOM\n\n',
    events: [['message', 'after the BOM', '']],
    lastEventId: '',
  },
  'an id kept by later events, one with NUL ignored': {
    body: 'id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n',
    events: [
      ['message', 'a', '1'],
      ['message', 'b', '1'],
      ['message', 'c', '1'],
    ],
    lastEventId: '1',
  },
  'unknown fields, and retry values that are not digits, ignored': {
    body: 'retry: soon\nfoo: bar\nretry\ndata: ok\n\n',
    events: [['message', 'ok', '']],
    lastEventId: '',
  },
  'an id on a frame without data sets the last event id': {
    body: 'retry: 3000\nid: 5\n\ndata: after\n\n',
    events: [['message', 'after', '5']],
    lastEventId: '5',
  },
  'a frame with only retry and id': {
    body: 'retry: 3000\nid: 5\n\n',
    events: [],
    lastEventId: '5',
  },
  'non-ASCII data and ids, in UTF-8': {
    body: 'id: épоch-１\ndata: 😀 ünïcode\n\n',
    events: [['message', '😀 ünïcode', 'épоch-１']],
    lastEventId: 'épоch-１',
  },
};

/** Serves each case, and a few responses a browser reads no event from. */
function startServer(): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((request, response) => {
    const path = decodeURIComponent(request.url ?? '/').slice(1);
    const lastEventId = request.headers['last-event-id'];
    if (path === 'last-event-id') {
      // Echoes the id the client resumed with, in an event without an id.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const echoed = Buffer.from(String(lastEventId), 'latin1').toString();
      return response.end(`data: ${echoed}\n\n`);
    }
    if (path === 'id-once') {
      // An id for a new client; for one that resumes, an event without one.
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      return response.end(
        lastEventId === undefined
          ? 'id: 9\ndata: first\n\n'
          : `data: resumed from ${lastEventId}\n\n`,
      );
    }
    if (path === 'retry-resume') {
      // retry: 30 and id 7; resumed from 7, id 8; resumed from 8, a 204: no more.
      if (lastEventId === '8') return response.writeHead(204).end();
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      return response.end(
        lastEventId === undefined
          ? 'retry: 30\nid: 7\ndata: first\n\n'
          : `id: 8\ndata: resumed from ${lastEventId}\n\n`,
      );
    }
    if (path === 'not-found') {
      response.writeHead(404, { 'content-type': 'text/event-stream' });
      return response.end('data: from a 404\n\n');
    }
    if (path === 'plain-text') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      return response.end('data: from text/plain\n\n');
    }
    const streamCase = CASES[path];
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
    });
    response.end(streamCase?.body ?? '');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        server,
      }),
    ),
  );
}

describe("the testing kit reads a stream as a browser's EventSource does", () => {
  let url: string;
  let server: http.Server;
  const opened: Array<{ close(): void }> = [];
  const references: EventSource[] = [];
  /** The same URL through the `eventsource` package: what it dispatched, until `done` says so. */
  const reference = async (
    path: string,
    types: string[],
    done: (source: EventSource, errors: number) => boolean,
  ) => {
    const source = new EventSource(`${url}/${path}`);
    references.push(source);
    const seen = { events: [] as string[][], opens: 0, errors: 0 };
    source.addEventListener('open', () => seen.opens++);
    for (const type of types)
      source.addEventListener(type, (event) =>
        seen.events.push([type, event.data, event.lastEventId]),
      );
    await withTimeout(
      new Promise<void>((resolve) =>
        source.addEventListener('error', () => {
          if (done(source, ++seen.errors)) resolve();
        }),
      ),
      2000,
      () => `the reference EventSource on ${path}`,
    );
    return seen;
  };
  const connect = async (path: string, lastEventId?: string) => {
    const client = await SseTestClient.connect(url, `/${path}`, {
      lastEventId,
      timeoutMs: 2000,
    });
    opened.push(client);
    return client;
  };

  beforeAll(async () => ({ url, server } = await startServer()));
  afterEach(() => {
    opened.splice(0).forEach((client) => client.close());
    references.splice(0).forEach((source) => source.close());
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each(Object.entries(CASES))('%s', async (name, expected) => {
    const client = await connect(encodeURIComponent(name));
    await client.waitForEnd();
    expect(
      client.events.map(({ type, data, lastEventId }) => [
        type,
        data,
        lastEventId,
      ]),
    ).toEqual(expected.events);
    expect(client.lastEventId).toBe(expected.lastEventId);

    // The same bytes through the `eventsource` package: same types and data.
    // (It gives an event without an id of its own the last event id '', and
    // an id on a frame without data no effect: the standard says otherwise.)
    if (expected.referenceDiffers) return;
    const types = [...new Set(expected.events.map(([type]) => type))];
    const source = await reference(encodeURIComponent(name), types, () => true);
    expect(source.events.map(([type, data]) => [type, data])).toEqual(
      expected.events.map(([type, data]) => [type, data]),
    );
  });

  it('in reconnect mode, reconnects as the eventsource package does: after retry:, with the last event id, until a 204', async () => {
    const client = await SseTestClient.connect(url, '/retry-resume', {
      reconnect: true,
      timeoutMs: 2000,
    });
    opened.push(client);
    await client.waitUntil(
      () => client.readyState === 'closed',
      'the 204 that ends it',
    );
    const source = await reference(
      'retry-resume',
      ['message'],
      (es) => es.readyState === es.CLOSED,
    );
    const seen = {
      events: client.events.map(({ type, data, lastEventId }) => [
        type,
        data,
        lastEventId,
      ]),
      opens: client.opens,
      errors: client.errors,
    };
    expect(seen).toEqual({
      events: [
        ['message', 'first', '7'],
        ['message', 'resumed from 7', '8'],
      ],
      opens: 2,
      errors: 3,
    });
    expect(source).toEqual(seen);
    expect(client.retry).toBe(30);
    expect(client.status).toBe(204);
  });

  it('keeps its last event id across reconnect(), and sends it', async () => {
    const client = await connect('id-once');
    await client.waitForEvent('message');
    expect(client.lastEventId).toBe('9');
    const resumed = await client.reconnect();
    opened.push(resumed);
    const event = await resumed.waitForEvent('message');
    expect([event.data, event.lastEventId]).toEqual(['resumed from 9', '9']);
    expect(resumed.lastEventId).toBe('9');
  });

  it('sends a last event id that is not Latin-1 in UTF-8, as a browser does', async () => {
    const client = await connect('last-event-id', 'épоch-１ 😀');
    const echoed = await client.waitForEvent('message');
    expect(echoed.data).toBe('épоch-１ 😀');
    // Kept, as the echo carries no id of its own.
    expect(client.lastEventId).toBe('épоch-１ 😀');
    const resumed = await client.reconnect();
    opened.push(resumed);
    expect((await resumed.waitForEvent('message')).data).toBe('épоch-１ 😀');
  });

  it.each([
    ['a status other than 200', 'not-found', 404, 'text/event-stream'],
    ['a type other than text/event-stream', 'plain-text', 200, 'text/plain'],
  ])(
    'dispatches no event from a response with %s, and says what came',
    async (_case, path, status, type) => {
      const client = await connect(path);
      expect(client.status).toBe(status);
      expect(client.headers.get('content-type')).toBe(type);
      await expect(client.waitForEvent('message')).rejects.toThrow(
        `The stream ended while waiting for an event of type "message" (status ${status}; received nothing)`,
      );
      expect(client.events).toEqual([]);
    },
  );
});
