import {
  ClusterNodes,
  type ClusterNodeProcess,
} from '../support/cluster-node-process.js';
import { idOutOfOrder, silentGapIn } from '../support/received-sends.js';
import { describeWithRedis } from '../support/redis.js';
import type { SseTestClient } from '../../src/testing/index.js';
import { openedClients } from '../support/opened-clients.js';
import { waitForAsync } from '../support/wait-for.js';

// Three instances of one application, each its own process, on the machine's
// Redis: what one sends, every one delivers, and a client may come back to any.
describeWithRedis(
  'several instances over Redis: fan-out and resuming elsewhere',
  () => {
    const nodes = new ClusterNodes();
    const clients = openedClients();
    let a: ClusterNodeProcess;
    let b: ClusterNodeProcess;
    let c: ClusterNodeProcess;

    beforeAll(async () => {
      // B writes channel events straight to the sockets, A and C through Nest's
      // pipeline: the same event must read the same on both paths.
      const settings = nodes.settings();
      [a, b, c] = await Promise.all([
        nodes.start('A', settings),
        nodes.start('B', { ...settings, delivery: 'direct' }),
        nodes.start('C', settings),
      ]);
    }, 30_000);

    afterEach(() => clients.closeAll());

    afterAll(() => nodes.killAll());

    /** Resolves once every node counts `expected` subscribers of `channel` in all: each has joined everywhere. */
    async function subscribed(
      channel: string,
      expected: number,
    ): Promise<void> {
      for (const node of [a, b, c]) {
        const seen = `${expected} subscribers of ${channel} seen by ${node.name}`;
        await waitForAsync(
          async () => (await node.count(channel)).all === expected,
          seen,
        );
      }
    }

    it('delivers the sends of every instance to the clients of every instance, once each, in order, with the same ids', async () => {
      const everything = await Promise.all(
        [a, b, c].map((node) =>
          clients.connect(node.streamUrl('news', 'scores')),
        ),
      );
      const scoresOnly = await clients.connect(b.streamUrl('scores'));
      await subscribed('news', 3);
      await subscribed('scores', 4);

      // Two instances send to one channel at once, one of them to a second channel too.
      const [fromA, fromB, scores] = await Promise.all([
        a.send({ channel: 'news', prefix: 'a', count: 300 }),
        b.send({ channel: 'news', prefix: 'b', count: 200 }),
        a.send({ channel: 'scores', prefix: 's', count: 200 }),
      ]);
      for (const report of [fromA, fromB, scores])
        expect(report.refused).toEqual([]);

      await Promise.all(everything.map((client) => client.waitForEvents(700)));
      await scoresOnly.waitForEvents(200);

      for (const client of everything) {
        expect(
          silentGapIn(client.events, 'a', fromA.accepted, {
            afterReset: 'later-only',
          }),
        ).toBeUndefined();
        expect(
          silentGapIn(client.events, 'b', fromB.accepted, {
            afterReset: 'later-only',
          }),
        ).toBeUndefined();
        expect(
          silentGapIn(client.events, 's', scores.accepted, {
            afterReset: 'later-only',
          }),
        ).toBeUndefined();
        expect(client.dataOf('reset')).toEqual([]);
        expect(idOutOfOrder(client.events)).toBeUndefined();
        // One order of all events, whatever the instance: same data, same ids.
        expect(client.events).toEqual(everything[0].events);
      }
      expect(scoresOnly.events).toEqual(
        everything[0].events.filter((event) => event.data.startsWith('s:')),
      );
      // Nothing more arrived than was sent.
      expect(everything.map((client) => client.events.length)).toEqual([
        700, 700, 700,
      ]);
      expect(scoresOnly.events).toHaveLength(200);
    });

    it('resumes a client that reconnects to another instance with what it missed, then live events, without a reset', async () => {
      const first: SseTestClient = await clients.connect(a.streamUrl('room'));
      await subscribed('room', 1);
      const before = await c.send({ channel: 'room', prefix: 'r', count: 20 });
      await first.waitForEvents(20);
      first.close();
      await subscribed('room', 0);

      const missed = await c.send({ channel: 'room', prefix: 'r2', count: 30 });
      const lastEventId = first.events[first.events.length - 1].lastEventId;
      const second = await clients.connect(b.streamUrl('room'), {
        lastEventId,
      });
      await second.waitForEvents(30);
      await subscribed('room', 1);
      const live = await c.send({ channel: 'room', prefix: 'r3', count: 20 });
      await second.waitForEvents(50);

      expect(
        silentGapIn(first.events, 'r', before.accepted, {
          afterReset: 'later-only',
        }),
      ).toBeUndefined();
      expect(first.events).toHaveLength(20);
      expect(
        silentGapIn(second.events, 'r2', missed.accepted, {
          afterReset: 'later-only',
        }),
      ).toBeUndefined();
      expect(
        silentGapIn(second.events, 'r3', live.accepted, {
          afterReset: 'later-only',
        }),
      ).toBeUndefined();
      // The missed ones first, then the live ones: exactly what it had not seen, once each.
      expect(second.events.map((event) => event.data)).toEqual([
        ...missed.accepted.map((sequence) => `r2:${sequence}`),
        ...live.accepted.map((sequence) => `r3:${sequence}`),
      ]);
      expect(second.dataOf('reset')).toEqual([]);
      expect(idOutOfOrder([...first.events, ...second.events])).toBeUndefined();
      await second.waitUntil(
        () => second.opens === 1,
        'the resumed stream to be open',
      );
      expect(second.errors).toBe(0);
    });
  },
);
