import { statsOf } from '../../support/stats.js';
import { ChannelService, SseStats } from '../../../src/sse/index.js';
import { QueuesModule } from '../../fixtures/queues.module.js';
import { retainedBytes } from '../../support/memory.js';
import { StalledReader } from '../../support/stalled-reader.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

const MB = 1024 * 1024;
const CLIENTS = 10;
const KEYS = 10;
const EVENTS = 10_000;

describe.each(ADAPTERS)(
  'conflating for stalled clients (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;

    beforeEach(async () => {
      running = await startApp(
        QueuesModule.with({
          heartbeatMs: 0,
          history: { size: 0 },
          shutdownDrainMs: 0,
        }),
        createAdapter,
      );
    });
    afterEach(() => running.close());

    it('frees what a newer event of the same key replaced: memory stays at one event per key per client', async () => {
      const stats = running.app.get(SseStats);
      const readers = await Promise.all(
        Array.from({ length: CLIENTS }, () =>
          StalledReader.open(`${running.url}/queues/quotes`),
        ),
      );
      try {
        await waitFor(
          () => stats.snapshot().connections.open === CLIENTS,
          'the stalled clients to connect',
        );
        const before = retainedBytes();
        const quotes = running.app.get(ChannelService).channel('quotes');
        const padding = 'q'.repeat(1000);
        for (let i = 0; i < EVENTS; i++) {
          quotes.send({
            type: 'quote',
            data: { key: `k${i % KEYS}`, value: i, padding },
          });
          // Lets the sockets write what they can, as a steady producer would.
          if (i % 10 === 9) await new Promise((r) => setImmediate(r));
        }
        const grown = retainedBytes() - before;

        expect(stats.snapshot().droppedSlowClients).toBe(0);
        // One waiting event per key per client, each about 1 KiB.
        expect(
          statsOf(running.app)().pendingData.characters,
        ).toBeLessThanOrEqual(CLIENTS * KEYS * 1100);
        // 10 MB were sent to each client; what stays is one event per key, and
        // what the sockets' own buffers hold: under 4 MB for the ten (README,
        // Delivery guarantees, Memory).
        expect(grown).toBeLessThan(4 * MB);
      } finally {
        for (const reader of readers) reader.destroy();
      }
    });
  },
);
