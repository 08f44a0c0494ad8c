import {
  ChannelService,
  SseStats,
  type SseStatsSnapshot,
} from '../../src/sse/index.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { SseTestClient } from '../../src/testing/index.js';

const bytes = (text: string) => Buffer.byteLength(text);

describe.each(ADAPTERS)(
  'statistics move as connections and events do (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let stats: SseStats;
    let channels: ChannelService;
    const snapshot = (): SseStatsSnapshot => stats.snapshot();

    beforeAll(async () => {
      running = await startApp(
        FeedModule.with({ history: { size: 5 } }),
        createAdapter,
      );
      stats = running.app.get(SseStats);
      channels = running.app.get(ChannelService);
    });
    afterAll(() => running.close());

    it('counts open streams by endpoint and channel, and every event and byte written', async () => {
      expect(snapshot()).toEqual({
        connections: { open: 0, responding: 0, byEndpoint: {}, clients: 0 },
        pendingData: { characters: 0, limit: 64 * 1024 * 1024 },
        channels: {},
        events: { sent: 0, bytes: 0 },
        replays: { count: 0, events: 0 },
        resets: 0,
        droppedSlowClients: 0,
        refusedConnections: 0,
        transport: { status: 'up', queuedSends: 0 },
      });
      const first = await SseTestClient.connect(
        running.app,
        '/feed?channels=stats',
      );
      const second = await SseTestClient.connect(
        running.app,
        '/feed?channels=stats,other',
      );
      await Promise.all([
        first.waitForEvent('hello'),
        second.waitForEvent('hello'),
      ]);
      const hello = `event: hello\nid: ${idAt(running.app)}\ndata: feed\n\n`;
      expect(snapshot()).toMatchObject({
        connections: {
          open: 2,
          responding: 2,
          byEndpoint: { 'FeedController.feed': 2 },
          // Both from 127.0.0.1, which tells clients apart by default.
          clients: 1,
        },
        channels: { stats: 2, other: 1 },
        events: { sent: 2, bytes: 2 * bytes(hello) },
      });

      channels.channel('stats').send({ type: 'n', data: { é: 1 } });
      await Promise.all([first.waitForEvent('n'), second.waitForEvent('n')]);
      const event = `event: n\nid: ${idAt(running.app)}\ndata: {"é":1}\n\n`;
      expect(snapshot().events).toEqual({
        sent: 4,
        bytes: 2 * bytes(hello) + 2 * bytes(event),
      });

      first.close();
      await waitFor(
        () => snapshot().connections.open === 1,
        'the closed stream to be forgotten',
      );
      expect(snapshot()).toMatchObject({
        connections: { byEndpoint: { 'FeedController.feed': 1 } },
        channels: { stats: 1, other: 1 },
      });
      second.close();
      await waitFor(
        () =>
          snapshot().connections.open === 0 &&
          snapshot().connections.responding === 0,
        'no open stream, and no response left to write',
      );
      expect(snapshot()).toMatchObject({
        connections: { byEndpoint: {} },
        channels: {},
      });
    });

    it('counts replays with their events, and resets', async () => {
      const before = snapshot();
      const from = idAt(running.app);
      channels.channel('replayed').send({ data: 'one' });
      channels.channel('replayed').send({ data: 'two' });
      await readRaw(`${running.url}/feed?channels=replayed`, {
        headers: { 'Last-Event-ID': from },
        until: (body) => body.includes('two'),
      });
      expect(snapshot().replays).toEqual({
        count: before.replays.count + 1,
        events: before.replays.events + 2,
      });
      expect(snapshot().resets).toBe(before.resets);

      await readRaw(`${running.url}/feed?channels=replayed`, {
        headers: { 'Last-Event-ID': 'not-ours' },
        until: (body) => body.includes('reset'),
      });
      expect(snapshot().resets).toBe(before.resets + 1);
    });
  },
);
