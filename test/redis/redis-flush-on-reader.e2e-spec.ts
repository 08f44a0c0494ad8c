import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { RedisTransport } from '../../src/redis/index.js';
import { READ_BLOCK_MS } from '../../src/redis/shared-stream-reader.js';
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
import { describeWithRedis, uniquePrefix } from '../support/redis.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import {
  SseTestClients,
  type ReceivedEvent,
} from '../support/sse-test-client.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

@Controller()
class FeedController {
  @SseEndpoint('/feed', { channels: ['feed'] })
  feed() {}
}

function instanceModule(
  redisUrl: string,
  keyPrefix: string,
  delivery: Delivery,
): DynamicModule {
  @Module({
    imports: [
      SseModule.forRoot({
        delivery,
        transport: new RedisTransport({ url: redisUrl, keyPrefix }),
      }),
    ],
    controllers: [FeedController],
  })
  class InstanceModule {}
  return { module: InstanceModule };
}

/** Room for the epoch script and the reset's delivery, on a busy machine. */
const SLACK_MS = 1000;

const epochOf = (id: string) => id.split('-')[0];
const wire = (events: ReceivedEvent[]) =>
  events.map(({ type, data, lastEventId }) => `${type} ${lastEventId} ${data}`);

type CreateAdapter = (typeof ADAPTERS)[number][1];

/**
 * Noticing a flush with nobody sending waits up to READ_BLOCK_MS (1 s), and is
 * the transport's alone: one adapter per delivery mode is enough for it.
 */
const IDLE_CASES = [ADAPTER_DELIVERY_CASES[0], ADAPTER_DELIVERY_CASES[3]];

// Redis loses its data (FLUSHALL here; a restart without persistence is the
// same) while instance B only reads: it has a subscribed client and never
// publishes. B must notice the new history by itself, give its client one
// reset, and deliver the new history's events under the new epoch's ids. The
// test has a Redis of its own to flush.
describeWithRedis('FLUSHALL seen by an instance that never publishes', () => {
  let redis: RedisServerProcess;
  const clients = new SseTestClients();
  let a: RunningApp;
  let b: RunningApp;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(() => redis?.stop());

  /** Instances A (publishes) and B (only reads) on one Redis, for each test. */
  function twoInstances(createAdapter: CreateAdapter, delivery: Delivery) {
    beforeEach(async () => {
      const prefix = uniquePrefix();
      a = await startApp(
        instanceModule(redis.url, prefix, delivery),
        ADAPTERS[0][1],
      );
      b = await startApp(
        instanceModule(redis.url, prefix, delivery),
        createAdapter,
      );
    });
    afterEach(async () => {
      clients.closeAll();
      await a?.close();
      await b?.close();
    });
  }

  /** B's client, once it has had the `before` events sent on A. */
  async function readerWith(before: number) {
    const onB = clients.connect(`${b.url}/feed`, ['reset']);
    await onB.waitForOpen();
    await waitFor(
      () => b.app.get(ChannelService).channel('feed').count() === 1,
      'the client on B to join',
    );
    const feed = a.app.get(ChannelService).channel('feed');
    for (let i = 1; i <= before; i++) feed.send({ data: `before ${i}` });
    await onB.waitForEvents(before);
    return { onB, feed, oldEpoch: epochOf(onB.events[0].lastEventId) };
  }

  // B on each adapter and delivery mode; A, the publisher, on Express.
  describe.each(ADAPTER_DELIVERY_CASES)(
    'reader B on %s',
    (_name, createAdapter, delivery) => {
      twoInstances(createAdapter, delivery);

      it('gets one reset, then the sends made on A right after the flush, under new ids', async () => {
        const { onB, feed, oldEpoch } = await readerWith(3);
        await redis.command('FLUSHALL');
        // More sends than B had read: the new history's positions pass B's old cursor.
        for (let i = 1; i <= 8; i++) feed.send({ data: `after ${i}` });
        await waitFor(
          () => onB.events.some((event) => event.data === 'after 8'),
          'the last send to reach B',
        );

        // The new history's epoch, which A moved to when its send was refused under the old one.
        const epoch = a.app.get(SseTransport).ids.epoch;
        expect(epoch).not.toBe(oldEpoch);
        expect(wire(onB.events)).toEqual([
          `message ${oldEpoch}-1 before 1`,
          `message ${oldEpoch}-2 before 2`,
          `message ${oldEpoch}-3 before 3`,
          `reset ${epoch}-0 evicted`,
          ...Array.from(
            { length: 8 },
            (_, i) => `message ${epoch}-${i + 1} after ${i + 1}`,
          ),
        ]);
        expect(b.app.get(SseTransport).health()).toEqual({
          status: 'up',
          queuedSends: 0,
        });
      });
    },
  );

  describe.each(IDLE_CASES)(
    'reader B on %s, nobody sending',
    (_name, createAdapter, delivery) => {
      twoInstances(createAdapter, delivery);

      it('gets its reset within READ_BLOCK_MS, then the new history', async () => {
        const { onB, feed, oldEpoch } = await readerWith(2);
        await redis.command('FLUSHALL');
        // The README's bound: a read returns at least every READ_BLOCK_MS, and reads the epoch.
        await waitFor(
          () => onB.events.some((event) => event.type === 'reset'),
          'B to reset its client, with no send anywhere',
          READ_BLOCK_MS + SLACK_MS,
        );
        feed.send({ data: 'after 1' });
        feed.send({ data: 'after 2' });
        await onB.waitForEvents(5);

        const epoch = a.app.get(SseTransport).ids.epoch;
        expect(epoch).not.toBe(oldEpoch);
        expect(wire(onB.events)).toEqual([
          `message ${oldEpoch}-1 before 1`,
          `message ${oldEpoch}-2 before 2`,
          `reset ${epoch}-0 evicted`,
          `message ${epoch}-1 after 1`,
          `message ${epoch}-2 after 2`,
        ]);
      });
    },
  );
});
