import { SseTransportError } from '../sse/errors/sse-transport.error.js';
import { PublishOutbox, type QueuedSend } from './publish-outbox.js';

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

describe('PublishOutbox', () => {
  it('hands sends made in one turn to Redis as one batch, in order, numbered', async () => {
    const redis = fakeRedis((batch) => batch.length);
    const outbox = new PublishOutbox(100, redis.publish);
    for (let i = 0; i < 20; i++) outbox.push('c', `e${i}`);
    await settle();
    expect(redis.batches).toHaveLength(1);
    expect(redis.taken.map((send) => [send.sequence, send.payload])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i + 1, `e${i}`]),
    );
    expect(outbox.size).toBe(0);
  });

  it('keeps what Redis did not take, in order, and hands it again on the next flush', async () => {
    let room = 2;
    const redis = fakeRedis((batch) => Math.min(room, batch.length));
    const outbox = new PublishOutbox(100, redis.publish);
    for (let i = 0; i < 5; i++) outbox.push('c', `e${i}`);
    await settle();
    expect(outbox.size).toBe(3);
    room = Infinity;
    outbox.push('c', 'e5');
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

  it('refuses a send once `limit` wait, naming the channel, and keeps nothing of it', async () => {
    const redis = fakeRedis(() => 0);
    const outbox = new PublishOutbox(3, redis.publish);
    for (let i = 0; i < 3; i++) outbox.push('orders', `e${i}`);
    expect(() => outbox.push('orders', 'e3')).toThrow(SseTransportError);
    expect(() => outbox.push('orders', 'e3')).toThrow(
      /3 sends are already waiting for it \(maxQueuedSends\), so this send to channel "orders" was refused/,
    );
    expect(outbox.size).toBe(3);
  });

  it('tells when it is empty, or that it is not after a timeout', async () => {
    let open = false;
    const redis = fakeRedis((batch) => (open ? batch.length : 0));
    const outbox = new PublishOutbox(10, redis.publish);
    outbox.push('c', 'x');
    await settle();
    expect(await outbox.whenEmpty(10)).toBe(false);
    const empty = outbox.whenEmpty(1000);
    open = true;
    outbox.flush();
    expect(await empty).toBe(true);
  });
});
