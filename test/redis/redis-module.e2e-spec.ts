import {
  Controller,
  Injectable,
  Module,
  type DynamicModule,
} from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { RedisTransport } from '../../src/redis/index.js';
import {
  ChannelService,
  SseEndpoint,
  SseModule,
  SseTransport,
  SseTransportError,
  type SseConnection,
  type SseSend,
} from '../../src/sse/index.js';
import { readRaw } from '../support/raw-stream.js';
import {
  connectionsNamed,
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { openedClients } from '../support/opened-clients.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { waitFor, waitForAsync } from '../support/wait-for.js';
import { freePort } from '../support/free-port.js';

/** Settings as an app would get them from `@nestjs/config`. */
@Injectable()
class RedisSettings {
  static prefix = '';
  readonly url = REDIS_URL;
  readonly keyPrefix = RedisSettings.prefix;
}

@Module({ providers: [RedisSettings], exports: [RedisSettings] })
class SettingsModule {}

@Controller()
class OrdersController {
  @SseEndpoint('/orders', { channels: ['orders'] })
  orders(send: SseSend, _close: unknown, connection: SseConnection) {
    send({ type: 'hello', data: connection.lastEventId ?? 'new' });
  }
}

/** One instance of the application: `SseModule.forRootAsync` with a RedisTransport built from injected settings. */
function clusterModule(): DynamicModule {
  @Module({
    imports: [
      SseModule.forRootAsync({
        imports: [SettingsModule],
        inject: [RedisSettings],
        useFactory: (settings: RedisSettings) => ({
          transport: new RedisTransport({
            url: settings.url,
            keyPrefix: settings.keyPrefix,
            instanceTtlMs: 1500,
          }),
        }),
      }),
    ],
    controllers: [OrdersController],
  })
  class ClusterModule {}
  return { module: ClusterModule };
}

describeWithRedis(
  'RedisTransport in an application: two instances in one process',
  () => {
    const clients = openedClients();
    let prefix: string;
    let a: RunningApp;
    let b: RunningApp;

    beforeAll(async () => {
      prefix = RedisSettings.prefix = uniquePrefix();
      a = await startApp(clusterModule(), () => new ExpressAdapter());
      b = await startApp(clusterModule(), () => new FastifyAdapter());
    });
    afterEach(() => clients.closeAll());
    afterAll(async () => {
      await a?.close();
      await b?.close();
      await deleteKeys(prefix);
    });

    it('is configured through forRootAsync, injectable as SseTransport, and healthy', () => {
      expect(a.app.get(SseTransport)).toBeInstanceOf(RedisTransport);
      expect(a.app.get(SseTransport).health()).toEqual({
        status: 'up',
        queuedSends: 0,
      });
    });

    it('delivers a send on one instance to the clients of the other, in order, with the same ids', async () => {
      const onA = await clients.connect(`${a.url}/orders`);
      const onB = await clients.connect(`${b.url}/orders`);
      await Promise.all([onA.waitForEvents(1), onB.waitForEvents(1)]);
      const orders = a.app.get(ChannelService).channel('orders');
      for (let i = 1; i <= 50; i++) orders.send({ type: 'order', data: { i } });
      await Promise.all([onA.waitForEvents(51), onB.waitForEvents(51)]);
      expect(onB.dataOf('order')).toEqual(
        Array.from({ length: 50 }, (_, i) => `{"i":${i + 1}}`),
      );
      expect(onB.events.slice(1)).toEqual(onA.events.slice(1));
    });

    it('counts the subscribers of every instance', async () => {
      await clients.connect(`${a.url}/orders`);
      const onB = await Promise.all([
        clients.connect(`${b.url}/orders`),
        clients.connect(`${b.url}/orders`),
      ]);
      await Promise.all(onB.map((client) => client.waitForEvents(1)));
      const orders = a.app.get(ChannelService).channel('orders');
      await waitForAsync(
        async () => orders.count() === 1 && (await orders.countAll()) === 3,
        'a count of 3 on every instance',
      );
      expect(await b.app.get(ChannelService).channel('orders').countAll()).toBe(
        3,
      );
    });

    it('replays, on the other instance, what a client missed', async () => {
      const first = await clients.connect(`${a.url}/orders`);
      await first.waitForEvents(1);
      const orders = a.app.get(ChannelService).channel('orders');
      orders.send({ type: 'order', data: 'seen' });
      await first.waitForEvents(2);
      first.close();
      const lastId = first.events[1].lastEventId;
      orders.send({ type: 'order', data: 'missed 1' });
      orders.send({ type: 'order', data: 'missed 2' });
      const resumed = readRaw(`${b.url}/orders`, {
        headers: { 'Last-Event-ID': lastId },
        until: (body) => body.includes('live'),
      });
      await waitFor(
        () => b.app.get(ChannelService).channel('orders').count() > 0,
        'the resumed client on B',
      );
      orders.send({ type: 'order', data: 'live' });
      const { body } = await resumed;
      const [epoch, position] = lastId.split('-');
      const id = (offset: number) => `${epoch}-${Number(position) + offset}`;
      expect(body).toBe(
        `\nevent: hello\nid: ${lastId}\ndata: ${lastId}\n\n` +
          `event: order\nid: ${id(1)}\ndata: missed 1\n\nevent: order\nid: ${id(2)}\ndata: missed 2\n\n` +
          `event: order\nid: ${id(3)}\ndata: live\n\n`,
      );
    });

    it('closes every Redis connection when the applications close', async () => {
      expect((await connectionsNamed(prefix)).length).toBe(4);
      const third = await startApp(clusterModule(), () => new ExpressAdapter());
      expect((await connectionsNamed(prefix)).length).toBe(6);
      await third.close();
      await waitForAsync(
        async () => (await connectionsNamed(prefix)).length === 4,
        'the closed instance to leave no connection',
      );
    });
  },
);

describe('RedisTransport without Redis', () => {
  it('fails the application start with the address, the time it waited and the last connection error', async () => {
    const port = await freePort();
    const transport = new RedisTransport({
      url: `redis://127.0.0.1:${port}`,
      connectTimeoutMs: 300,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ transport })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      new SseTransportError(
        `RedisTransport could not reach Redis at redis://127.0.0.1:${port} within 300 ms: connect ECONNREFUSED 127.0.0.1:${port}.`,
      ),
    );
    await app.close();
  });

  it.each([
    [
      { keyPrefix: '' },
      'RedisTransport option "keyPrefix" must be a non-empty string, got .',
    ],
    [
      { maxQueuedSends: 0 },
      'RedisTransport option "maxQueuedSends" must be a positive integer, got 0.',
    ],
    [
      { instanceTtlMs: 1.5 },
      'RedisTransport option "instanceTtlMs" must be a positive integer, got 1.5.',
    ],
    [
      { client: {} },
      'RedisTransport option "client" must be an ioredis client, got [object Object].',
    ],
  ])(
    'refuses bad options (%j) with a message that names the option',
    (options, message) => {
      expect(() => new RedisTransport(options as never)).toThrow(
        new SseTransportError(message),
      );
    },
  );
});
