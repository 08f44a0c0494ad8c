import { jittered } from './reconnect-jitter.js';

/** A stream the drain ends, as far as it needs one. */
export interface DrainedStream {
  /** Tells the browser how long to wait before it reconnects. */
  hintRetry(retryMs: number): void;
  /** Ends the stream once what is queued for it is written. */
  close(): void;
}

/**
 * Twenty slices spread the reconnections finely enough (a thousand streams
 * end fifty at a time) with one timer firing twenty times, whatever the
 * number of streams.
 */
export const DRAIN_SLICES = 20;

/**
 * Ends `streams` on shutdown without sending every browser back at once (to
 * the other instances): each gets a `retry:` hint jittered from `retryMs`,
 * then they are closed in random order, in equal slices spread over
 * `windowMs`, the first slice at once. Resolves once the last is closed.
 */
export function drainStreams(
  streams: Iterable<DrainedStream>,
  retryMs: number,
  windowMs: number,
): Promise<void> {
  const shuffled = shuffle([...streams]);
  for (const stream of shuffled) stream.hintRetry(jittered(retryMs));
  return closeSpreadOver(shuffled, windowMs);
}

/**
 * Closes `streams` (already in random order) in equal slices spread over
 * `windowMs`, the first at once, with one timer: one stream ends at once, and
 * a thousand end over the whole window.
 */
function closeSpreadOver(
  streams: DrainedStream[],
  windowMs: number,
): Promise<void> {
  const slices = Math.min(streams.length, DRAIN_SLICES);
  let closed = 0;
  let slice = 0;
  const closeNextSlice = () => {
    slice++;
    const until = Math.round((streams.length * slice) / slices);
    for (; closed < until; closed++) streams[closed].close();
  };
  if (windowMs === 0 || slices <= 1) {
    streams.forEach((stream) => stream.close());
    return Promise.resolve();
  }
  closeNextSlice();
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      closeNextSlice();
      if (slice >= slices) {
        clearInterval(timer);
        resolve();
      }
    }, windowMs / slices);
  });
}

/** Shuffles `items` in place (Fisher-Yates), and returns them. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
