import { ValidationPipe } from '@nestjs/common';
import { ProbeModule } from '../fixtures/probe.module.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { CountingInterceptor } from '../fixtures/probe.controller.js';
import { readRaw } from '../support/raw-stream.js';
import { openedClients } from '../support/opened-clients.js';
import {
  ADAPTERS,
  TEST_DELIVERY,
  startApp,
  type RunningApp,
} from '../support/test-app.js';
import { idAt } from '../support/positions.js';
import { waitFor } from '../support/wait-for.js';

describe.each(ADAPTERS)(
  'handlers with parameter decorators, guards, pipes and async code (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let probe: ConnectionProbe;
    const clients = openedClients();
    const connect = (path: string) => clients.connect(`${running.url}${path}`);

    beforeAll(async () => {
      running = await startApp(ProbeModule.with(), createAdapter, (app) =>
        app.useGlobalPipes(new ValidationPipe()),
      );
      probe = running.app.get(ConnectionProbe);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it('fills @Param (with its pipe), @Req, @SseConnection and @SseSend', async () => {
      const client = await connect('/probe/items/42?probe=items');
      await client.waitForEvents(1);
      expect(JSON.parse(client.events[0].data)).toEqual({
        id: 42,
        url: '/probe/items/42?probe=items',
        sameRequest: true,
      });
    });

    it('answers a pipe rejection with Nest’s ordinary JSON error, not a stream', async () => {
      const response = await readRaw(`${running.url}/probe/items/abc`);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
      expect(JSON.parse(response.body)).toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('numeric'),
      });
    });

    it('validates a @Query() DTO with the global ValidationPipe', async () => {
      const rejected = await readRaw(
        `${running.url}/probe/topics?topic=cooking`,
      );
      expect(rejected.status).toBe(400);
      expect(JSON.parse(rejected.body).message).toEqual([
        expect.stringContaining('topic must be one of'),
      ]);
      const accepted = await readRaw(`${running.url}/probe/topics?topic=sport`);
      expect(accepted.status).toBe(200);
      expect(accepted.body).toBe(
        `\nevent: topic\nid: ${idAt(running.app)}\ndata: sport\n\n`,
      );
    });

    it('answers an HttpException thrown by a synchronous handler with its status and JSON body', async () => {
      const response = await readRaw(`${running.url}/probe/sync-forbidden`);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 403,
        message: 'Not your stream either',
        error: 'Forbidden',
      });
    });

    it('answers an HttpException thrown by an async handler before it sends anything the same way', async () => {
      const response = await readRaw(`${running.url}/probe/async-forbidden`);
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        statusCode: 403,
        message: 'Not your stream',
        error: 'Forbidden',
      });
    });

    it('answers an HttpException thrown after a parameter decorator handler started with its status', async () => {
      const response = await readRaw(`${running.url}/probe/items/404`);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({
        statusCode: 404,
        message: 'No item 404',
      });
    });

    it('delivers, in order, what an async handler sends before and after it awaits, then channel events', async () => {
      const client = await connect('/probe/async?probe=async');
      await client.waitForEvents(2);
      const connection = await probe.get('async');
      await waitFor(
        () => connection.channels.includes('async-channel'),
        'the handler to subscribe',
      );
      await fetch(`${running.url}/probe/push/async-channel?data=live`);
      await client.waitForEvents(3);
      expect(client.events.map((event) => event.data)).toEqual([
        'before await',
        'after await',
        'live',
      ]);
    });

    it('writes every event an async handler sends before it closes, then ends', async () => {
      const response = await readRaw(`${running.url}/probe/async-burst`);
      expect(response.ended).toBe(true);
      const data = [...response.body.matchAll(/^data: (.*)$/gm)].map(
        (match) => match[1],
      );
      expect(data).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
    });

    it('ends a stream whose handler fails after it started with an error event, as Nest’s @Sse() does', async () => {
      const id = idAt(running.app);
      const response = await readRaw(`${running.url}/probe/async-fails-late`);
      expect(response.status).toBe(200);
      expect(response.body).toBe(
        `\nevent: step\nid: ${id}\ndata: started\n\nevent: error\nid: ${id}\ndata: Internal server error\n\n`,
      );
      expect(response.ended).toBe(true);
    });

    it('ends a stream whose synchronous handler throws after it sent with the error event too', async () => {
      const id = idAt(running.app);
      const response = await readRaw(`${running.url}/probe/sync-fails-late`);
      expect(response.status).toBe(200);
      expect(response.body).toBe(
        `\nevent: step\nid: ${id}\ndata: started\n\nevent: error\nid: ${id}\ndata: Changed my mind\n\n`,
      );
      expect(response.ended).toBe(true);
    });

    it('runs the method’s interceptors over the events (with direct delivery they see none)', async () => {
      const before = CountingInterceptor.seen;
      const response = await readRaw(`${running.url}/probe/intercepted`);
      const id = idAt(running.app);
      expect(response.body).toBe(
        `\nevent: a\nid: ${id}\ndata: 1\n\nevent: b\nid: ${id}\ndata: 2\n\n`,
      );
      expect(CountingInterceptor.seen - before).toBe(
        TEST_DELIVERY === 'direct' ? 0 : 2,
      );
    });
  },
);
