import { ProbeModule } from '../fixtures/probe.module.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { readRaw } from '../support/raw-stream.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { idAt } from '../support/positions.js';
import { waitFor } from '../support/wait-for.js';

describe.each(ADAPTERS)(
  'send, close and the connection (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let probe: ConnectionProbe;
    const clients = openedClients();
    const connect = (key: string) =>
      clients.connect(`${running.url}/probe/open?probe=${key}`);

    beforeAll(async () => {
      running = await startApp(ProbeModule.with(), createAdapter);
      probe = running.app.get(ConnectionProbe);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it('exposes id, request, lastEventId, channels and closed', async () => {
      const client = await clients.connect(
        `${running.url}/probe/open?probe=fields`,
        { lastEventId: 'abc-123' },
      );
      // (A reset comes first: the server knows no "abc-123".)
      const ready = await client.waitForEvent('ready');
      const connection = await probe.get('fields');
      expect(ready.data).toBe(connection.id);
      expect(connection.lastEventId).toBe('abc-123');
      expect(connection.request.query.probe).toBe('fields');
      expect(connection.channels).toEqual([]);
      expect(connection.closed).toBe(false);
      expect(connection.signal.aborted).toBe(false);

      await connect('other');
      const other = await probe.get('other');
      expect(other.id).not.toBe(connection.id);
      expect(other.lastEventId).toBeUndefined();
    });

    it('reads a non-ASCII Last-Event-ID as the UTF-8 a browser sends', async () => {
      const id = 'épоch-１ 😀';
      const pending = readRaw(`${running.url}/probe/open?probe=utf8`, {
        // Node's client writes a header string one byte per character.
        headers: {
          'Last-Event-ID': Buffer.from(id, 'utf8').toString('latin1'),
        },
        until: (body) => body.includes('event: ready'),
      });
      expect((await probe.get('utf8')).lastEventId).toBe(id);
      await pending;
    });

    it('delivers CR and CRLF in string data as LF, as the format must; JSON keeps them', async () => {
      const client = await connect('line-breaks');
      await client.waitForEvents(1);
      const connection = await probe.get('line-breaks');
      connection.send({ type: 'note', data: 'a\r\nb\rc\nd' });
      connection.send({ type: 'note', data: { text: 'a\r\nb' } });
      await client.waitForEvents(3);
      expect(client.dataOf('note')).toEqual([
        'a\nb\nc\nd',
        '{"text":"a\\r\\nb"}',
      ]);
      expect(JSON.parse(client.dataOf('note')[1]).text).toBe('a\r\nb');
    });

    it('send() returns true while open; close() ends the stream once, after what was sent', async () => {
      const client = await connect('close');
      await client.waitForEvents(1);
      const connection = await probe.get('close');
      expect(connection.send({ type: 'note', data: 'last words' })).toBe(true);
      connection.close();
      connection.close();
      expect(connection.closed).toBe(true);
      expect(connection.signal.aborted).toBe(true);
      expect(connection.send({ type: 'note', data: 'too late' })).toBe(false);
      await client.waitForError();
      expect(client.dataOf('note')).toEqual(['last words']);
      expect(probe.closeCalls.get('close')).toBe(1);
      // An onClose() registered after the end runs at once.
      let late = 0;
      connection.onClose(() => late++);
      expect(late).toBe(1);
    });

    it('notices a client that disconnects: signal aborts, onClose runs once, channels are left', async () => {
      const client = await connect('gone');
      await client.waitForEvents(1);
      const connection = await probe.get('gone');
      connection.subscribe('room');
      client.close();
      await waitFor(() => connection.signal.aborted, 'the signal to abort');
      expect(connection.closed).toBe(true);
      expect(probe.closeCalls.get('gone')).toBe(1);
      expect(connection.channels).toEqual([]);
      expect(connection.send({ data: 'nobody' })).toBe(false);
    });

    it('runs every onClose() callback even when one throws', async () => {
      const client = await connect('throwing');
      await client.waitForEvents(1);
      const connection = await probe.get('throwing');
      const ran: string[] = [];
      connection.onClose(() => ran.push('first'));
      connection.onClose(() => {
        throw new Error('cleanup failed');
      });
      connection.onClose(() => ran.push('third'));
      connection.close();
      expect(ran).toEqual(['first', 'third']);
    });

    it('keeps multi-line strings intact: one data: line per line', async () => {
      const client = await connect('lines');
      await client.waitForEvents(1);
      const connection = await probe.get('lines');
      connection.send({ type: 'text', data: 'first\nsecond\n\nfourth' });
      await client.waitForEvents(2);
      expect(client.dataOf('text')).toEqual(['first\nsecond\n\nfourth']);
    });

    it('writes the exact frame of each kind of event', async () => {
      const pending = readRaw(`${running.url}/probe/open?probe=frames`, {
        until: (body) => body.includes('data: end'),
      });
      const connection = await probe.get('frames');
      connection.send({ data: 'plain' });
      connection.send({ type: 'json', data: { a: 1, b: [true, null] } });
      connection.send({ type: 'custom-id', id: 'my-id', data: 'x' });
      connection.send({ type: 'lines', data: 'a\nb' });
      connection.send({ type: 'number', data: 42 });
      connection.send({ type: 'retry', data: 'r', retry: 5000 });
      connection.send({ data: 'end' });
      const { body } = await pending;
      const id = idAt(running.app);
      expect(body).toBe(
        `\nevent: ready\nid: ${id}\ndata: ${connection.id}\n\n` +
          `id: ${id}\ndata: plain\n\n` +
          `event: json\nid: ${id}\ndata: {"a":1,"b":[true,null]}\n\n` +
          'event: custom-id\nid: my-id\ndata: x\n\n' +
          `event: lines\nid: ${id}\ndata: a\ndata: b\n\n` +
          `event: number\nid: ${id}\ndata: 42\n\n` +
          `event: retry\nid: ${id}\nretry: 5000\ndata: r\n\n` +
          `id: ${id}\ndata: end\n\n`,
      );
    });

    it('delivers events sent from onClose() of another connection without disturbing it', async () => {
      const a = await connect('a');
      const b = await connect('b');
      await a.waitForEvents(1);
      await b.waitForEvents(1);
      const first = await probe.get('a');
      const second = await probe.get('b');
      first.onClose(() => second.send({ type: 'bye', data: 'a left' }));
      a.close();
      await b.waitForEvents(2);
      expect(b.dataOf('bye')).toEqual(['a left']);
    });
  },
);
