import { ChannelService } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

// A channel with neither subscribers nor history is forgotten. A client that
// was on it and comes back from before the events it lost gets a reset; the
// clients of every other channel are replayed as usual.
describe.each(ADAPTERS)(
  'a forgotten channel resets only its own clients (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let channels: ChannelService;
    const opened: SseTestClient[] = [];
    const connect = async (path: string) => {
      const client = await SseTestClient.connect(running.app, path);
      opened.push(client);
      await client.waitForEvent('hello');
      return client;
    };
    const leave = async (client: SseTestClient, channel: string) => {
      client.close();
      await waitFor(
        () => channels.channel(channel).count() === 0,
        `the client to leave ${channel}`,
      );
      return client;
    };

    beforeAll(async () => {
      // Channels keep nothing unless configured: an event sent to a channel
      // nobody is on is lost at once, and the channel forgotten.
      running = await startApp(
        FeedModule.with({ history: { size: 0 } }),
        createAdapter,
      );
      channels = running.app.get(ChannelService);
    });
    afterEach(() => opened.splice(0).forEach((client) => client.close()));
    afterAll(() => running.close());

    it("replays a client of a quiet channel, not resets it, after another channel's history was forgotten", async () => {
      const orders = channels.channel('orders', { history: { size: 100 } });
      const client = await connect('/feed?channels=orders');
      orders.send({ type: 'order', data: 'seen' });
      await client.waitForEvent('order');
      await leave(client, 'orders');

      channels.channel('user:42').send({ type: 'note', data: 'lost' });
      expect(channels.names()).not.toContain('user:42');
      orders.send({ type: 'order', data: 'missed' });

      const resumed = await client.reconnect();
      opened.push(resumed);
      await resumed.waitForEvent('order');
      expect(resumed.events.map(({ type, data }) => [type, data])).toEqual([
        ['hello', 'feed'],
        ['order', 'missed'],
      ]);
    });

    it('resets a client of the forgotten channel that missed its lost events', async () => {
      const client = await connect('/feed?channels=user:7');
      channels.channel('user:7').send({ type: 'note', data: 'seen' });
      await client.waitForEvent('note');
      await leave(client, 'user:7');

      channels.channel('user:7').send({ type: 'note', data: 'lost' });
      expect(channels.names()).not.toContain('user:7');

      const resumed = await client.reconnect();
      opened.push(resumed);
      expect((await resumed.waitForEvent('reset')).data).toBe('evicted');
      expect(resumed.dataOf('note')).toEqual([]);
    });
  },
);
