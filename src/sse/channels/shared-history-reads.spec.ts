import { jest } from '@jest/globals';
import type { ReplayResult } from '../transport/sse-transport.js';
import {
  MAX_SHARED_READS,
  SHARED_READ_MS,
  SharedHistoryReads,
  type HistorySource,
} from './shared-history-reads.js';

/** A history whose reads end when the test says, counting them. */
class ControlledSource implements HistorySource {
  epoch = 'e1';
  head = 5;
  readonly reads: Array<{
    finish: (result: ReplayResult) => void;
    fail: (error: Error) => void;
  }> = [];

  readAfter(): Promise<ReplayResult> {
    return new Promise((finish, fail) => this.reads.push({ finish, fail }));
  }
}

describe('SharedHistoryReads', () => {
  let source: ControlledSource;
  let reads: SharedHistoryReads;
  beforeEach(() => {
    jest.useFakeTimers();
    source = new ControlledSource();
    reads = new SharedHistoryReads(source);
  });
  afterEach(() => jest.useRealTimers());

  it('serves one read to every client asking the same while the head stays, under way or done', async () => {
    const first = reads.readAfter(['orders'], 2);
    expect(reads.readAfter(['orders'], 2)).toBe(first);
    source.reads[0].finish({ events: [] });
    expect(await first).toEqual({ events: [] });
    jest.advanceTimersByTime(SHARED_READ_MS - 1);
    expect(reads.readAfter(['orders'], 2)).toBe(first);
    expect(source.reads).toHaveLength(1);
  });

  it(`lets go of every read ${SHARED_READ_MS} ms after the first was kept, even if nobody asks again`, () => {
    reads.readAfter(['orders'], 2);
    reads.readAfter(['stock'], 2);
    jest.advanceTimersByTime(SHARED_READ_MS);
    expect(reads.size).toBe(0);
    reads.readAfter(['orders'], 2);
    expect(source.reads).toHaveLength(3);
  });

  it('reads again for other channels, another position, another epoch', () => {
    reads.readAfter(['orders'], 2);
    reads.readAfter(['orders', 'stock'], 2);
    reads.readAfter(['orders'], 3);
    source.epoch = 'e2';
    reads.readAfter(['orders'], 2);
    expect(source.reads).toHaveLength(4);
  });

  it('forgets every read once the head moves: a client that joined since may have missed what moved it', () => {
    reads.readAfter(['orders'], 2);
    reads.readAfter(['stock'], 2);
    source.head = 6;
    reads.readAfter(['orders'], 2);
    expect(source.reads).toHaveLength(3);
    expect(reads.size).toBe(1);
  });

  it('does not share a failed read with the clients that come after it', async () => {
    const failed = reads.readAfter(['orders'], 2);
    const sharing = reads.readAfter(['orders'], 2);
    source.reads[0].fail(new Error('Redis is unreachable'));
    await expect(failed).rejects.toThrow('Redis is unreachable');
    await expect(sharing).rejects.toThrow('Redis is unreachable');
    reads.readAfter(['orders'], 2);
    expect(source.reads).toHaveLength(2);
  });

  it(`keeps at most ${MAX_SHARED_READS} reads`, () => {
    for (let i = 0; i < MAX_SHARED_READS + 10; i++) reads.readAfter(['c'], i);
    expect(reads.size).toBe(MAX_SHARED_READS);
    // A read past the bound is made, not kept.
    reads.readAfter(['c'], MAX_SHARED_READS + 5);
    expect(source.reads).toHaveLength(MAX_SHARED_READS + 11);
  });
});
