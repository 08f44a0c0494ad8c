import {
  ChannelService,
  InMemoryTransport,
  SseTransport,
  type ReplayResult,
} from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A history that takes its time, as one kept in a remote store does: live events keep coming meanwhile. */
class SlowHistoryTransport extends InMemoryTransport {
  override async readAfter(
    names: readonly string[],
    position: number,
  ): Promise<ReplayResult> {
    await pause(Math.random() * 30);
    const result = await super.readAfter(names, position);
    await pause(Math.random() * 30);
    return result;
  }
}

describe.each(ADAPTERS)(
  'reconnecting while a channel is busy, with a slow history (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let producer: NodeJS.Timeout;

    beforeAll(async () => {
      running = await startApp(
        FeedModule.with({ retryMs: 20, transport: new SlowHistoryTransport() }),
        createAdapter,
      );
      expect(running.app.get(SseTransport)).toBeInstanceOf(
        SlowHistoryTransport,
      );
      // About 1 000 events a second, for as long as the suite runs.
      const ticks = running.app.get(ChannelService).channel('ticks');
      let n = 0;
      producer = setInterval(
        () => ticks.send({ type: 'a', data: String(n++) }),
        1,
      );
    });
    afterAll(async () => {
      clearInterval(producer);
      await running.close();
    });

    function ticksOf(client: SseTestClient): number[] {
      return client.events
        .filter((event) => event.type === 'a')
        .map((event) => Number(event.data));
    }

    function expectContiguous(ticks: number[]): void {
      const gaps = ticks.slice(1).filter((tick, i) => tick !== ticks[i] + 1);
      expect({ count: ticks.length, gaps: gaps.slice(0, 5) }).toEqual({
        count: ticks.length,
        gaps: [],
      });
    }

    it('has no gap and no duplicate across 15 reconnections made by the client', async () => {
      const received: number[] = [];
      let lastEventId: string | undefined;
      for (let run = 0; run < 15; run++) {
        const client = new SseTestClient(
          `${running.url}/feed?channels=ticks`,
          ['a', 'hello', 'reset'],
          lastEventId
            ? { headers: { 'Last-Event-ID': lastEventId } }
            : undefined,
        );
        await waitFor(
          () => ticksOf(client).length >= 20 + run * 3,
          `events in run ${run}`,
        );
        client.close();
        expect(client.events.some((event) => event.type === 'reset')).toBe(
          false,
        );
        received.push(...ticksOf(client));
        lastEventId = client.events[client.events.length - 1].lastEventId;
      }
      expectContiguous(received);
    });

    it('has no gap and no duplicate when the server drops the stream and EventSource reconnects by itself', async () => {
      const probe = running.app.get(ConnectionProbe);
      const client = new SseTestClient(
        `${running.url}/feed?channels=ticks&probe=dropped`,
        ['a', 'hello', 'reset'],
      );
      try {
        for (let run = 0; run < 10; run++) {
          const connection = await probe.get('dropped');
          // Each round drops a stream that is open and flowing.
          await waitFor(
            () => client.opens === run + 1,
            `stream ${run} to open`,
          );
          await waitFor(
            () => ticksOf(client).length >= 30 * (run + 1),
            `events before drop ${run}`,
          );
          probe.connections.delete('dropped');
          const raw = connection.request.raw ?? connection.request;
          raw.socket.destroy();
        }
        await waitFor(() => client.opens >= 11, 'the last reconnection');
        const count = ticksOf(client).length;
        await waitFor(
          () => ticksOf(client).length > count + 20,
          'live events after it',
        );
        expect(client.events.some((event) => event.type === 'reset')).toBe(
          false,
        );
        expectContiguous(ticksOf(client));
      } finally {
        client.close();
      }
    });
  },
);
