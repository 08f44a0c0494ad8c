import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { RedisTransport } from '../../src/redis/index.js';
import { NOT_ANSWERING_MS } from '../../src/redis/pending-publishes.js';
import { REDIS_MESSAGES } from '../../src/redis/redis.messages.js';
import {
  ChannelService,
  SseEndpoint,
  SseModule,
  SseTransport,
  SseTransportError,
} from '../../src/sse/index.js';
import {
  ADAPTER_DELIVERY_CASES,
  type Delivery,
} from '../support/adapter-delivery-cases.js';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { openedClients } from '../support/opened-clients.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** Small, so that a burst of three times it is quick. */
const MAX_QUEUED_SENDS = 200;
/** Larger than PendingPublishes's batch of 512, so that it reaches Redis in several batches. */
const BURST = 3 * MAX_QUEUED_SENDS;

@Controller()
class NoticesController {
  @SseEndpoint('/notices', { channels: ['notices'] })
  notices() {}
}

function burstModule(
  keyPrefix: string,
  delivery: Delivery,
  url = REDIS_URL,
): DynamicModule {
  @Module({
    imports: [
      SseModule.forRoot({
        delivery,
        history: { size: BURST },
        transport: new RedisTransport({
          url,
          keyPrefix,
          maxQueuedSends: MAX_QUEUED_SENDS,
        }),
      }),
    ],
    controllers: [NoticesController],
  })
  class BurstModule {}
  return { module: BurstModule };
}

// Notifying every user in one loop: far more sends in one turn than
// `maxQueuedSends`, while Redis is healthy. The limit is for an outage
// (test/cluster/redis-outage.e2e-spec.ts): a Redis that takes sends takes a
// burst of any size, in batches.
describeWithRedis(
  'a synchronous burst of sends larger than maxQueuedSends, Redis healthy',
  () => {
    describe.each(ADAPTER_DELIVERY_CASES)(
      'on %s',
      (_name, createAdapter, delivery) => {
        const clients = openedClients();
        let prefix: string;
        let app: RunningApp;

        beforeAll(async () => {
          prefix = uniquePrefix();
          app = await startApp(burstModule(prefix, delivery), createAdapter);
        });
        afterAll(async () => {
          clients.closeAll();
          await app?.close();
          await deleteKeys(prefix);
        });

        it('takes every send and delivers them all, in order', async () => {
          const client = await clients.connect(`${app.url}/notices`);
          await client.waitForOpen();
          const notices = app.app.get(ChannelService).channel('notices');
          await waitFor(() => notices.count() === 1, 'the client to join');

          const refused: string[] = [];
          for (let i = 1; i <= BURST; i++) {
            try {
              notices.send({ data: `notice ${i}` });
            } catch (error) {
              refused.push((error as Error).message);
            }
          }
          expect({ refused: refused.length, first: refused[0] }).toEqual({
            refused: 0,
            first: undefined,
          });
          await client.waitForEvents(BURST);
          expect(client.events.map((event) => event.data)).toEqual(
            Array.from({ length: BURST }, (_, i) => `notice ${i + 1}`),
          );
          expect(app.app.get(SseTransport).health()).toEqual({
            status: 'up',
            queuedSends: 0,
          });
        });
      },
    );
  },
);

// Redis is reachable but does not take sends: it stops answering without
// closing its connections (SIGSTOP here; a host lost without a reset is the
// same), or answers them with an error (out of memory). Sends past
// maxQueuedSends are then refused, saying which, and health is down; every
// send taken is published once Redis takes sends again. The test has a Redis
// of its own to pause and to fill.
describeWithRedis('sends while a reachable Redis does not take them', () => {
  const clients = openedClients();
  let redis: RedisServerProcess;
  let app: RunningApp;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    app = await startApp(
      burstModule(uniquePrefix(), 'pipeline', redis.url),
      () => new ExpressAdapter(),
    );
  });
  afterAll(async () => {
    redis?.resume();
    await app?.close();
    await redis?.stop();
  });

  /** A client of `notices`, once it has had one event. */
  async function subscribed() {
    const client = await clients.connect(`${app.url}/notices`);
    await client.waitForOpen();
    const notices = app.app.get(ChannelService).channel('notices');
    await waitFor(() => notices.count() === 1, 'the client to join');
    notices.send({ data: 'before' });
    await client.waitForEvents(1);
    return { client, notices, transport: app.app.get(SseTransport) };
  }

  /** Once Redis takes sends again: the client has every send taken, in order, and health is up. */
  async function expectEveryTakenSendThenUp(
    client: Awaited<ReturnType<typeof subscribed>>['client'],
    transport: SseTransport,
  ) {
    await client.waitForEvents(1 + BURST);
    expect(client.events.map((event) => event.data)).toEqual([
      'before',
      ...Array.from({ length: BURST }, (_, i) => `during ${i + 1}`),
    ]);
    await waitFor(
      () => transport.health().status === 'up',
      'health to be up again',
    );
  }

  afterEach(() => clients.closeAll());

  it('takes a burst, refuses past the limit once Redis has been silent for NOT_ANSWERING_MS, and delivers every taken send once it answers', async () => {
    const { client, notices, transport } = await subscribed();

    redis.pause();
    const pausedAt = Date.now();
    for (let i = 1; i <= BURST; i++) notices.send({ data: `during ${i}` });
    await waitFor(
      () => transport.health().status === 'down',
      'health to say that Redis does not answer',
      NOT_ANSWERING_MS + 2000,
    );
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(NOT_ANSWERING_MS);
    const silent = REDIS_MESSAGES.notAnswering(NOT_ANSWERING_MS);
    expect(transport.health()).toEqual({
      status: 'down',
      queuedSends: BURST,
      error: silent,
    });
    expect(() => notices.send({ data: 'refused' })).toThrow(
      new SseTransportError(
        REDIS_MESSAGES.tooManyPending(silent, MAX_QUEUED_SENDS, 'notices'),
      ),
    );

    redis.resume();
    await expectEveryTakenSendThenUp(client, transport);
    expect(transport.health()).toEqual({ status: 'up', queuedSends: 0 });
  });

  it('refuses past the limit while Redis answers sends with an error, saying it, and delivers every taken send once it takes them', async () => {
    const { client, notices, transport } = await subscribed();
    // Redis refuses every write (OOM) once it is over maxmemory.
    await redis.command('CONFIG', 'SET', 'maxmemory', '1');
    try {
      for (let i = 1; i <= BURST; i++) notices.send({ data: `during ${i}` });
      await waitFor(
        () => transport.health().status === 'down',
        'health to say that Redis refuses sends',
      );
      const { error } = transport.health();
      expect(error).toMatch(
        /^Redis refused the last sends \(OOM command not allowed/,
      );
      expect(() => notices.send({ data: 'refused' })).toThrow(
        new SseTransportError(
          REDIS_MESSAGES.tooManyPending(error!, MAX_QUEUED_SENDS, 'notices'),
        ),
      );
    } finally {
      await redis.command('CONFIG', 'SET', 'maxmemory', '0');
    }
    await expectEveryTakenSendThenUp(client, transport);
  });
});
