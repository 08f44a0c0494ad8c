import {
  ChannelService,
  type SseStatsSnapshot,
} from '../../../src/sse/index.js';
import { idAt } from '../../support/positions.js';
import { readRaw } from '../../support/raw-stream.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { retainedMemory } from '../../support/memory.js';
import { SequenceReader } from '../../support/sequence-reader.js';
import { StalledReader } from '../../support/stalled-reader.js';
import { startFeedApp } from '../../support/feed-app.js';
import { ADAPTERS, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

const MB = 1024 * 1024;

/**
 * A client that missed more than its pending-data limit (256K characters on
 * /firehose), all of it still in history, reconnects: the replay goes out as
 * fast as its socket takes it, and is not held against it.
 */
describe.each(ADAPTERS)(
  'replays larger than the per-client limit (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let stats: () => SseStatsSnapshot;
    let channels: ChannelService;
    let readers: SequenceReader[] = [];
    let logger: RecordingLogger;

    beforeEach(async () => {
      logger = new RecordingLogger();
      ({ running, stats, channels } = await startFeedApp(
        createAdapter,
        { maxPendingDataTotal: 1 * MB, retryMs: 1000 },
        (app) => app.useLogger(logger),
      ));
    });
    afterEach(async () => {
      readers.forEach((reader) => reader.close());
      readers = [];
      await running.close();
    });

    /** Sends `count` events of about `size` bytes, numbered from `from`, in one loop. */
    function send(from: number, count: number, size = 5000): void {
      const padding = 'r'.repeat(size);
      const firehose = channels.channel('firehose');
      for (let i = from; i < from + count; i++)
        firehose.send({ type: 'n', data: `${i}:${padding}` });
    }

    it('replays 1 000 missed events of 5 KB (20 times the limit) in order, then the live ones, with no drop and no reset', async () => {
      const missedFrom = idAt(running.app);
      send(0, 1000);

      readers = [
        new SequenceReader(`${running.url}/firehose`, 0, missedFrom),
        new SequenceReader(`${running.url}/firehose`, 0, missedFrom),
      ];
      await SequenceReader.waitForAll(readers, 1000);
      send(1000, 10);
      await SequenceReader.waitForAll(readers, 1010);

      expect({
        dropped: stats().droppedSlowClients,
        incomplete: SequenceReader.incomplete(readers, 1010),
        others: readers.flatMap((reader) => reader.others),
      }).toEqual({ dropped: 0, incomplete: { count: 0 }, others: [] });
      expect(stats().connections.open).toBe(2);
      await waitFor(
        () => stats().pendingData.characters === 0,
        'nothing to wait',
      );
    });

    // What waits for the client when its replay is handed over (here its
    // retry hint; with direct delivery, the replay is read before Nest has
    // written the headers) goes first, and the replay is still not counted.
    it('writes the retry hint first, with the id it resumed from, then a replay of 300 events of 5 KB (6 times the limit), in order, with no drop', async () => {
      const missedFrom = idAt(running.app);
      send(0, 300);

      const raw = await readRaw(`${running.url}/firehose`, {
        headers: { 'Last-Event-ID': missedFrom },
        until: (body) => body.slice(-6000).includes('data: 299:'),
      });

      const frames = raw.body.replace(/^\n/, '').split('\n\n').slice(0, -1);
      expect(frames[0]).toMatch(new RegExp(`^id: ${missedFrom}\nretry: \\d+$`));
      expect(
        frames.slice(1).map((frame) => Number(/data: (\d+):/.exec(frame)?.[1])),
      ).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(stats().droppedSlowClients).toBe(0);
    });

    it('5 clients that reconnect and stop reading: their replays (10 MB each) are written as their sockets take them, not held in memory', async () => {
      const missedFrom = idAt(running.app);
      send(0, 1000, 10_000);
      const url = `${running.url}/firehose?lastEventId=${missedFrom}`;
      const before = retainedMemory();
      const stalled: StalledReader[] = [];
      try {
        // One at a time: each replay starts in a turn of its own.
        for (let i = 0; i < 5; i++) {
          stalled.push(await StalledReader.open(url));
          await waitFor(
            () => stats().replays.count === i + 1,
            'its replay to start',
          );
        }
        const held = retainedMemory();

        // What the kernel took is outside the process; the rest of a replay
        // written at once (about 9.6 MB each, measured) would be here.
        expect((held.external - before.external) / MB).toBeLessThan(3);
        expect(stats().droppedSlowClients).toBe(0);
      } finally {
        stalled.forEach((reader) => reader.destroy());
      }
    });

    it('drops a client that stops reading during its replay once what waits behind it passes its limit, saying its replay was under way', async () => {
      const missedFrom = idAt(running.app);
      send(0, 1000, 10_000);
      const stalled = await StalledReader.open(
        `${running.url}/firehose?lastEventId=${missedFrom}`,
      );
      try {
        await waitFor(() => stats().replays.count === 1, 'its replay to start');
        // 300K characters of live events behind the replay, for a 256K limit.
        send(1000, 30, 10_000);

        await waitFor(
          () => stats().droppedSlowClients === 1,
          'the client to be dropped',
        );
        expect(logger.at('warn')).toEqual([
          expect.stringMatching(
            / whose replay was under way .* past the connection limit/,
          ),
        ]);
        expect(stats().pendingData.characters).toBe(0);
      } finally {
        stalled.destroy();
      }
    });
  },
);
