import {
  ChannelService,
  InMemoryTransport,
  SseTransport,
  type ReplayResult,
} from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

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

    /**
     * `ticks` has no gap and no duplicate (each is one more than the one
     * before), and holds at least `atLeast` of them: all the test waited for.
     */
    function expectContiguous(ticks: number[], atLeast: number): void {
      const gaps = ticks
        .map((tick, i) => ({ after: ticks[i - 1], tick }))
        .filter(({ after, tick }, i) => i > 0 && tick !== after + 1);
      expect(gaps.slice(0, 5)).toEqual([]);
      expect(ticks.length).toBeGreaterThanOrEqual(atLeast);
    }

    it('has no gap and no duplicate across 15 reconnections made by the client', async () => {
      const received: number[] = [];
      let waitedFor = 0;
      let client = await SseTestClient.connect(
        running.url,
        '/feed?channels=ticks',
        { timeoutMs: 10_000 },
      );
      for (let run = 0; run < 15; run++) {
        if (run > 0) client = await client.reconnect();
        await client.waitForEvents(20 + run * 3, 'a');
        waitedFor += 20 + run * 3;
        client.close();
        expect(client.dataOf('reset')).toEqual([]);
        received.push(...ticksOf(client));
      }
      expectContiguous(received, waitedFor);
    });

    it('has no gap and no duplicate when the server drops the stream and EventSource reconnects by itself', async () => {
      const probe = running.app.get(ConnectionProbe);
      const client = await SseTestClient.connect(
        running.url,
        '/feed?channels=ticks&probe=dropped',
        { reconnect: true, timeoutMs: 10_000 },
      );
      try {
        for (let run = 0; run < 10; run++) {
          const connection = await probe.get('dropped');
          // Each round drops a stream that is open and flowing.
          await client.waitUntil(
            () => client.opens === run + 1,
            `stream ${run} to open`,
          );
          await client.waitForEvents(30 * (run + 1), 'a');
          probe.connections.delete('dropped');
          const raw = connection.request.raw ?? connection.request;
          raw.socket.destroy();
        }
        await client.waitForOpen(11);
        const count = ticksOf(client).length;
        await client.waitForEvents(count + 21, 'a');
        expect(client.dataOf('reset')).toEqual([]);
        expectContiguous(ticksOf(client), count + 21);
      } finally {
        client.close();
      }
    });
  },
);
