import { SseTransportError } from '../sse/index.js';
import { REDIS_MESSAGES } from './redis.messages.js';

/** A send waiting to be taken by Redis. */
export interface QueuedSend {
  /** Its place among this instance's sends; Redis skips one it has taken already. */
  readonly sequence: number;
  readonly channel: string;
  readonly payload: string;
}

/**
 * Hands the batch to Redis; resolves to how many of its first sends Redis
 * took. Fewer than all means Redis cannot take more now.
 */
export type PublishBatch = (batch: readonly QueuedSend[]) => Promise<number>;

/**
 * Why Redis does not take sends now, as the start of a sentence ("Redis is
 * unreachable"), or `undefined` while it does.
 */
export type WhyNotTaking = () => string | undefined;

/**
 * Sends handed to Redis in one pipeline: a burst costs one round trip per 512
 * sends, and a batch lost with its connection is a small retry. Redis runs
 * each send's script on its own, so a batch does not hold other clients back
 * for its whole length.
 */
const BATCH_SIZE = 512;
/**
 * A batch Redis has not answered for this long counts as Redis not taking
 * sends, as an unreachable Redis does: a connection cut without a reset (a
 * lost host, a partition) looks alive until TCP gives up, minutes later, and
 * the queue must not grow meanwhile. A batch of 512 normally takes tens of ms.
 */
export const NOT_ANSWERING_MS = 2000;

/**
 * The sends of this instance on their way to Redis, in the order they were
 * made, handed to Redis in batches. While Redis takes them, a burst of any
 * size waits here (only memory bounds it). While Redis does not (it is
 * unreachable, refuses them, or has not answered a batch for
 * `NOT_ANSWERING_MS`), they wait up to `limit`; past it a send is refused
 * with an error that says why, so no send is reported as made and then lost.
 * A send may reach Redis twice (its reply lost with the connection); Redis
 * skips the second by its sequence number.
 */
export class PendingPublishes {
  private queue: QueuedSend[] = [];
  private lastSequence = 0;
  private flushing = false;
  private flushScheduled = false;
  private waiters: Array<() => void> = [];
  /** Counts batches, so that a late check of one that was answered meanwhile does nothing. */
  private batchNumber = 0;
  private notAnsweringTimer: NodeJS.Timeout | undefined;
  private notAnswering = false;

  constructor(
    private readonly limit: number,
    private readonly publishBatch: PublishBatch,
    private readonly whyNotTaking: WhyNotTaking,
  ) {}

  /** Sends not taken by Redis yet. */
  get size(): number {
    return this.queue.length;
  }

  /** Whether Redis has not answered the batch handed to it for `NOT_ANSWERING_MS`. */
  get unanswered(): boolean {
    return this.notAnswering;
  }

  /**
   * Queues a send and flushes at the end of the current turn, so that sends made
   * together (a loop, a burst) reach Redis in batches. Throws an
   * `SseTransportError` when `limit` sends wait and Redis does not take sends.
   */
  push(channel: string, payload: string): void {
    if (this.queue.length >= this.limit) this.refuseUnlessTaking(channel);
    this.queue.push({ sequence: ++this.lastSequence, channel, payload });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Hands queued sends to Redis, batch after batch, until it is empty or Redis stops taking them. */
  flush(): void {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    void this.flushBatches();
  }

  /** Resolves once every queued send was taken, or after `timeoutMs`: `false` then. */
  whenEmpty(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private refuseUnlessTaking(channel: string): void {
    const why =
      this.whyNotTaking() ??
      (this.notAnswering
        ? REDIS_MESSAGES.notAnswering(NOT_ANSWERING_MS)
        : undefined);
    if (why !== undefined)
      throw new SseTransportError(
        REDIS_MESSAGES.tooManyPending(why, this.limit, channel),
      );
  }

  private async flushBatches(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, BATCH_SIZE);
        const taken = await this.answered(this.publishBatch(batch));
        // Sends pushed meanwhile are behind the batch, so the first `taken` are its own.
        this.queue.splice(0, taken);
        if (taken < batch.length) return;
      }
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Resolves as `reply` does, noting meanwhile whether Redis has not answered
   * for `NOT_ANSWERING_MS`. The check runs after the event loop has read what
   * arrived (a `setImmediate` after the timer), so a long synchronous burst
   * that kept the answer unread is not taken for Redis's silence.
   */
  private async answered(reply: Promise<number>): Promise<number> {
    const batch = ++this.batchNumber;
    this.notAnsweringTimer = setTimeout(
      () =>
        setImmediate(() => {
          if (batch === this.batchNumber) this.notAnswering = true;
        }),
      NOT_ANSWERING_MS,
    );
    this.notAnsweringTimer.unref();
    try {
      return await reply;
    } finally {
      clearTimeout(this.notAnsweringTimer);
      this.batchNumber++;
      this.notAnswering = false;
    }
  }
}
