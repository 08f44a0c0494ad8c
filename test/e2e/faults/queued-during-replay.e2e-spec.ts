import { statsOf } from '../../support/stats.js';
import {
  ChannelService,
  InMemoryTransport,
  SseStats,
  type ReplayResult,
} from '../../../src/sse/index.js';
import { QueuesModule } from '../../fixtures/queues.module.js';
import { idAt } from '../../support/positions.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';
import { WaitingRequests } from '../../support/waiting-requests.js';

/**
 * A history read that answers when the test says, as one kept in a remote
 * store answers late: what it returns is what the history held when asked.
 */
class GatedHistoryTransport extends InMemoryTransport {
  reads = 0;
  private openGate!: () => void;
  private gate = new Promise<void>((resolve) => (this.openGate = resolve));

  override async readAfter(
    names: readonly string[],
    position: number,
  ): Promise<ReplayResult> {
    const result = await super.readAfter(names, position);
    this.reads++;
    await this.gate;
    return result;
  }

  open(): void {
    this.openGate();
  }
}

describe.each(ADAPTERS)(
  'live events that arrive while a replay is read (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let transport: GatedHistoryTransport;
    let client: WaitingRequests | undefined;

    beforeEach(async () => {
      transport = new GatedHistoryTransport();
      running = await startApp(
        QueuesModule.with({
          heartbeatMs: 0,
          history: { size: 100 },
          shutdownDrainMs: 0,
          transport,
        }),
        createAdapter,
      );
    });
    afterEach(async () => {
      client?.destroyAll();
      client = undefined;
      transport.open();
      await running.close();
    });

    const budget = () => statsOf(running.app)().pendingData.characters;
    const stats = () => running.app.get(SseStats).snapshot();
    const numbersIn = (body: string) =>
      [...body.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1]));

    /** Sends events `from`…`to` on `name`, of about `bytes` characters, keyed by `n % keys`. */
    function send(
      name: string,
      from: number,
      to: number,
      bytes = 1000,
      keys = Infinity,
    ) {
      const channel = running.app.get(ChannelService).channel(name);
      const padding = 'p'.repeat(bytes);
      for (let n = from; n <= to; n++)
        channel.send({ type: 'e', data: { key: `k${n % keys}`, n, padding } });
    }

    /** Resumes on `path` from before event 0, sent now, and waits until its replay is being read. */
    async function resume(path: string, name: string): Promise<void> {
      const lastEventId = idAt(running.app);
      send(name, 0, 0);
      client = new WaitingRequests(`${running.url}${path}`, 1, {
        'Last-Event-ID': lastEventId,
      });
      await waitFor(() => transport.reads === 1, 'the replay to be read');
    }

    it('counts them against maxPendingDataLength, and drops the client past it', async () => {
      await resume('/queues/backlog', 'backlog');
      send('backlog', 1, 200); // 200 KB, for a limit of 64 KiB

      expect(stats().droppedSlowClients).toBe(1);
      expect(budget()).toBe(0);
      await client!.until(
        () => client!.closed[0],
        'the client to be disconnected',
      );
    });

    it('counts them while the replay is read, then delivers them after it, in order', async () => {
      await resume('/queues/backlog', 'backlog');
      send('backlog', 1, 20);
      expect(budget()).toBeGreaterThan(20 * 1000);

      transport.open();
      await waitFor(
        () => numbersIn(client!.bodies[0]).includes(20),
        'the live events',
      );
      expect(numbersIn(client!.bodies[0])).toEqual(
        Array.from({ length: 21 }, (_, n) => n),
      );
      expect(budget()).toBe(0);
    });

    it('frees them when the client leaves during its replay', async () => {
      await resume('/queues/backlog', 'backlog');
      send('backlog', 1, 20);
      expect(budget()).toBeGreaterThan(20 * 1000);

      client!.destroyAll();
      await waitFor(
        () => stats().connections.open === 0,
        'the connection to be forgotten',
      );
      expect(budget()).toBe(0);
    });

    it('conflates them on a conflating endpoint: the replay, then the latest event per key', async () => {
      await resume('/queues/quotes', 'quotes');
      send('quotes', 1, 1000, 1000, 10); // 1 MB, for a limit of 64 KiB

      expect(stats().droppedSlowClients).toBe(0);
      expect(budget()).toBeLessThanOrEqual(10 * 1100);
      transport.open();
      await waitFor(
        () => numbersIn(client!.bodies[0]).includes(1000),
        'the last quote',
      );
      const numbers = numbersIn(client!.bodies[0]);
      // The replayed quote (key k0) may itself have waited, and been replaced by quote 1000.
      expect(numbers.filter((n) => n > 0)).toEqual([
        991, 992, 993, 994, 995, 996, 997, 998, 999, 1000,
      ]);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    });
  },
);
