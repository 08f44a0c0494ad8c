import { statsOf } from '../../support/stats.js';
import { ChannelService, SseStats } from '../../../src/sse/index.js';
import { HandlerGate, QueuesModule } from '../../fixtures/queues.module.js';
import { retainedBytes } from '../../support/memory.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';
import { WaitingRequests } from '../../support/waiting-requests.js';

const MB = 1024 * 1024;
const CLIENTS = 10;

describe.each(ADAPTERS)(
  'events sent before an async handler resolves (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let clients: WaitingRequests | undefined;

    async function start(maxPendingDataTotal?: number): Promise<void> {
      running = await startApp(
        QueuesModule.with({
          heartbeatMs: 0,
          history: { size: 0 },
          shutdownDrainMs: 0,
          maxPendingDataTotal,
        }),
        createAdapter,
      );
    }
    afterEach(async () => {
      clients?.destroyAll();
      clients = undefined;
      await running.close();
    });

    /** Opens `CLIENTS` requests to `path` and waits until every handler waits at the gate. */
    async function openWaiting(path: string): Promise<void> {
      clients = new WaitingRequests(`${running.url}${path}`, CLIENTS);
      const gate = running.app.get(HandlerGate);
      await waitFor(
        () => gate.waiting === CLIENTS,
        'the handlers to wait at the gate',
      );
    }

    /** Sends `count` events of about `bytes` characters on `name`, numbered, keyed by `i % keys`. */
    function send(name: string, count: number, bytes: number, keys = count) {
      const channel = running.app.get(ChannelService).channel(name);
      const padding = 'p'.repeat(bytes);
      for (let i = 0; i < count; i++)
        channel.send({
          type: 'e',
          data: { key: `k${i % keys}`, n: i, padding },
        });
    }

    const budget = () => statsOf(running.app)().pendingData.characters;
    const stats = () => running.app.get(SseStats).snapshot();

    it('drops a client once what waits for it passes maxPendingDataLength, and keeps no memory for it', async () => {
      await start();
      await openWaiting('/queues/gated');
      const before = retainedBytes();
      send('backlog', 2000, 10_000); // 20 MB, for a limit of 64 KiB each

      expect(stats().droppedSlowClients).toBe(CLIENTS);
      expect(budget()).toBe(0);
      await clients!.until(
        () => clients!.closed.every(Boolean),
        'the dropped clients to be disconnected',
      );
      expect(retainedBytes() - before).toBeLessThan(2 * MB);
    });

    it('counts what waits against maxPendingDataTotal; the clients kept get every event once the handler resolves', async () => {
      await start(100_000);
      await openWaiting('/queues/gated');
      let budgetPeak = 0;
      const channel = running.app.get(ChannelService).channel('backlog');
      for (let i = 0; i < 5; i++) {
        channel.send({ type: 'e', data: `${i}:${'p'.repeat(10_000)}` });
        budgetPeak = Math.max(budgetPeak, budget());
      }
      expect(budgetPeak).toBeLessThanOrEqual(100_000);
      const dropped = stats().droppedSlowClients;
      expect(dropped).toBeGreaterThan(0);
      expect(dropped).toBeLessThan(CLIENTS);

      running.app.get(HandlerGate).open();
      const kept = () =>
        clients!.bodies.filter((_body, i) => !clients!.closed[i]);
      await waitFor(
        () =>
          kept().length === CLIENTS - dropped &&
          kept().every((body) => body.includes('data: 4:')),
        'the clients kept to receive the five events',
      );
      for (const body of kept())
        expect([...body.matchAll(/data: (\d):/g)].map((m) => m[1])).toEqual([
          '0',
          '1',
          '2',
          '3',
          '4',
        ]);
      expect(budget()).toBe(0);
    });

    it('conflates what waits on a conflating endpoint: the latest event per key once the handler resolves', async () => {
      await start();
      await openWaiting('/queues/gated-conflating');
      send('quotes', 1000, 1000, 10); // 1 MB each, for a limit of 64 KiB

      expect(stats().droppedSlowClients).toBe(0);
      expect(budget()).toBeLessThanOrEqual(CLIENTS * 10 * 1100);
      running.app.get(HandlerGate).open();
      await clients!.until(
        () => clients!.bodies.every((body) => body.includes('"n":999')),
        'the last quote to arrive',
      );
      for (const body of clients!.bodies)
        expect(
          [...body.matchAll(/"n":(\d+)/g)].map((m) => Number(m[1])),
        ).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    });

    it('frees what waited for a client that left before its handler resolved', async () => {
      await start();
      await openWaiting('/queues/gated-roomy');
      const before = retainedBytes();
      send('backlog', 500, 10_000); // 5 MB, waiting for each of the ten
      expect(budget()).toBeGreaterThan(CLIENTS * 500 * 10_000);

      clients!.destroyAll();
      await waitFor(
        () => stats().connections.open === 0,
        'the connections to be forgotten',
      );
      expect(budget()).toBe(0);
      // The handlers still wait, holding their connections: not what was queued for them.
      expect(retainedBytes() - before).toBeLessThan(1 * MB);
    });
  },
);
