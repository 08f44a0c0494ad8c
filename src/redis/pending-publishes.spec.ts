import { SseTransportError } from '../sse/index.js';
import { jest } from '@jest/globals';
import {
  NOT_ANSWERING_MS,
  PendingPublishes,
  type QueuedSend,
} from './pending-publishes.js';

/** A Redis stand-in that takes what `accept` says, and records every batch it was handed. */
function fakeRedis(accept: (batch: readonly QueuedSend[]) => number) {
  const batches: Array<readonly QueuedSend[]> = [];
  const taken: QueuedSend[] = [];
  const publish = async (batch: readonly QueuedSend[]) => {
    batches.push(batch);
    const count = accept(batch);
    taken.push(...batch.slice(0, count));
    return count;
  };
  return { batches, taken, publish };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
/** Redis takes sends. */
const taking = () => undefined;
const unreachable = () => 'Redis is unreachable';

describe('PendingPublishes', () => {
  it('hands sends made in one turn to Redis as one batch, in order, numbered', async () => {
    const redis = fakeRedis((batch) => batch.length);
    const pending = new PendingPublishes(100, redis.publish, taking);
    for (let i = 0; i < 20; i++) pending.push('c', `e${i}`);
    await settle();
    expect(redis.batches).toHaveLength(1);
    expect(redis.taken.map((send) => [send.sequence, send.payload])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i + 1, `e${i}`]),
    );
    expect(pending.size).toBe(0);
  });

  it('keeps what Redis did not take, in order, and hands it again on the next flush', async () => {
    let room = 2;
    const redis = fakeRedis((batch) => Math.min(room, batch.length));
    const pending = new PendingPublishes(100, redis.publish, taking);
    for (let i = 0; i < 5; i++) pending.push('c', `e${i}`);
    await settle();
    expect(pending.size).toBe(3);
    room = Infinity;
    pending.push('c', 'e5');
    await settle();
    expect(redis.taken.map((send) => send.payload)).toEqual([
      'e0',
      'e1',
      'e2',
      'e3',
      'e4',
      'e5',
    ]);
    expect(redis.taken.map((send) => send.sequence)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
  });

  it('takes a burst of any size while Redis takes sends, and hands it over in batches of 512, in order', async () => {
    const redis = fakeRedis((batch) => batch.length);
    const pending = new PendingPublishes(3, redis.publish, taking);
    for (let i = 0; i < 1200; i++) pending.push('c', `e${i}`);
    expect(pending.size).toBe(1200);
    await pending.whenEmpty(1000);
    expect(redis.batches.map((batch) => batch.length)).toEqual([512, 512, 176]);
    expect(redis.taken.map((send) => send.payload)).toEqual(
      Array.from({ length: 1200 }, (_, i) => `e${i}`),
    );
  });

  it('refuses a send once `limit` wait and Redis does not take sends, saying why and naming the channel, and keeps nothing of it', async () => {
    const redis = fakeRedis(() => 0);
    const pending = new PendingPublishes(3, redis.publish, unreachable);
    for (let i = 0; i < 3; i++) pending.push('orders', `e${i}`);
    expect(() => pending.push('orders', 'e3')).toThrow(
      new SseTransportError(
        'Redis is unreachable and 3 sends are already waiting for it (maxQueuedSends), so this send to channel "orders" was refused: nobody will receive it.',
      ),
    );
    expect(pending.size).toBe(3);
  });

  it('counts a batch unanswered for NOT_ANSWERING_MS as Redis not taking sends, until it is answered', async () => {
    // The check after the timer is a real setImmediate: it runs once the loop has read what arrived.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask'] });
    try {
      let answer: (taken: number) => void = () => undefined;
      const pending = new PendingPublishes(
        2,
        (batch) =>
          new Promise<number>((resolve) => {
            answer = () => resolve(batch.length);
          }),
        taking,
      );
      for (let i = 0; i < 3; i++) pending.push('c', `e${i}`);
      await jest.advanceTimersByTimeAsync(NOT_ANSWERING_MS - 1);
      pending.push('c', 'e3');
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(() => pending.push('c', 'e4')).toThrow(
        `Redis has not answered the last sends for ${NOT_ANSWERING_MS} ms and 2 sends are already waiting for it (maxQueuedSends), so this send to channel "c" was refused`,
      );
      answer(3);
      await settle();
      pending.push('c', 'e5');
      pending.push('c', 'e6');
      expect(pending.size).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells when it is empty, or that it is not after a timeout', async () => {
    let open = false;
    const redis = fakeRedis((batch) => (open ? batch.length : 0));
    const pending = new PendingPublishes(10, redis.publish, taking);
    pending.push('c', 'x');
    await settle();
    expect(await pending.whenEmpty(10)).toBe(false);
    const empty = pending.whenEmpty(1000);
    open = true;
    pending.flush();
    expect(await empty).toBe(true);
  });
});
