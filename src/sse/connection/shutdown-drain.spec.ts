import { jest } from '@jest/globals';
import { DRAIN_SLICES, drainStreams } from './shutdown-drain.js';
import { jittered } from './reconnect-jitter.js';

/** A stream that records when it was hinted and closed, in fake time. */
class FakeStream {
  hint: number | undefined;
  closedAt: number | undefined;
  constructor(readonly name: number) {}
  hintRetry(retryMs: number): void {
    this.hint = retryMs;
  }
  close(): void {
    this.closedAt = Date.now();
  }
}

describe('jittered', () => {
  afterEach(() => jest.restoreAllMocks());

  it('draws between the delay and 1.5 times it', () => {
    const random = jest.spyOn(Math, 'random');
    random.mockReturnValue(0);
    expect(jittered(2000)).toBe(2000);
    random.mockReturnValue(0.5);
    expect(jittered(2000)).toBe(2500);
    random.mockReturnValue(0.999999);
    expect(jittered(2000)).toBe(3000);
  });
});

describe('drainStreams', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('hints every stream with a jittered retry, then closes them in equal slices over the window, the first at once', async () => {
    const streams = Array.from({ length: 1000 }, (_, i) => new FakeStream(i));
    const drained = drainStreams(streams, 2000, 2000);

    const hints = streams.map((stream) => stream.hint!);
    expect(Math.min(...hints)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...hints)).toBeLessThanOrEqual(3000);
    // Jittered: not one delay for every browser.
    expect(new Set(hints).size).toBeGreaterThan(100);

    const closedBy = (ms: number) =>
      streams.filter(
        (stream) => stream.closedAt !== undefined && stream.closedAt <= ms,
      ).length;
    const slice = 2000 / DRAIN_SLICES;
    expect(closedBy(0)).toBe(1000 / DRAIN_SLICES);
    jest.advanceTimersByTime(slice);
    expect(closedBy(slice)).toBe((2 * 1000) / DRAIN_SLICES);
    jest.advanceTimersByTime(2000 - 2 * slice - 1);
    expect(closedBy(2000)).toBe(1000 - 1000 / DRAIN_SLICES);
    jest.advanceTimersByTime(1);
    await drained;
    expect(closedBy(2000)).toBe(1000);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('closes them in random order', () => {
    const streams = Array.from({ length: 100 }, (_, i) => new FakeStream(i));
    void drainStreams(streams, 1000, 2000);
    const firstSlice = streams.filter((stream) => stream.closedAt === 0);
    expect(firstSlice).toHaveLength(5);
    // Five in a row from the start would be one chance in millions.
    expect(firstSlice.map((stream) => stream.name)).not.toEqual([
      0, 1, 2, 3, 4,
    ]);
    jest.runAllTimers();
  });

  it('closes a few streams in as many slices, and all at once without a window', async () => {
    const three = Array.from({ length: 3 }, (_, i) => new FakeStream(i));
    const drained = drainStreams(three, 1000, 3000);
    expect(three.filter((stream) => stream.closedAt === 0)).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    expect(three.filter((stream) => stream.closedAt === 1000)).toHaveLength(1);
    jest.advanceTimersByTime(1000);
    await drained;
    expect(three.every((stream) => stream.closedAt !== undefined)).toBe(true);

    const now = Array.from({ length: 50 }, (_, i) => new FakeStream(i));
    const start = Date.now();
    await drainStreams(now, 1000, 0);
    expect(now.every((stream) => stream.closedAt === start)).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});
