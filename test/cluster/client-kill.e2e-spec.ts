import {
  onOwnRedis,
  type ClusterNodeProcess,
} from '../support/cluster-node-process.js';
import { idOutOfOrder, silentGapIn } from '../support/received-sends.js';
import { describeWithRedis } from '../support/redis.js';
import type { RedisServerProcess } from '../support/redis-server-process.js';
import type { SseTestClient } from '../../src/testing/index.js';
import { untilEvery, untilEveryReceives } from '../support/client-waits.js';
import { openedClients } from '../support/opened-clients.js';
import { waitForAsync } from '../support/wait-for.js';

const KILLS = 3;
/** Events every client must receive between two kills, so each kill lands while events flow. */
const EVENTS_BETWEEN_KILLS = 200;

// Redis drops the instances' connections while one of them sends about a
// thousand events a second. The test kills connections, so it has a Redis of
// its own: the machine's one serves other suites.
describeWithRedis('connections to Redis killed during sends', () => {
  const clients = openedClients();
  let redis: RedisServerProcess;
  let a: ClusterNodeProcess;
  let b: ClusterNodeProcess;
  onOwnRedis(['A', 'B'], {}, (cluster) => {
    ({
      redis,
      nodes: [a, b],
    } = cluster);
  });
  afterAll(() => clients.closeAll());

  /** Resolves once every client has received `count` more events than now. */
  function moreEvents(on: SseTestClient[], count: number): Promise<void> {
    const targets = on.map((client) => client.events.length + count);
    return untilEvery(
      on,
      (client) => client.events.length >= targets[on.indexOf(client)],
      `${count} more events on every client`,
    );
  }

  it('ends with every accepted event at every client, in order, or a reset and only later ones: never a silent gap', async () => {
    const watching = await Promise.all([
      clients.connect(a.streamUrl('ticker')),
      clients.connect(b.streamUrl('ticker')),
    ]);
    for (const node of [a, b]) {
      await waitForAsync(
        async () => (await node.count('ticker')).all === 2,
        `${node.name} to count both subscribers`,
      );
    }
    // Far more than will be made: the run is stopped once the kills are done.
    const sending = a.send({
      channel: 'ticker',
      prefix: 't',
      count: 1_000_000,
      ratePerSecond: 1000,
    });
    // Awaited below; until then, a failure must not also surface as an unhandled rejection.
    sending.catch(() => undefined);
    await moreEvents(watching, EVENTS_BETWEEN_KILLS);

    // The transport uses no Pub/Sub (each instance reads a stream with XREAD
    // BLOCK), so this kills none of its connections.
    expect(await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(0);

    for (let kill = 0; kill < KILLS; kill++) {
      // Both connections of both instances, including B's reader blocked in
      // XREAD and A's connection with sends under way; not the test's own.
      expect(
        await redis.command(
          'CLIENT',
          'KILL',
          'TYPE',
          'normal',
          'SKIPME',
          'yes',
        ),
      ).toBe(4);
      for (const node of [a, b]) {
        await waitForAsync(
          async () => (await node.health()).status === 'up',
          `${node.name} to reconnect`,
        );
      }
      await moreEvents(watching, EVENTS_BETWEEN_KILLS);
    }

    await a.stopSending('t');
    const report = await sending;
    expect(report.refused).toEqual([]);
    const last = `t:${report.accepted[report.accepted.length - 1]}`;
    await untilEveryReceives(watching, last);

    for (const client of watching) {
      expect(
        silentGapIn(client.events, 't', report.accepted, {
          afterReset: 'later-only',
        }),
      ).toBeUndefined();
      expect(idOutOfOrder(client.events)).toBeUndefined();
      // Redis kept its data: the streams never broke.
      expect([client.opens, client.errors]).toEqual([1, 0]);
    }
    for (const node of [a, b]) {
      expect(node.running).toBe(true);
      expect(node.output).not.toMatch(/unhandled/i);
    }
  });
});
