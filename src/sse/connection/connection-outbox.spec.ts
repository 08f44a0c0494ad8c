import { EventEmitter } from 'node:events';
import type { SseMessage } from '../protocol/sse-message.js';
import {
  ConnectionOutbox,
  type OutboxOwner,
  type OverflowReason,
} from './connection-outbox.js';
import { PendingBudget } from './pending-budget.js';
import { SseCounters } from '../stats/sse-counters.js';

/** A socket whose backlog the test sets: `backUp()` as a client that stops reading, `drain()` as one that catches up. */
class FakeSocket extends EventEmitter {
  writableNeedDrain = false;
  writableCorked = 0;
  backUp(): void {
    this.writableNeedDrain = true;
  }
  drain(): void {
    this.writableNeedDrain = false;
    this.emit('drain');
  }
}

class FakeOwner implements OutboxOwner {
  closed = false;
  dropped: Array<{ reason: OverflowReason; pending: number }> = [];
  conflationKeyOf(): string | undefined {
    return undefined;
  }
  overflowed(reason: OverflowReason, pending: number): void {
    this.dropped.push({ reason, pending });
  }
}

const event = (data: string): SseMessage => ({ type: 'e', data });

/**
 * The order of what a connection writes when its replay is handed over while
 * other messages wait (behind a backed-up socket): those first, then the
 * replay, then what was pushed after it; only the waiting ones counted.
 * Over real sockets this needs a socket backed up at the moment a history
 * read answers, which no test can time.
 */
describe('ConnectionOutbox replay order', () => {
  let socket: FakeSocket;
  let owner: FakeOwner;
  let budget: PendingBudget;
  let outbox: ConnectionOutbox;
  let written: string[];
  /** Called after each write, as a socket that fills would. */
  let afterWrite: ((data: string) => void) | undefined;

  beforeEach(() => {
    socket = new FakeSocket();
    owner = new FakeOwner();
    budget = new PendingBudget(1_000_000);
    // Pipeline mode, no limit per turn: the limit is far above the replay.
    outbox = new ConnectionOutbox(
      owner,
      socket,
      undefined,
      1_000_000,
      budget,
      new SseCounters(),
    );
    written = [];
    afterWrite = undefined;
    outbox.subscribe({
      next: (message: SseMessage) => {
        written.push(message.data!);
        afterWrite?.(message.data!);
      },
    } as never);
  });

  it('writes what waited before the replay first, then the replay, then what came after', () => {
    outbox.push(event('sent-1'));
    socket.backUp();
    outbox.push(event('waiting-1'));
    outbox.push(event('waiting-2'));
    outbox.replay([event('replayed-1'), event('replayed-2')]);
    outbox.push(event('live-1'));
    expect(written).toEqual(['sent-1']);
    // Only the pushed messages count; the replay's events do not.
    expect(budget.total).toBe(16 * 3);

    socket.drain();

    expect(written).toEqual([
      'sent-1',
      'waiting-1',
      'waiting-2',
      'replayed-1',
      'replayed-2',
      'live-1',
    ]);
    expect(budget.total).toBe(0);
    expect(owner.dropped).toEqual([]);
  });

  it('goes on with a replay at each drain, and keeps what is pushed meanwhile behind it, counted', () => {
    afterWrite = (data) => {
      if (data.startsWith('replayed')) socket.backUp();
    };
    outbox.replay([
      event('replayed-1'),
      event('replayed-2'),
      event('replayed-3'),
    ]);
    outbox.push(event('live-1'));
    expect(written).toEqual(['replayed-1']);
    expect(budget.total).toBe(16);

    socket.drain();
    expect(written).toEqual(['replayed-1', 'replayed-2']);
    socket.drain();
    socket.drain();

    expect(written).toEqual([
      'replayed-1',
      'replayed-2',
      'replayed-3',
      'live-1',
    ]);
    expect(budget.total).toBe(0);
  });
});
