import { ChannelService } from '../../src/sse/index.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { RawConnections } from '../support/raw-connections.js';
import { ADAPTERS, startApp } from '../support/test-app.js';
import { idAt } from '../support/positions.js';
import { IntervalTimers } from '../support/interval-timers.js';
import { statsOf } from '../support/stats.js';
import { waitFor } from '../support/wait-for.js';

/** The heartbeat period of the first test, which tells its timer from Nest's per-stream ones. */
const HEARTBEAT_MS = 60_000;
/** The drain of the shutdown test: its streams end spread over this many ms. */
const DRAIN_MS = 500;
/**
 * How long `app.close()` may take beyond the drain: the streams end as soon as
 * they are flushed, so a close that reaches it waited for its clients (the
 * module gives up on them only after 5 s).
 */
const CLOSE_SLACK_MS = 2500;

describe.each(ADAPTERS)(
  'connection lifecycle at scale (%s)',
  (_adapter, createAdapter) => {
    it('leaves nothing behind after 1 000 connections open and drop', async () => {
      const running = await startApp(
        ProbeModule.with({ heartbeatMs: HEARTBEAT_MS }),
        createAdapter,
      );
      const stats = statsOf(running.app);
      const channels = running.app.get(ChannelService);
      const clients = new RawConnections();
      // The heartbeat is one interval timer for every connection.
      const timers = new IntervalTimers();
      try {
        await clients.open(`${running.url}/probe/channels/static`, 500);
        await clients.open(
          `${running.url}/probe/channels/dynamic?join=gamma,delta`,
          500,
        );
        await waitFor(
          () => stats().connections.open === 1000,
          `1000 open connections (${stats().connections.open})`,
        );
        expect(channels.channel('alpha').count()).toBe(500);
        expect(channels.channel('delta').count()).toBe(500);
        expect(timers.running(HEARTBEAT_MS)).toBe(1);

        clients.destroyAll();
        await waitFor(
          () => stats().connections.open === 0,
          `every connection to be noticed gone (${stats().connections.open} left)`,
        );
        await waitFor(
          () => stats().connections.responding === 0,
          'every response to end',
        );
        expect(channels.names()).toEqual([]);
        expect(stats().channels).toEqual({});
        expect(channels.channel('alpha').count()).toBe(0);
        // Nor is any other: Nest's own per-stream timer ends with its stream.
        expect(timers.running()).toBe(0);
      } finally {
        timers.restore();
        clients.destroyAll();
        await running.close();
      }
    });

    it('app.close() ends 1 000 open streams and resolves promptly', async () => {
      const running = await startApp(
        ProbeModule.with({ shutdownDrainMs: DRAIN_MS }),
        createAdapter,
      );
      const stats = statsOf(running.app);
      const clients = new RawConnections();
      try {
        await clients.open(`${running.url}/probe/channels/static`, 1000);
        await waitFor(
          () => stats().connections.open === 1000,
          'every stream to open',
        );
        const id = idAt(running.app);
        const started = Date.now();
        await running.close();
        // The drain's length, and not the 5 s a shutdown waiting on its clients takes.
        expect(Date.now() - started).toBeLessThan(DRAIN_MS + CLOSE_SLACK_MS);
        await clients.until(
          () => clients.ended.every(Boolean),
          'every client to see its stream end',
        );
        expect(stats().connections.open).toBe(0);
        expect(
          clients.bodies.every((body) =>
            body.startsWith(`\nevent: ready\nid: ${id}\ndata: alpha,beta\n\n`),
          ),
        ).toBe(true);
      } finally {
        clients.destroyAll();
      }
    });
  },
);
