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
import type { SseTestEvent } from '../../src/testing/index.js';
import { openedClients } from '../support/opened-clients.js';
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
const wire = (events: SseTestEvent[]) =>
  events.map(({ type, data, lastEventId }) => `${type} ${lastEventId} ${data}`);

type CreateAdapter = (typeof ADAPTERS)[number][1];

/**
 * What is the transport's alone (noticing a flush with nobody sending, which
 * waits up to READ_BLOCK_MS; a restart from a snapshot) runs on one adapter
 * and delivery mode each; the reset and the events reaching the client run on
 * all four with the flush.
 */
const [EXPRESS_PIPELINE, , , FASTIFY_DIRECT] = ADAPTER_DELIVERY_CASES;

// Redis loses data (FLUSHALL; a restart without persistence is the same; or a
// restart from a snapshot older than what the instances read) while instance B
// only reads: it has a subscribed client and never publishes. B must notice the
// new history by itself, give its client one reset, and deliver the new
// history's events under the new epoch's ids, never an event under an old id.
// The test has a Redis of its own to flush and restart.
describeWithRedis(
  'Redis losing data, seen by an instance that never publishes',
  () => {
    let redis: RedisServerProcess;
    const clients = openedClients();
    let a: RunningApp;
    let b: RunningApp;

    beforeAll(async () => {
      redis = await RedisServerProcess.start({ snapshots: true });
    });
    afterAll(() => redis?.remove());

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
      const onB = await clients.connect(`${b.url}/feed`);
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
      'FLUSHALL, reader B on %s',
      (_name, createAdapter, delivery) => {
        twoInstances(createAdapter, delivery);

        it('gets one reset, then the sends made on A right after the flush, under new ids', async () => {
          const { onB, feed, oldEpoch } = await readerWith(3);
          await redis.command('FLUSHALL');
          // More sends than B had read: the new history's positions pass B's old cursor.
          for (let i = 1; i <= 8; i++) feed.send({ data: `after ${i}` });
          await onB.waitUntil(
            () => onB.events.some((event) => event.data === 'after 8'),
            'the last send to reach B',
          );

          // The new history's epoch, which A moved to when its send was refused under the old one.
          const epoch = a.app.get(SseTransport).epoch;
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

    describe.each([EXPRESS_PIPELINE])(
      'FLUSHALL, reader B on %s, nobody sending',
      (_name, createAdapter, delivery) => {
        twoInstances(createAdapter, delivery);

        it('gets its reset within READ_BLOCK_MS, then the new history', async () => {
          const { onB, feed, oldEpoch } = await readerWith(2);
          await redis.command('FLUSHALL');
          // The README's bound: a read returns at least every READ_BLOCK_MS, and reads the epoch.
          await onB.waitForEvent('reset', READ_BLOCK_MS + SLACK_MS);
          feed.send({ data: 'after 1' });
          feed.send({ data: 'after 2' });
          await onB.waitForEvents(5);

          const epoch = a.app.get(SseTransport).epoch;
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

    describe.each([FASTIFY_DIRECT])(
      'a restart from an older snapshot, reader B on %s',
      (_name, createAdapter, delivery) => {
        twoInstances(createAdapter, delivery);

        it('gets one reset, then the sends made after it under new ids, and a replay of the new history only', async () => {
          const { onB, feed, oldEpoch } = await readerWith(3);
          await redis.command('SAVE');
          for (let i = 1; i <= 4; i++) feed.send({ data: `lost ${i}` });
          await onB.waitForEvents(7);
          // Redis dies and comes back with the snapshot: positions 4 to 7 are gone, under the same epoch.
          await redis.stop();
          await redis.restart();
          for (let i = 1; i <= 8; i++) feed.send({ data: `after ${i}` });
          await onB.waitUntil(
            () => onB.events.some((event) => event.data === 'after 8'),
            'the last send to reach B',
          );

          const epoch = a.app.get(SseTransport).epoch;
          // The new history starts after the positions Redis kept (3).
          const newId = (i: number) => `${epoch}-${3 + i}`;
          expect(wire(onB.events)).toEqual([
            ...[1, 2, 3].map((i) => `message ${oldEpoch}-${i} before ${i}`),
            ...[1, 2, 3, 4].map(
              (i) => `message ${oldEpoch}-${3 + i} lost ${i}`,
            ),
            `reset ${epoch}-0 evicted`,
            ...Array.from(
              { length: 8 },
              (_, i) => `message ${newId(i + 1)} after ${i + 1}`,
            ),
          ]);
          expect(epoch).not.toBe(oldEpoch);
          // A client resuming from the reset is replayed the new history, nothing older.
          const resumed = await clients.connect(`${b.url}/feed`, {
            lastEventId: `${epoch}-0`,
          });
          await resumed.waitForEvents(8);
          expect(wire(resumed.events)).toEqual(wire(onB.events.slice(8)));
        });
      },
    );
  },
);
