import { Subject, type Subscriber, type Subscription } from 'rxjs';
import type { SseMessage } from '../protocol/sse-message.js';
import type { SseCounters } from '../stats/sse-counters.js';
import { messageOf, type OutgoingMessage } from './delivered-event.js';
import { DirectWriter, type DirectResponse } from './direct-writer.js';
import { PacedReplay } from './paced-replay.js';
import type { BudgetHolder, PendingBudget } from './pending-budget.js';
import { PendingQueue, sizeOf } from './pending-queue.js';

/** Why an outbox gave up on its client. */
export type OverflowReason = 'connection limit' | 'global budget';

/** The socket of a connection, as far as flow control needs it. */
export interface OutboxSocket {
  readonly writableNeedDrain?: boolean;
  /** Non-zero while the socket holds this turn's writes (Node and the direct writer cork it for the turn). */
  readonly writableCorked?: number;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  /** Called before each write: an HTTP/2 stream corks itself for the turn there (see `Http2ResponseStream`). */
  beforeWrite?(): void;
}

/** The connection an outbox writes for. */
export interface OutboxOwner {
  /** Whether the connection has ended: the stream completes once what is queued has gone. */
  readonly closed: boolean;
  /** The key a waiting message is conflated by, if any; only asked of messages that wait. */
  conflationKeyOf(message: OutgoingMessage): string | undefined;
  /** Called once when the client is too far behind to keep: `pending` characters waited, past `limit`. */
  overflowed(reason: OverflowReason, pending: number, limit: number): void;
}

/**
 * What goes from one connection into Nest's `@Sse()` pipeline, through the
 * RxJS Subject Nest subscribes to.
 *
 * Until Nest subscribes, messages wait. After, a message goes to Nest at once
 * while the client keeps up; while its socket is backed up, messages wait here
 * instead. Whatever waits (for the stream to start, for the socket, or for a
 * replay: see `hold()`) is counted against the connection's limit and the
 * application's budget, and may be conflated. So a client that stops reading,
 * or whose handler takes its time, costs at most its limit, never delays the
 * others, and Nest's own queue stays short.
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
 * counted against the limits; a replay larger than the limit goes out whole
 * (see `PacedReplay`). What is pushed meanwhile waits behind it, counted.
 *
 * With direct delivery, nothing goes through Nest's pipeline: the wire text
 * of messages is written to the response directly, a channel event's text
 * made once for all the connections it goes to, once Nest has written the
 * response headers (on the timer it sets when it subscribes). What goes out
 * between Nest's subscription and that timer is kept in order, uncounted: it
 * waits for Nest, not for the client, and for a turn at most, as a burst
 * does. Interceptors of the route then see no event.
 */
export class ConnectionOutbox implements BudgetHolder {
  private readonly subject = new Subject<SseMessage>();
  /**
   * Where the stream stands, in one place: `undefined` until Nest subscribes
   * (it has not started); {@link BeforeHeaders} with direct delivery until
   * Nest has written the response headers; then the writer of the stream,
   * Nest's pipeline or the response directly.
   */
  private stream: BeforeHeaders | PipelineWriter | DirectWriter | undefined;
  /** What waits for the stream to start, the socket to drain or a replay to be written; made when first needed, as most clients keep up. */
  private pending: PendingQueue | undefined;
  /** Live events held back while a replay is read; see `hold()`. */
  private held: PendingQueue | undefined;
  /** The replay being written, before anything in `pending`; see `replay()`. */
  private replaying: PacedReplay | undefined;
  private waitingForDrain = false;
  private overflowed = false;
  /** The socket's `drain` listener, made the first time the client falls behind. */
  private onDrain: (() => void) | undefined;

  /** @param direct the response to write to directly, for `delivery: 'direct'`. */
  constructor(
    private readonly owner: OutboxOwner,
    private readonly socket: OutboxSocket | undefined,
    private readonly direct: DirectResponse | undefined,
    private readonly maxPending: number,
    private readonly budget: PendingBudget,
    private readonly counters: SseCounters,
  ) {}

  /** Whether the stream has started. */
  get started(): boolean {
    return this.stream !== undefined;
  }

  /** Whether a replay is being written (what is pushed meanwhile waits behind it). */
  get replayWriting(): boolean {
    return this.replaying !== undefined;
  }

  /**
   * Subscribes Nest: hands it the messages that waited for it, then the live
   * ones, and completes after them if the stream was ended meanwhile.
   */
  subscribe(subscriber: Subscriber<SseMessage>): Subscription {
    const subscription = this.subject.subscribe(subscriber);
    if (this.direct && !this.direct.headersSent) {
      // Nest writes the headers on a 0 ms timer it sets right after this
      // subscription returns; a timer set after it, from a microtask, runs
      // after it. What goes out until then is kept, uncounted (see above).
      this.stream = new BeforeHeaders();
      queueMicrotask(() => setTimeout(() => this.headersWritten(), 0));
    } else {
      this.stream = this.direct
        ? new DirectWriter(this.direct)
        : new PipelineWriter(this.subject);
    }
    this.flush();
    return subscription;
  }

  /** Writes what went out before Nest wrote the headers, then goes on. */
  private headersWritten(): void {
    const early =
      this.stream instanceof BeforeHeaders ? this.stream.messages : [];
    // Headers still not written (an adapter that writes them later): Nest's
    // pipeline is the safe way for this connection.
    this.stream = this.direct?.headersSent
      ? new DirectWriter(this.direct)
      : new PipelineWriter(this.subject);
    for (const message of early) this.write(message);
    this.flush();
  }

  /** Queues `message` for the client. */
  push(message: OutgoingMessage): void {
    if (this.overflowed) return;
    if (
      this.stream !== undefined &&
      !this.pending &&
      !this.replaying &&
      !this.backedUp()
    ) {
      this.write(message);
      return;
    }
    this.wait(message);
  }

  /**
   * Writes `messages`, a replay (at most one per connection), after what
   * waits already and before anything pushed after: as much as the socket
   * takes, the rest as it drains, not counted against the limits (see
   * `PacedReplay`). Given before the stream starts, or, with direct
   * delivery, before Nest has written the headers (the catch-up is read
   * meanwhile), it waits for them in the same place, still uncounted.
   */
  replay(messages: readonly OutgoingMessage[]): void {
    if (this.overflowed || messages.length === 0) return;
    this.replaying = new PacedReplay(messages, this.pending);
    this.pending = undefined;
    if (this.stream !== undefined) this.flush();
  }

  /**
   * Holds `message` back until `releaseHeld()`, counted as waiting: for the
   * live events that arrive while a replay is read, which must follow it.
   */
  hold(message: OutgoingMessage): void {
    if (!this.overflowed)
      this.enqueue((this.held ??= new PendingQueue()), message);
  }

  /** The messages held back, in order; they no longer count as waiting (push them). */
  releaseHeld(): OutgoingMessage[] {
    const held: OutgoingMessage[] = [];
    this.held?.takeWhile(
      () => true,
      (message, size) => {
        this.budget.release(size);
        held.push(message);
      },
    );
    this.held = undefined;
    this.forgetIfNothingWaits();
    return held;
  }

  /** Lets go of the messages held back. */
  dropHeld(): void {
    this.budget.release(this.held?.size ?? 0);
    this.held = undefined;
    this.forgetIfNothingWaits();
  }

  /** Completes the stream, its owner being closed, once every queued message has gone to Nest. */
  end(): void {
    this.completeIfDone();
  }

  /** Forgets what waits and stops listening to the socket. */
  dispose(): void {
    this.budget.release(this.waiting);
    this.pending = undefined;
    this.held = undefined;
    this.replaying = undefined;
    // What waited for the headers goes too; the headers are still awaited.
    if (this.stream instanceof BeforeHeaders) this.stream.messages.length = 0;
    this.budget.forget(this);
    if (this.waitingForDrain && this.onDrain)
      this.socket?.removeListener('drain', this.onDrain);
    this.waitingForDrain = false;
  }

  /** Drops the client to make room in the budget for another that fell behind after it. */
  evict(): void {
    if (!this.overflowed) this.overflow('global budget');
  }

  /** Characters of what waits, counted against the limits: everything but a replay's own events. */
  private get waiting(): number {
    return (
      (this.pending?.size ?? 0) +
      (this.held?.size ?? 0) +
      (this.replaying?.ahead?.size ?? 0)
    );
  }

  private wait(message: OutgoingMessage): void {
    if (this.enqueue((this.pending ??= new PendingQueue()), message))
      this.waitForDrain();
  }

  /**
   * Adds `message` to `queue`, in place of a waiting one with its conflation
   * key; gives up on the client instead when that passes its limit or the
   * application's budget. Returns whether it was queued.
   */
  private enqueue(queue: PendingQueue, message: OutgoingMessage): boolean {
    const size = sizeOf(message);
    const key = this.owner.conflationKeyOf(message);
    this.budget.release(queue.remove(key));
    if (this.waiting + size > this.maxPending) {
      this.overflow('connection limit');
      return false;
    }
    if (!this.budget.take(size, this)) {
      this.overflow('global budget');
      return false;
    }
    queue.add(message, key);
    return true;
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

  /** Writes what waited, in order, as far as the socket takes it. */
  private flush(): void {
    const replay = this.replaying;
    if (replay && !this.writeReplay(replay)) return;
    const pending = this.pending;
    if (pending) {
      if (!this.writeWaiting(pending)) return this.waitForDrain();
      this.pending = undefined;
    }
    this.forgetIfNothingWaits();
    this.completeIfDone();
  }

  /**
   * Writes the replay on, after what waited before it, as far as the socket
   * takes it; `true` once it is all written.
   */
  private writeReplay(replay: PacedReplay): boolean {
    if (replay.ahead) {
      if (!this.writeWaiting(replay.ahead)) {
        this.waitForDrain();
        return false;
      }
      replay.ahead = undefined;
    }
    // Paced by the socket, which Nest has not begun to write: headersWritten() goes on.
    if (this.stream instanceof BeforeHeaders) return false;
    // Nest drops a client once more than its limit waits in its pipeline,
    // which a replay would pass within one turn: Nest gets half of it a turn.
    const perTurn =
      this.stream instanceof DirectWriter ? Infinity : this.maxPending / 2;
    const done = replay.writeOn(
      () => !this.socket?.writableNeedDrain,
      perTurn,
      (message) => this.write(message),
    );
    if (done) {
      this.replaying = undefined;
      return true;
    }
    if (this.socket?.writableNeedDrain) this.waitForDrain();
    else
      replay.continueNextTurn(() => {
        if (this.replaying === replay) this.flush();
      });
    return false;
  }

  /** Writes `queue`'s messages as far as the socket takes them; `true` once it is empty. */
  private writeWaiting(queue: PendingQueue): boolean {
    queue.takeWhile(
      () => !this.socket?.writableNeedDrain,
      (message, size) => {
        this.budget.release(size);
        this.write(message);
      },
    );
    return queue.length === 0;
  }

  /** Leaves the budget's list of clients behind once nothing counted waits for this one. */
  private forgetIfNothingWaits(): void {
    if (!this.pending && !this.held && !this.replaying?.ahead)
      this.budget.forget(this);
  }

  private waitForDrain(): void {
    if (this.waitingForDrain || !this.socket || this.stream === undefined)
      return;
    this.waitingForDrain = true;
    this.socket.once(
      'drain',
      (this.onDrain ??= () => {
        // Cleared here, not in flush(): a flush at the start or at a replay's
        // step must not let a second listener be added beside this one.
        this.waitingForDrain = false;
        this.flush();
      }),
    );
  }

  /** Hands `message` to the stream, which has started. */
  private write(message: OutgoingMessage): void {
    const stream = this.stream!;
    if (stream instanceof BeforeHeaders) {
      stream.messages.push(message);
      return;
    }
    this.counters.countSent(message);
    this.socket?.beforeWrite?.();
    stream.write(message);
  }

  private completeIfDone(): void {
    const stream = this.stream;
    if (
      this.owner.closed &&
      stream !== undefined &&
      !(stream instanceof BeforeHeaders) &&
      !this.pending &&
      !this.replaying
    ) {
      this.subject.complete();
    }
  }

  private overflow(reason: OverflowReason): void {
    const pending = this.waiting;
    this.overflowed = true;
    // Told before what waits is let go, so that its owner can still see
    // what the client was behind (a replay being written, say).
    const limit =
      reason === 'global budget' ? this.budget.limit : this.maxPending;
    this.owner.overflowed(reason, pending, limit);
    this.dispose();
  }
}

/**
 * With direct delivery, the stream between Nest's subscription and its writing
 * the response headers: what goes out meanwhile waits here, in order.
 */
class BeforeHeaders {
  readonly messages: OutgoingMessage[] = [];
}

/** Nest's `@Sse()` pipeline, as the writer of a stream. */
class PipelineWriter {
  constructor(private readonly subject: Subject<SseMessage>) {}

  write(message: OutgoingMessage): void {
    this.subject.next(messageOf(message));
  }
}
