import { SseTransportError } from '../sse/errors/sse-transport.error.js';
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

const BATCH_SIZE = 512;

/**
 * The sends of this instance on their way to Redis, in the order they were
 * made. While Redis is unreachable they wait here, up to `limit`; past it a
 * send is refused with an error, so no send is reported as made and then lost.
 * A send may reach Redis twice (its reply lost with the connection); Redis
 * skips the second by its sequence number.
 */
export class PublishOutbox {
  private queue: QueuedSend[] = [];
  private lastSequence = 0;
  private flushing = false;
  private flushScheduled = false;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly publishBatch: PublishBatch,
  ) {}

  /** Sends not taken by Redis yet. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Queues a send and flushes at the end of the current turn, so that sends made
   * together (a loop, a burst) reach Redis as one pipeline. Throws an
   * `SseTransportError` when the queue is full.
   */
  push(channel: string, payload: string): void {
    if (this.queue.length >= this.limit)
      throw new SseTransportError(
        REDIS_MESSAGES.outboxFull(this.limit, channel),
      );
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

  private async flushBatches(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, BATCH_SIZE);
        const taken = await this.publishBatch(batch);
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
}
