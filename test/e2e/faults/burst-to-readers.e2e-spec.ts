import {
  ChannelService,
  type SseStatsSnapshot,
} from '../../../src/sse/index.js';
import { SequenceReader } from '../../support/sequence-reader.js';
import { startFeedApp } from '../../support/feed-app.js';
import { ADAPTERS, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

const MB = 1024 * 1024;

/**
 * A burst is what an application sends in one synchronous loop (notify every
 * user, say): far more than a socket takes at once. It says nothing of how
 * fast a client reads, so no client that reads may be dropped for it, whatever
 * the per-client limit (256K characters on /firehose) and the budget (1M here).
 */
describe.each(ADAPTERS)(
  'bursts to reading clients (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let stats: () => SseStatsSnapshot;
    let channels: ChannelService;
    let readers: SequenceReader[] = [];

    beforeEach(async () => {
      ({ running, stats, channels } = await startFeedApp(createAdapter, {
        maxPendingDataTotal: 1 * MB,
      }));
    });
    afterEach(async () => {
      readers.forEach((reader) => reader.close());
      readers = [];
      await running.close();
    });

    /** Sends `count` events of about 1 KB, numbered from `from`, in one loop. */
    function burst(name: string, from: number, count: number): void {
      const padding = 'b'.repeat(1000);
      const channel = channels.channel(name);
      for (let i = from; i < from + count; i++)
        channel.send({ type: 'n', data: `${i}:${padding}` });
    }

    /** What the readers got of `count` events, and how many were dropped. */
    function outcome(count: number) {
      return {
        dropped: stats().droppedSlowClients,
        incomplete: SequenceReader.incomplete(readers, count),
      };
    }

    it('10 readers, 2 000 events of 1 KB in one loop (8 times their limit): every event, in order, none dropped', async () => {
      readers = SequenceReader.open(`${running.url}/firehose`, 10);
      await waitFor(
        () => stats().connections.open === 10,
        'the readers to connect',
      );

      burst('firehose', 0, 2000);
      await SequenceReader.waitForAll(readers, 2000);

      expect(outcome(2000)).toEqual({ dropped: 0, incomplete: { count: 0 } });
      expect(stats().connections.open).toBe(10);
      expect(stats().pendingData.characters).toBe(0);
    });

    it('50 readers, 200 events of 1 KB each in one loop (10 times the budget in all): every event, none dropped', async () => {
      readers = SequenceReader.open(`${running.url}/feed?channels=all`, 50);
      await waitFor(
        () => stats().connections.open === 50,
        'the readers to connect',
      );

      burst('all', 0, 200);
      await SequenceReader.waitForAll(readers, 200);

      expect(outcome(200)).toEqual({ dropped: 0, incomplete: { count: 0 } });
      expect(stats().connections.open).toBe(50);
    });

    it('one burst after another, each once the last arrived: every event, none dropped', async () => {
      readers = SequenceReader.open(`${running.url}/firehose`, 5);
      await waitFor(
        () => stats().connections.open === 5,
        'the readers to connect',
      );

      for (let round = 0; round < 3; round++) {
        burst('firehose', round * 600, 600);
        await SequenceReader.waitForAll(readers, (round + 1) * 600);
      }

      expect(outcome(1800)).toEqual({ dropped: 0, incomplete: { count: 0 } });
      expect(stats().connections.open).toBe(5);
    });
  },
);
