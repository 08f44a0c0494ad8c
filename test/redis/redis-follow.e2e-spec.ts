import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { RedisTransport } from '../../src/redis/index.js';
import {
  ChannelService,
  SseEndpoint,
  SseModule,
  SseTransport,
  type SseFollowing,
} from '../../src/sse/index.js';
import { openedClients } from '../support/opened-clients.js';
import { describeWithRedis, uniquePrefix } from '../support/redis.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { statsOf } from '../support/stats.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { waitFor, waitForAsync } from '../support/wait-for.js';

@Controller()
class FeedController {
  @SseEndpoint('/feed', { channels: ['feed'] })
  feed() {}
}

function instanceModule(redisUrl: string, keyPrefix: string): DynamicModule {
  @Module({
    imports: [
      SseModule.forRoot({
        heartbeatMs: 0,
        transport: new RedisTransport({ url: redisUrl, keyPrefix }),
      }),
    ],
    controllers: [FeedController],
  })
  class InstanceModule {}
  return { module: InstanceModule };
}

// A follower (SseChannel.follow) on instance B, which has no connection and
// never publishes: B must read the channel's events for it alone, hand it A's
// sends in order under the ids clients get, count no connection for it, and
// reset it when Redis loses its data. The test has a Redis of its own to flush.
describeWithRedis('following a channel with Redis, on another instance', () => {
  let redis: RedisServerProcess;
  const clients = openedClients();
  let a: RunningApp;
  let b: RunningApp;
  let following: SseFollowing | undefined;
  /** What B's follower got: `<id> <type> <data>`, or `reset`. */
  let followed: string[];

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(() => redis?.remove());
  beforeEach(async () => {
    const prefix = uniquePrefix();
    a = await startApp(
      instanceModule(redis.url, prefix),
      () => new ExpressAdapter(),
    );
    b = await startApp(
      instanceModule(redis.url, prefix),
      () => new ExpressAdapter(),
    );
    followed = [];
    following = b.app
      .get(ChannelService)
      .channel('feed')
      .follow({
        event: (event) =>
          followed.push(`${event.id} ${event.type} ${event.data}`),
        reset: () => followed.push('reset'),
      });
  });
  afterEach(async () => {
    following?.close();
    clients.closeAll();
    await a?.close();
    await b?.close();
  });

  it("hands B's follower A's sends in order, with the ids A's client gets, and counts no connection for it", async () => {
    const onA = await clients.connect(`${a.url}/feed`);
    await onA.waitForOpen();
    const feed = a.app.get(ChannelService).channel('feed');
    const other = a.app.get(ChannelService).channel('other');
    for (let i = 1; i <= 20; i++) {
      other.send({ data: `not followed ${i}` });
      feed.send({ type: i % 2 ? 'odd' : 'even', data: { i } });
    }
    await onA.waitForEvents(20);
    await waitFor(
      () => followed.length >= 20,
      "A's sends to reach B's follower",
    );

    expect(followed).toEqual(
      onA.events.map(
        (event) => `${event.lastEventId} ${event.type} ${event.data}`,
      ),
    );
    // B's position has moved past what its follower got.
    expect(b.app.get(ChannelService).position('feed')).toBe(onA.lastEventId);
    expect(b.app.get(ChannelService).channel('feed').count()).toBe(0);
    expect(statsOf(b.app)().channels).toEqual({});
    // A's client is counted on every instance, B's follower nowhere.
    await waitForAsync(
      async () =>
        (await b.app.get(ChannelService).channel('feed').countAll()) === 1,
      "A's client in B's countAll()",
    );
    following!.close();
    feed.send({ data: 'after close' });
    await onA.waitForEvents(21);
    expect(followed).toHaveLength(20);
  });

  it('resets the follower when Redis loses its data, then hands on the new history', async () => {
    const feed = a.app.get(ChannelService).channel('feed');
    feed.send({ data: 'before' });
    await waitFor(() => followed.length === 1, 'the first send on B');
    const oldEpoch = b.app.get(SseTransport).epoch;
    await redis.command('FLUSHALL');
    // B, which never publishes, notices by itself (within READ_BLOCK_MS).
    await waitFor(() => followed.includes('reset'), "B's follower to be reset");
    feed.send({ data: 'after 1' });
    feed.send({ data: 'after 2' });
    await waitFor(() => followed.length === 4, 'the new sends on B');

    const epoch = b.app.get(SseTransport).epoch;
    expect(epoch).not.toBe(oldEpoch);
    expect(followed).toEqual([
      `${oldEpoch}-1 message before`,
      'reset',
      `${epoch}-1 message after 1`,
      `${epoch}-2 message after 2`,
    ]);
  });
});
