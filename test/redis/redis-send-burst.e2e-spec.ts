import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { RedisTransport } from '../../src/redis/index.js';
import {
  ChannelService,
  SseEndpoint,
  SseModule,
  SseTransport,
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
import { SseTestClients } from '../support/sse-test-client.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** Small, so that the burst is several times it; above the outbox's batch of 512, so that it takes several batches. */
const MAX_QUEUED_SENDS = 200;
const BURST = 3 * MAX_QUEUED_SENDS;

@Controller()
class NoticesController {
  @SseEndpoint('/notices', { channels: ['notices'] })
  notices() {}
}

function burstModule(keyPrefix: string, delivery: Delivery): DynamicModule {
  @Module({
    imports: [
      SseModule.forRoot({
        delivery,
        history: { size: BURST },
        transport: new RedisTransport({
          url: REDIS_URL,
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
        const clients = new SseTestClients();
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
          const client = clients.connect(`${app.url}/notices`);
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
