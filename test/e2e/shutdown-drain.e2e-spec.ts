import { statsOf } from '../support/stats.js';
import { ChannelService } from '../../src/sse/index.js';
import { HandlerRuns } from '../fixtures/probe.controller.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { idAt } from '../support/positions.js';
import { RawConnections } from '../support/raw-connections.js';
import { readRaw } from '../support/raw-stream.js';
import { ADAPTERS, startApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const DRAIN_MS = 800;
/** Only catches a shutdown that hangs, or waits for its clients. */
const SHUTDOWN_BOUND_MS = DRAIN_MS + 5000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

describe.each(ADAPTERS)(
  'the shutdown drain (%s)',
  (_adapter, createAdapter) => {
    it.each([
      [1000, 'no retryMs', undefined, 3000],
      [200, 'retryMs: 1000', 1000, 1000],
    ] as const)(
      'ends %i open streams (%s) over shutdownDrainMs, each with a jittered retry hint last',
      async (count, _case, retryMs, base) => {
        const running = await startApp(
          ProbeModule.with({
            shutdownDrainMs: DRAIN_MS,
            retryMs,
            heartbeatMs: 60_000,
          }),
          createAdapter,
        );
        const stats = statsOf(running.app);
        const clients = new RawConnections();
        try {
          const opened = idAt(running.app);
          await clients.open(
            `${running.url}/probe/channels/dynamic?join=news`,
            count,
          );
          await waitFor(
            () => stats().connections.open === count,
            `every stream to open (${stats().connections.open})`,
          );
          expect(
            running.app
              .get(ChannelService)
              .channel('news')
              .send({ type: 'update', data: 'before shutdown' }),
          ).toBe(count);
          await clients.until(
            () =>
              clients.bodies.every((body) =>
                body.includes('data: before shutdown\n\n'),
              ),
            'every client to receive the last event',
          );
          const sent = idAt(running.app);

          const started = Date.now();
          await running.close();
          const took = Date.now() - started;
          expect(took).toBeLessThan(SHUTDOWN_BOUND_MS);
          await clients.until(
            () => clients.ended.every(Boolean),
            `every stream to end (${clients.ended.filter(Boolean).length} did)`,
          );
          expect(stats().connections.open).toBe(0);

          // Exact bytes: the stream as it was, then `retry:` as the very last thing.
          const opening =
            retryMs === undefined ? '' : `\nid: ${opened}\nretry: (\\d+)\n`;
          const expected = new RegExp(
            `^${opening}\nevent: ready\nid: ${opened}\ndata: news\n\n` +
              `event: update\nid: ${sent}\ndata: before shutdown\n\n` +
              `id: ${sent}\nretry: (\\d+)\n\n$`,
          );
          const hints = clients.bodies.map((body, i) => {
            const match = expected.exec(body);
            if (!match)
              throw new Error(`stream ${i} received ${JSON.stringify(body)}`);
            return Number(match[match.length - 1]);
          });
          expect(Math.min(...hints)).toBeGreaterThanOrEqual(base);
          expect(Math.max(...hints)).toBeLessThanOrEqual(base * 1.5);
          // Jittered: not every client comes back after the same delay.
          expect(new Set(hints).size).toBeGreaterThan(1);

          // Spread over the window rather than all at once.
          const ends = clients.endedAt
            .map((at) => at - started)
            .sort((a, b) => a - b);
          const spread = percentile(ends, 0.9) - percentile(ends, 0.1);
          expect(spread).toBeGreaterThanOrEqual(DRAIN_MS / 3);
        } finally {
          clients.destroyAll();
        }
      },
    );

    it('refuses a connection attempted while shutdown drains, instead of giving it a stream', async () => {
      const running = await startApp(
        ProbeModule.with({ shutdownDrainMs: DRAIN_MS, heartbeatMs: 60_000 }),
        createAdapter,
      );
      const stats = statsOf(running.app);
      const runs = running.app.get(HandlerRuns);
      const clients = new RawConnections();
      let closing: Promise<void> | undefined;
      try {
        await clients.open(
          `${running.url}/probe/channels/dynamic?join=news`,
          50,
        );
        await waitFor(
          () => stats().connections.open === 50,
          `every stream to open (${stats().connections.open})`,
        );
        expect(runs.count).toBe(50);

        closing = running.close();
        await clients.until(
          () => clients.ended.some(Boolean),
          'the drain to end a first stream',
        );
        expect(clients.ended.every(Boolean)).toBe(false);

        const refused = await readRaw(
          `${running.url}/probe/channels/dynamic?join=news`,
        );
        expect(refused.status).toBe(200);
        expect(refused.headers['content-type']).toMatch(
          /^text\/event-stream\b/,
        );
        expect(refused.ended).toBe(true);
        const match =
          /^retry: (\d+)\n: the application is shutting down\n\n$/.exec(
            refused.body,
          );
        expect(match).not.toBeNull();
        expect(Number(match![1])).toBeGreaterThanOrEqual(3000);
        expect(Number(match![1])).toBeLessThanOrEqual(4500);
        expect(runs.count).toBe(50);
        expect(stats().refusedConnections).toBe(1);

        await closing;
        await clients.until(
          () => clients.ended.every(Boolean),
          'every stream to end',
        );
        expect(stats().connections.open).toBe(0);
      } finally {
        clients.destroyAll();
        await (closing ?? running.close());
      }
    });
  },
);
