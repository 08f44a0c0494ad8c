import type { ChannelMessage } from '../protocol/sse-message.js';

/** An event as a channel's history keeps it. */
interface Entry {
  readonly message: ChannelMessage;
  readonly at: number;
}

/**
 * The last events of one channel, oldest first, in a ring buffer: appending
 * and evicting cost O(1), finding where a client resumes O(log size).
 */
export class ChannelHistory {
  private entries: Array<Entry | undefined>;
  /** Index of the oldest entry. */
  private start = 0;
  private length = 0;
  /**
   * Position of the newest event this history no longer has. A client whose
   * last event is older missed something that cannot be replayed.
   */
  evictedUpTo: number;

  /**
   * @param evictedUpTo the newest position an earlier history of the channel
   * lost, so that a client resuming from before it is still reset.
   */
  constructor(
    private size: number,
    private maxAgeMs: number | undefined,
    evictedUpTo = 0,
  ) {
    this.entries = new Array(size);
    this.evictedUpTo = evictedUpTo;
  }

  get isEmpty(): boolean {
    return this.length === 0;
  }

  /** Whether its events expire (it has a `maxAgeMs`). */
  get expires(): boolean {
    return this.maxAgeMs !== undefined;
  }

  append(message: ChannelMessage, now: number): void {
    if (this.size === 0) {
      this.evictedUpTo = message.position;
      return;
    }
    if (this.length === this.size) this.evictOldest();
    this.entries[(this.start + this.length) % this.size] = { message, at: now };
    this.length++;
    this.evictExpired(now);
  }

  /**
   * The events after `position`, oldest first, or `undefined` when one of them
   * is no longer kept (the client must then refetch its state).
   */
  readAfter(position: number, now: number): Array<ChannelMessage> | undefined {
    this.evictExpired(now);
    if (position < this.evictedUpTo) return undefined;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.at(middle).message.position <= position) low = middle + 1;
      else high = middle;
    }
    const result: Array<ChannelMessage> = [];
    for (let i = low; i < this.length; i++) result.push(this.at(i).message);
    return result;
  }

  /** Applies new limits, dropping what no longer fits. */
  configure(size: number, maxAgeMs: number | undefined, now: number): void {
    const kept: Entry[] = [];
    for (let i = 0; i < this.length; i++) kept.push(this.at(i));
    const dropped =
      kept.length > size ? kept.splice(0, kept.length - size) : [];
    if (dropped.length > 0)
      this.evictedUpTo = dropped[dropped.length - 1].message.position;
    this.size = size;
    this.maxAgeMs = maxAgeMs;
    this.entries = new Array(size);
    kept.forEach((entry, i) => (this.entries[i] = entry));
    this.start = 0;
    this.length = kept.length;
    this.evictExpired(now);
  }

  /** Drops the events older than `maxAgeMs`. */
  evictExpired(now: number): void {
    if (this.maxAgeMs === undefined) return;
    while (this.length > 0 && now - this.at(0).at > this.maxAgeMs)
      this.evictOldest();
  }

  private evictOldest(): void {
    this.evictedUpTo = this.at(0).message.position;
    this.entries[this.start] = undefined;
    this.start = (this.start + 1) % this.size;
    this.length--;
  }

  private at(index: number): Entry {
    return this.entries[(this.start + index) % this.size]!;
  }
}
