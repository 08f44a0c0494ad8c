import { Subject, type Subscriber, type Subscription } from 'rxjs';
import { DirectWriter, type DirectResponse } from './direct-writer.js';
import type { SseMessage } from './protocol/sse-message.js';
import type { BudgetHolder, PendingBudget } from './pending-budget.js';
import type { SseCounters } from './stats/sse-counters.js';

/** Why an outbox gave up on its client. */
export type OverflowReason = 'connection limit' | 'global budget';

/** The socket of a connection, as far as flow control needs it. */
export interface OutboxSocket {
  readonly writableNeedDrain?: boolean;
  /** Non-zero while the socket holds this turn's writes (Node and the direct writer cork it for the turn). */
  readonly writableCorked?: number;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/** The connection an outbox writes for. */
export interface OutboxOwner {
  /** The key a waiting message is conflated by, if any; only asked while the client is behind. */
  conflationKeyOf(message: SseMessage): string | undefined;
  /** Called once when the client is too far behind to keep. */
  overflowed(reason: OverflowReason, pending: number): void;
}

interface PendingEntry {
  message: SseMessage;
  readonly size: number;
  readonly key: string | undefined;
  /** Replaced by a newer event with the same conflation key. */
  superseded: boolean;
}

/**
 * What goes from one connection into Nest's `@Sse()` pipeline, through the
 * RxJS Subject Nest subscribes to.
 *
 * Until Nest subscribes, messages wait in order. After, a message goes to Nest
 * at once while the client keeps up; while its socket is backed up, messages
 * wait here instead, counted against the connection's limit and the
 * application's budget, and may be conflated. So a client that stops reading
 * costs at most its limit, never delays the others, and Nest's own queue stays
 * short.
 *
 * "Backed up" means the socket still holds data written in an earlier turn of
 * the event loop. What the application sends within one turn (a burst: a loop
 * that notifies every user) goes out at once whatever its size: the socket
 * holds it until the kernel takes it, and filling the socket's buffer within
 * the turn says nothing of how fast the client reads. A client that stops
 * reading is still caught at the next turn, having received at most one
 * turn's sends beyond its socket's buffer, and with `delivery: 'direct'` the
 * socket holds the very buffers every other connection is written, not copies.
 *
 * A replay (`replay()`) is written as fast as the socket takes it, and no
 * faster: its events were read already (from the history, which keeps them
 * anyway in memory), so waiting costs one reference each, and it is not
 * counted against the limits; a replay larger than the limit goes out whole.
 *
 * With direct delivery, nothing goes through Nest's pipeline: messages wait
 * until Nest has written the response headers (which it does on the timer it
 * sets when it subscribes), then their wire text is written to the response
 * directly, a channel event's text made once for all the connections it goes
 * to. Interceptors of the route then see no event.
 */
export class ConnectionOutbox implements BudgetHolder {
  private readonly subject = new Subject<SseMessage>();
  /** Messages sent before Nest subscribed; `undefined` once it has. */
  private beforeStart: SseMessage[] | undefined = [];
  /** What waits while the socket is backed up; made when first needed, as most clients keep up. */
  private pending: PendingEntry[] | undefined;
  private pendingStart = 0;
  private pendingSize = 0;
  private latestByKey: Map<string, PendingEntry> | undefined;
  private waitingForDrain = false;
  private overflowed = false;
  private ending = false;
  /** The socket's `drain` listener, made the first time the client falls behind. */
  private onDrain: (() => void) | undefined;
  /** Writes to the response directly, once its headers are sent (`delivery: 'direct'`). */
  private directWriter: DirectWriter | undefined;
  /** A replay being written, from `replayNext` on; what is pushed meanwhile waits behind it. */
  private replaying: readonly SseMessage[] | undefined;
  private replayNext = 0;
  /** For a replay given before the stream started: how many of the messages waiting for it go first. */
  private replayAt = 0;
  /** Whether the replay's next step waits for the next turn (the socket was not backed up). */
  private replayStepScheduled = false;

  /** @param direct the response to write to directly, for `delivery: 'direct'`. */
  constructor(
    private readonly owner: OutboxOwner,
    private readonly socket: OutboxSocket | undefined,
    private readonly direct: DirectResponse | undefined,
    private readonly maxPending: number,
    private readonly budget: PendingBudget,
    private readonly counters: SseCounters,
  ) {}

  /** Whether Nest has subscribed. */
  get started(): boolean {
    return this.beforeStart === undefined;
  }

  /**
   * Subscribes Nest: hands it the messages that waited for it, then the live
   * ones, and completes after them if the stream was ended meanwhile.
   */
  subscribe(subscriber: Subscriber<SseMessage>): Subscription {
    const subscription = this.subject.subscribe(subscriber);
    if (this.direct && !this.direct.headersSent) {
      // Nest writes the headers on a 0 ms timer it sets right after this
      // subscription returns; a timer set after it, from a microtask, runs after it.
      queueMicrotask(() => setTimeout(() => this.start(), 0));
    } else {
      this.start();
    }
    return subscription;
  }

  /** Moves what waited for the stream into it. */
  private start(): void {
    // Headers still not written (an adapter that writes them later): Nest's
    // pipeline is the safe way for this connection.
    if (this.direct?.headersSent)
      this.directWriter = new DirectWriter(this.direct);
    const waiting = this.beforeStart ?? [];
    this.beforeStart = undefined;
    const replay = this.replaying;
    this.replaying = undefined;
    const replayAt = replay ? this.replayAt : waiting.length;
    for (let i = 0; i < replayAt; i++) this.push(waiting[i]);
    if (replay) this.replay(replay);
    for (let i = replayAt; i < waiting.length; i++) this.push(waiting[i]);
    this.completeIfDone();
  }

  /** Queues `message` for the client. */
  push(message: SseMessage): void {
    if (this.overflowed) return;
    if (this.beforeStart) {
      this.beforeStart.push(message);
      return;
    }
    if (!this.pending && !this.replaying && !this.backedUp()) {
      this.write(message);
      return;
    }
    this.wait(message);
  }

  /**
   * Writes `messages`, a replay, before anything pushed after: as much as the
   * socket takes, the rest each time it drains. Nest's pipeline is given at
   * most half of the connection's limit per turn, as Nest drops a client
   * whose queue passes it.
   */
  replay(messages: readonly SseMessage[]): void {
    if (this.overflowed || messages.length === 0) return;
    this.replaying = messages;
    this.replayNext = 0;
    // Before the stream starts, between what waits for it already and what comes after.
    if (this.beforeStart) this.replayAt = this.beforeStart.length;
    else this.flush();
  }

  /** Completes the stream once every queued message has gone to Nest. */
  end(): void {
    this.ending = true;
    this.completeIfDone();
  }

  /** Forgets what waits and stops listening to the socket. */
  dispose(): void {
    this.replaying = undefined;
    this.budget.release(this.pendingSize);
    this.budget.forget(this);
    this.pendingSize = 0;
    this.pending = undefined;
    this.pendingStart = 0;
    this.latestByKey = undefined;
    if (this.waitingForDrain && this.onDrain)
      this.socket?.removeListener('drain', this.onDrain);
    this.waitingForDrain = false;
  }

  private wait(message: SseMessage): void {
    const size = sizeOf(message);
    const key = this.owner.conflationKeyOf(message);
    const previous = key === undefined ? undefined : this.latestByKey?.get(key);
    if (previous) {
      previous.superseded = true;
      this.pendingSize -= previous.size;
      this.budget.release(previous.size);
    }
    if (this.pendingSize + size > this.maxPending)
      return this.overflow('connection limit');
    if (!this.budget.take(size, this)) return this.overflow('global budget');
    const entry: PendingEntry = { message, size, key, superseded: false };
    (this.pending ??= []).push(entry);
    this.pendingSize += size;
    if (key !== undefined) (this.latestByKey ??= new Map()).set(key, entry);
    this.waitForDrain();
  }

  /**
   * Whether the socket still holds data written in an earlier turn: a turn's
   * own writes leave the socket corked until its end, and are no sign of a
   * client that does not read.
   */
  private backedUp(): boolean {
    const socket = this.socket;
    return socket?.writableNeedDrain === true && !socket.writableCorked;
  }

  /** Writes what waited, as far as the socket takes it. */
  private flush(): void {
    if (this.replaying && !this.writeReplay()) return;
    const pending = this.pending;
    if (!pending) return this.completeIfDone();
    while (
      this.pendingStart < pending.length &&
      !this.socket?.writableNeedDrain
    ) {
      const entry = pending[this.pendingStart++];
      if (entry.superseded) continue;
      this.pendingSize -= entry.size;
      this.budget.release(entry.size);
      if (entry.key !== undefined && this.latestByKey?.get(entry.key) === entry)
        this.latestByKey.delete(entry.key);
      this.write(entry.message);
    }
    if (this.pendingStart === pending.length) {
      this.pending = undefined;
      this.pendingStart = 0;
      this.budget.forget(this);
      this.completeIfDone();
    } else {
      this.waitForDrain();
    }
  }

  /** Writes the replay on as far as the socket takes it; `true` once it is all written. */
  private writeReplay(): boolean {
    const messages = this.replaying!;
    // Nest drops a client once more than its limit waits in its pipeline.
    const perTurn = this.directWriter ? Infinity : this.maxPending / 2;
    let written = 0;
    while (
      this.replayNext < messages.length &&
      written < perTurn &&
      !this.socket?.writableNeedDrain
    ) {
      const message = messages[this.replayNext++];
      written += sizeOf(message);
      this.write(message);
    }
    if (this.replayNext === messages.length) {
      this.replaying = undefined;
      return true;
    }
    if (this.socket?.writableNeedDrain) this.waitForDrain();
    else if (!this.replayStepScheduled) {
      this.replayStepScheduled = true;
      setImmediate(() => {
        this.replayStepScheduled = false;
        if (this.replaying) this.flush();
      });
    }
    return false;
  }

  private waitForDrain(): void {
    if (this.waitingForDrain || !this.socket) return;
    this.waitingForDrain = true;
    this.socket.once(
      'drain',
      (this.onDrain ??= () => {
        this.waitingForDrain = false;
        this.flush();
      }),
    );
  }

  private write(message: SseMessage): void {
    this.counters.countSent(message);
    if (this.directWriter) this.directWriter.write(message);
    else this.subject.next(message);
  }

  private completeIfDone(): void {
    if (
      this.ending &&
      this.beforeStart === undefined &&
      !this.pending &&
      !this.replaying
    ) {
      this.subject.complete();
    }
  }

  /** Drops the client to make room in the budget for another that fell behind after it. */
  evict(): void {
    if (!this.overflowed) this.overflow('global budget');
  }

  private overflow(reason: OverflowReason): void {
    const pending = this.pendingSize;
    this.overflowed = true;
    this.dispose();
    this.owner.overflowed(reason, pending);
  }
}

/**
 * What a waiting message counts for: its characters, and at least 16, as Nest
 * counts them (an event with no data still takes memory).
 */
function sizeOf(message: SseMessage): number {
  return Math.max(
    16,
    (message.data?.length ?? 0) +
      (message.type?.length ?? 0) +
      (message.id?.length ?? 0),
  );
}
