import { ChannelService } from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { headPosition, idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import type { SseTestClient } from '../../src/testing/index.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

describe.each(ADAPTERS)(
  'resuming with Last-Event-ID (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let channels: ChannelService;
    const clients = openedClients();
    const connect = (path: string, lastEventId?: string) =>
      clients.connect(`${running.url}${path}`, { lastEventId });
    const send = (channel: string, from: number, to: number) => {
      for (let i = from; i <= to; i++)
        channels
          .channel(channel)
          .send({ type: channel, data: `${channel}${i}` });
    };
    const received = (client: SseTestClient) =>
      client.events
        .filter((event) => event.type !== 'hello')
        .map((event) => event.data);

    beforeAll(async () => {
      running = await startApp(
        FeedModule.with({ history: { size: 100 } }),
        createAdapter,
      );
      channels = running.app.get(ChannelService);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it('receives 1–5, leaves, and on return gets exactly 6–10, in order', async () => {
      const first = await connect('/feed?channels=a');
      await first.waitForEvents(1);
      send('a', 1, 5);
      await first.waitForEvents(6);
      expect(received(first)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
      const lastId = first.events[5].lastEventId;
      first.close();

      send('a', 6, 10);
      const second = await connect('/feed?channels=a', lastId);
      await second.waitForEvents(6);
      send('a', 11, 11);
      await second.waitForEvents(7);
      expect(received(second)).toEqual(['a6', 'a7', 'a8', 'a9', 'a10', 'a11']);
      // The greeting a handler sends carries the position it resumed from.
      expect(second.events[0]).toMatchObject({
        type: 'hello',
        lastEventId: lastId,
      });
    });

    it('takes the position from ?lastEventId when the client cannot set headers; the header wins', async () => {
      const first = await connect('/feed?channels=a');
      await first.waitForEvents(1);
      send('a', 20, 21);
      await first.waitForEvents(3);
      const afterFirst = first.events[1].lastEventId;
      const afterSecond = first.events[2].lastEventId;
      first.close();
      send('a', 22, 22);

      const byQuery = await connect(
        `/feed?channels=a&lastEventId=${afterFirst}`,
      );
      await byQuery.waitForEvents(3);
      expect(received(byQuery)).toEqual(['a21', 'a22']);

      const both = await connect(
        `/feed?channels=a&lastEventId=${afterFirst}`,
        afterSecond,
      );
      await both.waitForEvents(2);
      expect(received(both)).toEqual(['a22']);
    });

    it.each([
      ['joined by the endpoint option', '/feed'],
      ['joined with conn.subscribe() in the handler', '/feed-subscribing'],
    ])('resumes a connection on two channels %s', async (_case, path) => {
      const first = await connect(`${path}?channels=a,b`);
      await first.waitForEvents(1);
      send('a', 30, 30);
      send('b', 30, 30);
      await first.waitForEvents(3);
      const lastId = first.events[2].lastEventId;
      first.close();

      send('a', 31, 31);
      send('b', 31, 32);
      send('a', 32, 32);
      send('c', 1, 1); // a channel it does not follow
      const second = await connect(`${path}?channels=a,b`, lastId);
      await second.waitForEvents(5);
      expect(received(second)).toEqual(['a31', 'b31', 'b32', 'a32']);
    });

    it('writes ids of at most 128 characters from [A-Za-z0-9._~-] on every event', async () => {
      const client = await connect('/feed?channels=a');
      await client.waitForEvents(1);
      send('a', 40, 42);
      await client.waitForEvents(4);
      for (const event of client.events)
        expect(event.lastEventId).toMatch(/^[A-Za-z0-9._~-]{1,128}$/);
      const positions = client.events.map((event) =>
        Number(event.lastEventId.split('-')[1]),
      );
      expect(positions.slice(1)).toEqual(
        [...positions.slice(1)].sort((x, y) => x - y),
      );
    });

    it('replays, byte for byte, the frames a connected client got live', async () => {
      const live = readRaw(`${running.url}/feed?channels=b&probe=live-b`, {
        until: (body) => body.includes('data: b51'),
      });
      await running.app.get(ConnectionProbe).get('live-b');
      const before = headPosition(running.app);
      send('b', 50, 51);
      const liveBody = (await live).body;
      const replayed = await readRaw(`${running.url}/feed?channels=b`, {
        headers: { 'Last-Event-ID': idAt(running.app, before) },
        until: (body) => body.includes('data: b51'),
      });
      const frames = (body: string) => body.slice(body.indexOf('event: b\n'));
      expect(frames(liveBody)).toBe(
        `event: b\nid: ${idAt(running.app, before + 1)}\ndata: b50\n\nevent: b\nid: ${idAt(running.app, before + 2)}\ndata: b51\n\n`,
      );
      expect(frames(replayed.body)).toBe(frames(liveBody));
    });
  },
);
