import { REDIS_MESSAGES } from '../../src/redis/redis.messages.js';
import { SseTransportError } from '../../src/sse/index.js';
import type { SendReport } from '../processes/paced-sends.js';
import {
  onOwnRedis,
  type ClusterNodeProcess,
} from '../support/cluster-node-process.js';
import { RawConnections } from '../support/raw-connections.js';
import { idOutOfOrder, silentGapIn } from '../support/received-sends.js';
import { describeWithRedis } from '../support/redis.js';
import type { RedisServerProcess } from '../support/redis-server-process.js';
import type { SseTestClient } from '../../src/testing/index.js';
import { untilEvery, untilEveryReceives } from '../support/client-waits.js';
import { openedClients } from '../support/opened-clients.js';
import { waitForAsync } from '../support/wait-for.js';

const MAX_QUEUED_SENDS = 50;
const HEARTBEAT_MS = 100;
/** How long Redis stays down, on purpose: the scenario is an outage of a few seconds. */
const OUTAGE_MS = 2500;
const HEARTBEAT = ': heartbeat\n\n';

/** What a refused send throws: Redis is unreachable and the queue is full. */
const REFUSAL = new SseTransportError(
  REDIS_MESSAGES.tooManyPending(
    REDIS_MESSAGES.notTakingUnreachable,
    MAX_QUEUED_SENDS,
    'feed',
  ),
).message;

const heartbeatsIn = (body: string) => body.split(HEARTBEAT).length - 1;
const epochOf = (id: string) => id.split('-')[0];

// Redis dies while two instances send, and comes back empty a few seconds
// later, as a Redis without persistence does after a restart. The test has a
// Redis of its own to kill.
describeWithRedis(
  'Redis down for a few seconds during sends, then back without its data',
  () => {
    const clients = openedClients();
    const raw = new RawConnections();
    let redis: RedisServerProcess;
    let a: ClusterNodeProcess;
    let b: ClusterNodeProcess;
    onOwnRedis(
      ['A', 'B'],
      { maxQueuedSends: MAX_QUEUED_SENDS, heartbeatMs: HEARTBEAT_MS },
      (cluster) =>
        ({
          redis,
          nodes: [a, b],
        } = cluster),
    );

    afterAll(() => {
      clients.closeAll();
      raw.destroyAll();
    });

    /** Resolves once every client has received `count` events of `prefix` after its last reset (if any). */
    function received(
      on: SseTestClient[],
      prefix: string,
      count: number,
    ): Promise<void> {
      const since = (client: SseTestClient) => {
        const lastReset = client.events
          .map((event) => event.type)
          .lastIndexOf('reset');
        return client.events
          .slice(lastReset + 1)
          .filter((event) => event.data.startsWith(`${prefix}:`)).length;
      };
      return untilEvery(
        on,
        (client) => since(client) >= count,
        `${count} events of ${prefix} on every client`,
      );
    }

    it('keeps streams open with heartbeats, queues then refuses sends, and delivers every queued send after a reset', async () => {
      const watching = await Promise.all([
        clients.connect(a.streamUrl('feed')),
        clients.connect(b.streamUrl('feed')),
      ]);
      // Raw streams show the heartbeat comments that EventSource hides.
      await raw.open(a.streamUrl('feed'), 1);
      await raw.open(b.streamUrl('feed'), 1);
      for (const node of [a, b]) {
        await waitForAsync(
          async () => (await node.count('feed')).all === 4,
          `${node.name} to count every subscriber`,
        );
      }
      // Runs far longer than the test: each is stopped once Redis is back.
      const sending = Promise.all([
        a.send({
          channel: 'feed',
          prefix: 'a',
          count: 1_000_000,
          ratePerSecond: 200,
        }),
        b.send({
          channel: 'feed',
          prefix: 'b',
          count: 1_000_000,
          ratePerSecond: 100,
        }),
      ]);
      // Awaited below; until then, a failure must not also surface as an unhandled rejection.
      sending.catch(() => undefined);
      await received(watching, 'a', 50);
      await received(watching, 'b', 20);
      const epochBefore = epochOf(watching[0].events[0].lastEventId);

      await redis.stop('SIGKILL');
      const stoppedAt = Date.now();
      // Every send made from now on can only have been queued: it must be delivered, or refused.
      const firstAfterStop = {
        a: (await a.progress('a')).attempted + 1,
        b: (await b.progress('b')).attempted + 1,
      };
      for (const node of [a, b]) {
        await waitForAsync(
          async () => (await node.health()).status === 'down',
          `${node.name} to report Redis down`,
        );
      }

      // While Redis is down: the queue fills up to its limit, then sends are refused with a clear error.
      for (const [node, prefix] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        await waitForAsync(
          async () => (await node.progress(prefix)).refused.length > 0,
          `${node.name} to refuse sends`,
        );
        const health = await node.health();
        expect(health).toEqual({
          status: 'down',
          queuedSends: MAX_QUEUED_SENDS,
          error: expect.any(String),
        });
        expect((await node.progress(prefix)).refusals).toEqual([REFUSAL]);
      }
      // What cannot be answered without Redis says so: counting on every
      // instance, and replaying to a client that comes back meanwhile (a reset).
      await expect(a.count('feed')).rejects.toThrow(
        /503: .*Could not count the subscribers of channel \\"feed\\" on every instance/,
      );
      const lastSeen =
        watching[1].events[watching[1].events.length - 1].lastEventId;
      // Its reset carries where the instance is: no earlier than what the client had.
      const comingBack = await clients.connect(b.streamUrl('feed'), {
        lastEventId: lastSeen,
      });
      await comingBack.waitForEvents(1);
      expect(
        comingBack.events.map(({ type, data }) => ({ type, data })),
      ).toEqual([{ type: 'reset', data: 'evicted' }]);
      expect(
        idOutOfOrder([
          watching[1].events[watching[1].events.length - 1],
          ...comingBack.events,
        ]),
      ).toBeUndefined();
      comingBack.close();
      // Heartbeats go on during the outage.
      const heartbeats = raw.bodies.map(heartbeatsIn);
      await raw.until(
        () =>
          raw.bodies.every(
            (body, i) => heartbeatsIn(body) >= heartbeats[i] + 5,
          ),
        'heartbeats during the outage',
      );
      // The outage lasts a few seconds on purpose; nothing is waited for here.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))),
      );
      for (const node of [a, b])
        expect((await node.health()).status).toBe('down');
      expect(raw.ended).toEqual([false, false]);
      expect(watching.map((client) => [client.opens, client.errors])).toEqual([
        [1, 0],
        [1, 0],
      ]);
      const lastBeforeRestart = {
        a: (await a.progress('a')).attempted,
        b: (await b.progress('b')).attempted,
      };

      await redis.restart();
      for (const node of [a, b]) {
        await waitForAsync(async () => {
          const health = await node.health();
          return health.status === 'up' && health.queuedSends === 0;
        }, `${node.name} to publish its queued sends`);
      }
      // Live sends after the restart reach everyone too.
      await received(watching, 'a', 100);
      await received(watching, 'b', 50);
      await Promise.all([a.stopSending('a'), b.stopSending('b')]);
      const [reportA, reportB] = await sending;

      for (const [report, prefix] of [
        [reportA, 'a'],
        [reportB, 'b'],
      ] as Array<[SendReport, 'a' | 'b']>) {
        const last = `${prefix}:${report.accepted[report.accepted.length - 1]}`;
        await untilEveryReceives(watching, last);
        // Sends made while Redis was down: up to the limit accepted, the rest refused.
        const duringOutage = (sequences: number[]) =>
          sequences.filter(
            (sequence) =>
              sequence >= firstAfterStop[prefix] &&
              sequence <= lastBeforeRestart[prefix],
          ).length;
        expect(duringOutage(report.accepted)).toBeGreaterThan(0);
        expect(duringOutage(report.accepted)).toBeLessThanOrEqual(
          MAX_QUEUED_SENDS,
        );
        expect(duringOutage(report.refused)).toBeGreaterThan(0);
        expect(report.refusals).toEqual([REFUSAL]);
        for (const client of watching) {
          // Redis lost what it held: a send it took just before dying may be lost
          // (the reset covers it) or, when its answer was lost, sent again in the
          // new history; every send made after it died is delivered, in order.
          const options = {
            afterReset: 'may-repeat',
            mustInclude: firstAfterStop[prefix],
          } as const;
          expect(
            silentGapIn(client.events, prefix, report.accepted, options),
          ).toBeUndefined();
        }
      }

      for (const client of watching) {
        // One reset, that starts the new history; the stream itself never broke.
        expect(client.dataOf('reset')).toEqual(['evicted']);
        const resetAt = client.events.findIndex(
          (event) => event.type === 'reset',
        );
        const epochAfter = epochOf(client.events[resetAt].lastEventId);
        expect(epochAfter).not.toBe(epochBefore);
        expect(client.events[resetAt].lastEventId).toBe(`${epochAfter}-0`);
        expect(
          new Set(
            client.events
              .slice(0, resetAt)
              .map((event) => epochOf(event.lastEventId)),
          ),
        ).toEqual(new Set([epochBefore]));
        expect(
          new Set(
            client.events
              .slice(resetAt + 1)
              .map((event) => epochOf(event.lastEventId)),
          ),
        ).toEqual(new Set([epochAfter]));
        expect(idOutOfOrder(client.events)).toBeUndefined();
        expect([client.opens, client.errors]).toEqual([1, 0]);
      }
      expect(raw.ended).toEqual([false, false]);
      for (const node of [a, b]) {
        expect(node.running).toBe(true);
        expect(node.output).not.toMatch(/unhandled/i);
      }
    });
  },
);
