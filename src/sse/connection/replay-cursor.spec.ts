import type { ChannelMessage } from '../protocol/sse-message.js';
import { SseCounters } from '../stats/sse-counters.js';
import type { ReplayResult } from '../transport/sse-transport.js';
import { DeliveredEvent } from './delivered-event.js';
import {
  ReplayCursor,
  type ReplaySource,
  type ReplayTarget,
  type ResetReason,
} from './replay-cursor.js';

/** A history of one process, as a transport would serve it: ids `h-<position>`, a read the test answers. */
class FakeSource implements ReplaySource {
  head = 10;
  readonly reads: Array<{ names: readonly string[]; position: number }> = [];
  private answer: ((result: ReplayResult) => void) | undefined;
  private fail: ((error: Error) => void) | undefined;
  readonly epoch = 'h';

  isFuture(position: number): boolean {
    return position > this.head;
  }

  readAfter(names: readonly string[], position: number): Promise<ReplayResult> {
    this.reads.push({ names, position });
    return new Promise((resolve, reject) => {
      this.answer = resolve;
      this.fail = reject;
    });
  }

  /** Answers the pending read, and lets the cursor go on. */
  async answerWith(result: ReplayResult): Promise<void> {
    this.answer!(result);
    await flushPromises();
  }

  async failWith(error: Error): Promise<void> {
    this.fail!(error);
    await flushPromises();
  }
}

/** The connection side, recording what the cursor asks of it, in order. */
class FakeTarget implements ReplayTarget {
  closed = false;
  readonly log: string[] = [];
  private held: DeliveredEvent[] = [];
  constructor(private readonly cursor: () => ReplayCursor) {}
  pushLive(event: DeliveredEvent): void {
    this.log.push(`live ${event.message.position}`);
  }
  holdLive(event: DeliveredEvent): void {
    this.held.push(event);
    this.log.push(`hold ${event.message.position}`);
  }
  releaseHeld(): DeliveredEvent[] {
    const held = this.held;
    this.held = [];
    return held;
  }
  dropHeld(): void {
    this.held = [];
    this.log.push('drop held');
  }
  pushReplay(events: readonly DeliveredEvent[]): void {
    this.log.push(
      `replay ${events.map((event) => event.message.position).join(',')}`,
    );
  }
  pushReset(reason: ResetReason): void {
    this.log.push(`reset ${reason} at ${this.cursor().id}`);
  }
  replayReadFailed(): void {
    this.log.push('read failed');
  }
}

const message = (position: number, channel = 'orders'): ChannelMessage => ({
  id: `h-${position}`,
  data: `${channel} ${position}`,
  position,
  source: { data: position },
});
const live = (position: number) => new DeliveredEvent(message(position));

function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('ReplayCursor', () => {
  let source: FakeSource;
  let counters: SseCounters;
  let target: FakeTarget;
  let cursor: ReplayCursor;

  function open(lastEventId: string | undefined): ReplayCursor {
    source = new FakeSource();
    counters = new SseCounters();
    target = new FakeTarget(() => cursor);
    cursor = new ReplayCursor(source, target, counters, lastEventId);
    return cursor;
  }

  it('starts at the head without a Last-Event-ID, and writes each newer event once', () => {
    open(undefined);
    expect(cursor.untrusted).toBe(false);
    expect(cursor.id).toBe('h-10');
    cursor.startCatchUp(() => ['orders']);
    expect(source.reads).toEqual([]);
    cursor.deliver(live(9));
    cursor.deliver(live(11));
    cursor.deliver(live(11));
    cursor.deliver(live(12));
    expect(target.log).toEqual(['live 11', 'live 12']);
    expect(cursor.id).toBe('h-12');
  });

  it.each([
    ['malformed', 'nonsense'],
    ['from the future', 'h-11'],
  ])('does not trust a Last-Event-ID %s: it starts at the head', (_, id) => {
    open(id);
    expect(cursor.untrusted).toBe(true);
    expect(cursor.id).toBe('h-10');
    cursor.startCatchUp(() => ['orders']);
    expect(source.reads).toEqual([]);
  });

  it('replays what its channels sent after the id, holding the live events meanwhile, then writes those not replayed', async () => {
    open('h-4');
    expect(cursor.untrusted).toBe(false);
    // Settled before anything is written: the resuming client's own position.
    expect(cursor.id).toBe('h-4');
    cursor.startCatchUp(() => ['orders', 'news']);
    cursor.startCatchUp(() => ['orders', 'news']);
    expect(source.reads).toEqual([{ names: ['orders', 'news'], position: 4 }]);
    expect(cursor.catchingUpNow).toBe(true);

    // Live events arrive while the history is read: one the read also returns.
    cursor.deliver(live(11));
    cursor.deliver(live(12));
    await source.answerWith({
      events: [message(5), message(7, 'news'), message(11)],
    });

    expect(cursor.catchingUpNow).toBe(false);
    expect(target.log).toEqual([
      'hold 11',
      'hold 12',
      'replay 5,7,11',
      'live 12',
    ]);
    expect(cursor.id).toBe('h-12');
    expect(counters.replays).toBe(1);
    expect(counters.replayedEvents).toBe(3);
  });

  it('shares the replayed events between cursors replaying the same history', async () => {
    const shared = [message(5)];
    const seen: DeliveredEvent[][] = [];
    for (let i = 0; i < 2; i++) {
      open('h-4');
      target.pushReplay = (events) => seen.push([...events]);
      cursor.startCatchUp(() => ['orders']);
      await source.answerWith({ events: shared });
    }
    expect(seen[1][0]).toBe(seen[0][0]);
  });

  it('resets the client when the history no longer has what it missed, then writes the live events from the first held', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    cursor.deliver(live(11));
    await source.answerWith({ reset: 'evicted' });
    expect(target.log).toEqual(['hold 11', 'reset evicted at h-10', 'live 11']);
    expect(counters.replays).toBe(0);
  });

  it('resets at the head when nothing was held', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    source.head = 15;
    await source.answerWith({ reset: 'unknown' });
    expect(target.log).toEqual(['reset unknown at h-15']);
  });

  it('ends its catch-up in a reset when events were lost while it read', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    cursor.sendReset();
    expect(target.log).toEqual([]);
    await source.answerWith({ events: [message(5)] });
    expect(target.log).toEqual(['reset evicted at h-10']);
  });

  it('resets at once when events are lost outside a catch-up', () => {
    open(undefined);
    cursor.sendReset();
    expect(target.log).toEqual(['reset evicted at h-10']);
  });

  it('gives a reset when the history cannot be read', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    await source.failWith(new Error('broker down'));
    expect(target.log).toEqual(['read failed', 'reset evicted at h-10']);
  });

  it('starts over at position 0 when the history restarts, dropping what it held', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    cursor.deliver(live(11));
    // The new history starts over, its head with it.
    source.head = 0;
    cursor.restart();
    await source.answerWith({ events: [message(5)] });
    expect(target.log).toEqual([
      'hold 11',
      'drop held',
      'reset evicted at h-0',
    ]);

    open(undefined);
    cursor.restart();
    expect(target.log).toEqual(['reset evicted at h-0']);
    cursor.deliver(live(1));
    expect(target.log).toEqual(['reset evicted at h-0', 'live 1']);
  });

  it('writes nothing when its connection ended while the history was read', async () => {
    open('h-4');
    cursor.startCatchUp(() => ['orders']);
    target.closed = true;
    await source.answerWith({ events: [message(5)] });
    expect(target.log).toEqual([]);
    expect(counters.replays).toBe(0);
  });
});
