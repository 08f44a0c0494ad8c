import type { INestApplication, NestInterceptor } from '@nestjs/common';
import { SseStats } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import {
  InterceptedModule,
  NaiveTimeoutInterceptor,
  NaiveWrapInDataInterceptor,
  TimeoutInterceptor,
  WrapInDataInterceptor,
} from '../fixtures/interceptors.module.js';
import { getJson } from '../support/http.js';
import { idAt } from '../support/positions.js';
import { RawConnections } from '../support/raw-connections.js';
import { readRaw } from '../support/raw-stream.js';
import {
  ADAPTERS,
  TEST_DELIVERY,
  startApp,
  type RunningApp,
} from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** What `/ticks` writes first, whatever the interceptors: two events, the second with an id of its own. */
const opening = (id: string) =>
  `\nevent: ready\nid: ${id}\ndata: hello\n\nevent: tick\nid: tick-1\ndata: {"n":1}\n\n`;

describe.each(ADAPTERS)(
  'app-wide interceptors (%s)',
  (adapter, createAdapter) => {
    let running: RunningApp | undefined;
    const cleanups: Array<() => void> = [];

    const start = async (interceptor: NestInterceptor, heartbeatMs: number) => {
      running = await startApp(
        InterceptedModule.with({ heartbeatMs }),
        createAdapter,
        (app: INestApplication) => app.useGlobalInterceptors(interceptor),
      );
      return running;
    };

    afterEach(async () => {
      cleanups.splice(0).forEach((cleanup) => cleanup());
      await running?.close();
      running = undefined;
    });

    it('a map(data => ({ data })) interceptor that exempts SSE endpoints keeps event types and ids, and wraps the JSON route', async () => {
      const { app, url } = await start(new WrapInDataInterceptor(), 0);
      const id = idAt(app);

      const raw = await readRaw(`${url}/ticks`, {
        until: (body) => body.includes('data: {"n":1}\n\n'),
      });
      expect(raw.body).toBe(opening(id));

      const client = await SseTestClient.connect(
        url,
        `/ticks?probe=es-${adapter}`,
        { reconnect: true },
      );
      cleanups.push(() => client.close());
      await client.waitForEvents(2);
      expect(client.events).toEqual([
        { type: 'ready', data: 'hello', lastEventId: id },
        { type: 'tick', data: '{"n":1}', lastEventId: 'tick-1' },
      ]);
      // Ended by the server, so the EventSource has no request of its own to abort.
      (await app.get(ConnectionProbe).get(`es-${adapter}`)).close();
      await client.waitForError();

      expect(await getJson(`${url}/plain`)).toEqual({
        status: 200,
        body: { data: { answer: 42 } },
      });
    });

    it('a timeout(200) interceptor that exempts SSE endpoints does not end a stream quiet for longer', async () => {
      const { app, url } = await start(new TimeoutInterceptor(), 300);
      const id = idAt(app);
      const clients = new RawConnections();
      cleanups.push(() => clients.destroyAll());
      await clients.open(`${url}/ticks?probe=quiet-${adapter}`, 1);
      // A heartbeat is written only after a whole 300 ms tick without events: the stream was quiet past the 200 ms timeout.
      await clients.until(
        () => clients.bodies[0].includes(': heartbeat\n\n'),
        'a heartbeat',
        5000,
      );
      (await app.get(ConnectionProbe).get(`quiet-${adapter}`)).send({
        type: 'later',
        data: 'still here',
      });
      await clients.until(
        () => clients.bodies[0].includes('data: still here\n\n'),
        'the event sent after the quiet spell',
        5000,
      );
      expect(clients.bodies[0]).toMatch(
        new RegExp(
          `^${escapeRegExp(opening(id))}(: heartbeat\n\n)+event: later\nid: ${id}\ndata: still here\n\n$`,
        ),
      );
      expect(clients.ended[0]).toBe(false);
      expect(app.get(SseStats).snapshot().connections.open).toBe(1);
      expect(await getJson(`${url}/plain`)).toEqual({
        status: 200,
        body: { answer: 42 },
      });
    });

    it('WITHOUT the exemption, map(data => ({ data })) turns every event, heartbeats included, into an untyped JSON message with Nest’s ids (with direct delivery it sees none)', async () => {
      const { app, url } = await start(new NaiveWrapInDataInterceptor(), 300);
      const id = idAt(app);
      const raw = await readRaw(`${url}/ticks`, {
        until: (body) => body.includes('heartbeat'),
      });
      expect(raw.body).toBe(
        TEST_DELIVERY === 'direct'
          ? `${opening(id)}: heartbeat\n\n`
          : `\nid: 1\ndata: {"type":"ready","id":"${id}","data":"hello"}\n\n` +
              `id: 2\ndata: {"type":"tick","id":"tick-1","data":"{\\"n\\":1}"}\n\n` +
              `id: 3\ndata: {"comment":"heartbeat"}\n\n`,
      );
      expect(await getJson(`${url}/plain`)).toEqual({
        status: 200,
        body: { data: { answer: 42 } },
      });
    });

    // The same with either delivery: the interceptor's timer runs whether or not events pass through it.
    it('WITHOUT the exemption, timeout(200) ends a quiet stream with an error event', async () => {
      const { app, url } = await start(new NaiveTimeoutInterceptor(), 300);
      const id = idAt(app);
      const raw = await readRaw(`${url}/ticks`);
      expect(raw.ended).toBe(true);
      expect(raw.body).toBe(
        `${opening(id)}event: error\nid: 1\ndata: Internal server error\n\n`,
      );
      await waitFor(
        () => app.get(SseStats).snapshot().connections.open === 0,
        'the connection to be released',
      );
    });
  },
);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
