import { Module, type DynamicModule } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { RedisTransport } from '../../src/redis/index.js';
import {
  ChannelService,
  SseModule,
  SseTransport,
} from '../../src/sse/index.js';
import { describeWithRedis, uniquePrefix } from '../support/redis.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The README's floor (Running several instances, Settings): what one channel
 * that had one event keeps in Redis, by `MEMORY USAGE` and by `used_memory`
 * per channel, with Redis's default `stream-node-max-bytes` (4096: Redis
 * allocates that much for a stream's first node), and with 512. Measured on
 * Redis 7.0.15: 4 768 and 1 184 bytes by `MEMORY USAGE`, about 4.5 KB and
 * 0.9 KB of `used_memory` per channel.
 */
const FLOOR_BYTES = 4800;
const FLOOR_BYTES_SMALL_NODES = 1200;
/** Enough channels for `used_memory` to show the cost of one. */
const CHANNELS = 2000;

function appModule(redisUrl: string, keyPrefix: string): DynamicModule {
  @Module({
    imports: [
      SseModule.forRoot({
        transport: new RedisTransport({ url: redisUrl, keyPrefix }),
      }),
    ],
  })
  class AppModule {}
  return { module: AppModule };
}

const usedMemory = async (redis: RedisServerProcess) =>
  Number(
    /used_memory:(\d+)/.exec(String(await redis.command('INFO', 'memory')))![1],
  );

// Per-user channels: one event each, nobody subscribed. Each keeps its stream
// (its newest event is what tells a client coming back what it missed), so
// each costs a floor that the README states. The test has a Redis of its own,
// whose settings it changes and whose memory it reads.
describeWithRedis('what a one-event channel keeps in Redis', () => {
  let redis: RedisServerProcess;
  let app: RunningApp;
  let prefix: string;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    prefix = uniquePrefix();
    app = await startApp(
      appModule(redis.url, prefix),
      () => new ExpressAdapter(),
    );
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  /** Sends one event on each of `CHANNELS` new channels; resolves to Redis's `used_memory` growth per channel. */
  async function oneEventChannels(group: string): Promise<number> {
    const before = await usedMemory(redis);
    const channels = app.app.get(ChannelService);
    for (let i = 0; i < CHANNELS; i++) {
      channels
        .channel(`user:${group}:${i}`, { history: { size: 5 } })
        .send({ type: 'notice', data: { unread: i } });
    }
    const transport = app.app.get(SseTransport);
    await waitFor(
      () => transport.health().queuedSends === 0,
      'Redis to take every send',
    );
    return ((await usedMemory(redis)) - before) / CHANNELS;
  }

  const memoryUsage = async (channel: string) =>
    Number(
      await redis.command(
        'MEMORY',
        'USAGE',
        `${prefix}channel:${channel}`,
        'SAMPLES',
        '0',
      ),
    );

  it('is one stream node, which never expires, of the size the README states', async () => {
    const perChannel = await oneEventChannels('a');
    expect(await memoryUsage('user:a:0')).toBeLessThanOrEqual(FLOOR_BYTES);
    expect(perChannel).toBeLessThanOrEqual(FLOOR_BYTES);
    expect(await redis.command('PTTL', `${prefix}channel:user:a:0`)).toBe(-1);
  });

  it('is smaller with stream-node-max-bytes 512, as the README suggests', async () => {
    await redis.command('CONFIG', 'SET', 'stream-node-max-bytes', '512');
    const perChannel = await oneEventChannels('b');
    expect(await memoryUsage('user:b:0')).toBeLessThanOrEqual(
      FLOOR_BYTES_SMALL_NODES,
    );
    expect(perChannel).toBeLessThanOrEqual(FLOOR_BYTES_SMALL_NODES);
  });
});
