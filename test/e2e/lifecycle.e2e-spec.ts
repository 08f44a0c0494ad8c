import { ChannelService } from '../../src/sse/index.js';
import { ChannelRegistry } from '../../src/sse/channel.registry.js';
import { SseConnectionRegistry } from '../../src/sse/sse-connection.registry.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { RawConnections } from '../support/raw-connections.js';
import { ADAPTERS, startApp } from '../support/test-app.js';
import { idAt } from '../support/positions.js';
import { waitFor } from '../support/wait-for.js';

describe.each(ADAPTERS)(
  'connection lifecycle at scale (%s)',
  (_adapter, createAdapter) => {
    it('leaves nothing behind after 1 000 connections open and drop', async () => {
      const running = await startApp(
        ProbeModule.with({ heartbeatMs: 60_000 }),
        createAdapter,
      );
      const registry = running.app.get(SseConnectionRegistry);
      const channels = running.app.get(ChannelService);
      const channelRegistry = running.app.get(ChannelRegistry);
      const clients = new RawConnections();
      try {
        await clients.open(`${running.url}/probe/channels/static`, 500);
        await clients.open(
          `${running.url}/probe/channels/dynamic?join=gamma,delta`,
          500,
        );
        await waitFor(
          () => registry.size === 1000,
          `1000 open connections (${registry.size})`,
        );
        expect(channels.channel('alpha').count()).toBe(500);
        expect(channels.channel('delta').count()).toBe(500);
        expect(registry.heartbeatRunning).toBe(true);

        clients.destroyAll();
        await waitFor(
          () => registry.size === 0,
          `every connection to be noticed gone (${registry.size} left)`,
        );
        await waitFor(
          () => registry.respondingCount === 0,
          'every response to end',
        );
        expect(channelRegistry.names()).toEqual([]);
        expect(channels.channel('alpha').count()).toBe(0);
        expect(registry.heartbeatRunning).toBe(false);
      } finally {
        clients.destroyAll();
        await running.close();
      }
    });

    it('app.close() ends 1 000 open streams and resolves promptly', async () => {
      const running = await startApp(ProbeModule.with(), createAdapter);
      const registry = running.app.get(SseConnectionRegistry);
      const clients = new RawConnections();
      try {
        await clients.open(`${running.url}/probe/channels/static`, 1000);
        await waitFor(() => registry.size === 1000, 'every stream to open');
        const id = idAt(running.app);
        const started = Date.now();
        await running.close();
        // A generous bound that only catches a shutdown waiting on its clients.
        expect(Date.now() - started).toBeLessThan(10_000);
        await waitFor(
          () => clients.ended.every(Boolean),
          'every client to see its stream end',
        );
        expect(registry.size).toBe(0);
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
