import { Subject, type Subscriber, type Subscription } from 'rxjs';
import { DirectWriter, type DirectResponse } from './direct-writer.js';
import type { SseMessage } from './protocol/sse-message.js';
import type { PendingBudget } from './pending-budget.js';
import { PendingQueue, sizeOf } from './pending-queue.js';
import type { SseCounters } from './stats/sse-counters.js';

/** Why an outbox gave up on its client. */
export type OverflowReason = 'connection limit' | 'global budget';

/** The socket of a connection, as far as flow control needs it. */
export interface OutboxSocket {
  readonly writableNeedDrain?: boolean;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/** The connection an outbox writes for. */
export interface OutboxOwner {
  /** The key a waiting message is conflated by, if any; only asked of messages that wait. */
  conflationKeyOf(message: SseMessage): string | undefined;
  /** Called once when the client is too far behind to keep. */
  overflowed(reason: OverflowReason, pending: number): void;
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
 * With direct delivery, nothing goes through Nest's pipeline: messages wait
 * until Nest has written the response headers (which it does on the timer it
 * sets when it subscribes), then their wire text is written to the response
 * directly, a channel event's text made once for all the connections it goes
 * to. Interceptors of the route then see no event.
 */
export class ConnectionOutbox {
  private readonly subject = new Subject<SseMessage>();
  /** Whether the stream has started: Nest subscribed, and the headers are out for direct delivery. */
  private streaming = false;
  /** What waits for the stream to start or the socket to drain; made when first needed, as most clients keep up. */
  private pending: PendingQueue | undefined;
  /** Live events held back while a replay is read; see `hold()`. */
  private held: PendingQueue | undefined;
  private waitingForDrain = false;
  private overflowed = false;
  private ending = false;
  /** The socket's `drain` listener, made the first time the client falls behind. */
  private onDrain: (() => void) | undefined;
  /** Writes to the response directly, once its headers are sent (`delivery: 'direct'`). */
  private directWriter: DirectWriter | undefined;

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
    return this.streaming;
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
    this.streaming = true;
    this.flush();
  }

  /** Queues `message` for the client. */
  push(message: SseMessage): void {
    if (this.overflowed) return;
    if (this.streaming && !this.pending && !this.socket?.writableNeedDrain) {
      this.write(message);
      return;
    }
    this.wait(message);
  }

  /**
   * Holds `message` back until `releaseHeld()`, counted as waiting: for the
   * live events that arrive while a replay is read, which must follow it.
   */
  hold(message: SseMessage): void {
    if (!this.overflowed)
      this.enqueue((this.held ??= new PendingQueue()), message);
  }

  /** The messages held back, in order; they no longer count as waiting (push them). */
  releaseHeld(): SseMessage[] {
    const held: SseMessage[] = [];
    this.held?.takeWhile(
      () => true,
      (message, size) => {
        this.budget.release(size);
        held.push(message);
      },
    );
    this.held = undefined;
    return held;
  }

  /** Lets go of the messages held back. */
  dropHeld(): void {
    this.budget.release(this.held?.size ?? 0);
    this.held = undefined;
  }

  /** Completes the stream once every queued message has gone to Nest. */
  end(): void {
    this.ending = true;
    this.completeIfDone();
  }

  /** Forgets what waits and stops listening to the socket. */
  dispose(): void {
    this.budget.release(this.pending?.size ?? 0);
    this.pending = undefined;
    this.dropHeld();
    if (this.waitingForDrain && this.onDrain)
      this.socket?.removeListener('drain', this.onDrain);
    this.waitingForDrain = false;
  }

  private wait(message: SseMessage): void {
    if (this.enqueue((this.pending ??= new PendingQueue()), message))
      this.waitForDrain();
  }

  /**
   * Adds `message` to `queue`, in place of a waiting one with its conflation
   * key; gives up on the client instead when that passes its limit or the
   * application's budget. Returns whether it was queued.
   */
  private enqueue(queue: PendingQueue, message: SseMessage): boolean {
    const size = sizeOf(message);
    const key = this.owner.conflationKeyOf(message);
    this.budget.release(queue.remove(key));
    const waiting = (this.pending?.size ?? 0) + (this.held?.size ?? 0);
    if (waiting + size > this.maxPending) {
      this.overflow('connection limit');
      return false;
    }
    if (!this.budget.take(size)) {
      this.overflow('global budget');
      return false;
    }
    queue.add(message, key);
    return true;
  }

  /** Writes what waited, as far as the socket takes it. */
  private flush(): void {
    this.waitingForDrain = false;
    const pending = this.pending;
    if (pending) {
      pending.takeWhile(
        () => !this.socket?.writableNeedDrain,
        (message, size) => {
          this.budget.release(size);
          this.write(message);
        },
      );
      if (pending.length > 0) return this.waitForDrain();
      this.pending = undefined;
    }
    this.completeIfDone();
  }

  private waitForDrain(): void {
    if (this.waitingForDrain || !this.socket || !this.streaming) return;
    this.waitingForDrain = true;
    this.socket.once('drain', (this.onDrain ??= () => this.flush()));
  }

  private write(message: SseMessage): void {
    this.counters.countSent(message);
    if (this.directWriter) this.directWriter.write(message);
    else this.subject.next(message);
  }

  private completeIfDone(): void {
    if (this.ending && this.streaming && !this.pending) {
      this.subject.complete();
    }
  }

  private overflow(reason: OverflowReason): void {
    const pending = (this.pending?.size ?? 0) + (this.held?.size ?? 0);
    this.overflowed = true;
    this.dispose();
    this.owner.overflowed(reason, pending);
  }
}
