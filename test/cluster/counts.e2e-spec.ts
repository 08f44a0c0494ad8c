import {
  ClusterNodes,
  type ClusterNodeProcess,
} from '../support/cluster-node-process.js';
import { describeWithRedis } from '../support/redis.js';
import { openedClients } from '../support/opened-clients.js';
import { waitForAsync } from '../support/wait-for.js';

/** Short, so a dead instance stops counting soon; the transport renews presence every third of it. */
const INSTANCE_TTL_MS = 1500;
/** Only turns a count that never converges into a failure; a loaded machine may be slow to answer. */
const MARGIN_MS = 3000;

// `countAll()` across instances that are separate processes: what it says
// while they run, after one is killed, and after one shuts down.
describeWithRedis('countAll across instances', () => {
  const nodes = new ClusterNodes();
  const clients = openedClients();

  afterEach(async () => {
    clients.closeAll();
    await nodes.killAll();
  });

  /** Opens `count` streams on `channel` at `node`. */
  function connect(node: ClusterNodeProcess, channel: string, count: number) {
    return Promise.all(
      Array.from({ length: count }, () =>
        clients.connect(node.streamUrl(channel)),
      ),
    );
  }

  async function countsSeen(nodesToAsk: ClusterNodeProcess[], channel: string) {
    return Promise.all(nodesToAsk.map((node) => node.count(channel)));
  }

  it('stops counting the subscribers of a killed instance within instanceTtlMs', async () => {
    const [a, b, c] = await nodes.startAll(
      ['A', 'B', 'C'],
      nodes.settings({ instanceTtlMs: INSTANCE_TTL_MS }),
    );
    await connect(a, 'lobby', 2);
    const onB = await connect(b, 'lobby', 3);
    await connect(c, 'lobby', 1);
    for (const node of [a, b, c]) {
      await waitForAsync(
        async () => (await node.count('lobby')).all === 6,
        `${node.name} to count 6 subscribers`,
      );
    }
    expect(await countsSeen([a, b, c], 'lobby')).toEqual([
      { local: 2, all: 6 },
      { local: 3, all: 6 },
      { local: 1, all: 6 },
    ]);

    b.kill('SIGKILL');
    expect(await b.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    // Its clients would keep trying the dead port.
    onB.forEach((client) => client.close());
    // B could not say it left: the others drop it once its presence expires.
    for (const node of [a, c]) {
      await waitForAsync(
        async () => (await node.count('lobby')).all === 3,
        `${node.name} to stop counting B's subscribers`,
        INSTANCE_TTL_MS + MARGIN_MS,
      );
    }
    expect(await countsSeen([a, c], 'lobby')).toEqual([
      { local: 2, all: 3 },
      { local: 1, all: 3 },
    ]);
  });

  it('exits by itself on SIGTERM, having closed its Redis connections and removed itself from the counts', async () => {
    // A long TTL: if the stopped instance stops counting at once, it removed itself.
    const settings = nodes.settings({ instanceTtlMs: 60_000 });
    const [d, e] = await nodes.startAll(['D', 'E'], settings);
    const onD = await connect(d, 'hall', 2);
    await connect(e, 'hall', 1);
    for (const node of [d, e]) {
      await waitForAsync(
        async () => (await node.count('hall')).all === 3,
        `${node.name} to count 3 subscribers`,
      );
    }

    d.kill('SIGTERM');
    // Code 0 and no signal: the node only closes the app on SIGTERM, so the
    // process ends only once nothing is left open (no Redis connection, no timer).
    expect(await d.exited(10_000)).toEqual({ code: 0, signal: null });
    onD.forEach((client) => client.close());
    expect(await e.count('hall')).toEqual({ local: 1, all: 1 });
    expect(d.errors).toBe('');
  });
});
