import { statsOf } from '../../support/stats.js';
import {
  ChannelService,
  type SseStatsSnapshot,
} from '../../../src/sse/index.js';
import { FeedModule } from '../../fixtures/feed.module.js';
import { retainedMemory } from '../../support/memory.js';
import { SequenceReader } from '../../support/sequence-reader.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

const MB = 1024 * 1024;

/**
 * The history keeps one copy of each event, whatever the delivery: the wire
 * text written to the sockets (an HTTP chunk with `delivery: 'direct'`) is
 * not kept beside it once written.
 */
describe.each(ADAPTERS)('memory of history (%s)', (_adapter, createAdapter) => {
  let running: RunningApp;
  let stats: () => SseStatsSnapshot;
  let channels: ChannelService;
  let reader: SequenceReader | undefined;

  beforeEach(async () => {
    running = await startApp(
      FeedModule.with({ heartbeatMs: 0, shutdownDrainMs: 0 }),
      createAdapter,
    );
    stats = statsOf(running.app);
    channels = running.app.get(ChannelService);
  });
  afterEach(async () => {
    reader?.close();
    await running.close();
  });

  it('200 events of 100 KB delivered and kept in history: no memory outside the heap kept for them', async () => {
    reader = new SequenceReader(`${running.url}/feed?channels=big`);
    await waitFor(
      () => stats().connections.open === 1,
      'the reader to connect',
    );
    const big = channels.channel('big');
    const padding = 'h'.repeat(100 * 1024);
    const before = retainedMemory();

    // In rounds of 10 (1M characters), each once the last arrived: a memory
    // test, not a burst one (Nest's pipeline drops a reader when more than its
    // 4M limit waits in it).
    for (let i = 0; i < 200; i++) {
      big.send({ type: 'n', data: `${i}:${padding}` });
      if (i % 10 === 9) await SequenceReader.waitForAll([reader], i + 1);
    }
    const after = retainedMemory();

    expect(SequenceReader.incomplete([reader], 200)).toEqual({ count: 0 });
    // The history's 20 MB of data are strings, in the heap.
    expect(after.heap - before.heap).toBeGreaterThan(19 * MB);
    expect((after.external - before.external) / MB).toBeLessThan(1);
  });
});
