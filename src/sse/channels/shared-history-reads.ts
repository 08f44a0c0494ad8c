import type { ReplayResult } from '../transport/sse-transport.js';

/** What a shared read needs of the transport. */
export interface HistorySource {
  readonly epoch: string;
  readonly head: number;
  readAfter(names: readonly string[], position: number): Promise<ReplayResult>;
}

/**
 * How long reads are kept for the clients that ask the same: a storm's
 * reconnections arrive over a few seconds (the `retry:` jitter), so one read
 * serves a large share of them; and a replayed event is at most this much
 * older than a `maxAgeMs` history would keep.
 */
export const SHARED_READ_MS = 1000;
/** At most this many reads kept at once (each holds the events it read). */
export const MAX_SHARED_READS = 1000;

/**
 * Reads of the history, shared by the connections that ask for the same one
 * (the same channels after the same position). After a restart every client
 * comes back at once with the same `Last-Event-ID`: one read then serves
 * them (with Redis, one round trip and one parse instead of one per client),
 * and the events it returns are the same objects for every client, so each
 * is encoded once (see `replayedEventOf`).
 *
 * A read is shared only while this process's head has not moved since it
 * started: a client that joins its channels later must not miss an event
 * delivered before it joined and not read; a read started at the same head
 * covers every event this process had delivered when the client joined. So
 * every read is let go as soon as the head moves, and all of them
 * {@link SHARED_READ_MS} after the first was kept (one timer for all: what
 * they hold, with Redis the events they parsed, is not kept past the storm).
 */
export class SharedHistoryReads {
  private readonly reads = new Map<string, Promise<ReplayResult>>();
  /** The head and epoch the reads kept were made at. */
  private madeAt = '';
  /** The timer that lets go of the reads kept. */
  private forgetting: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly source: HistorySource) {}

  /** The events of `names` after `position`, from a read made at this head if one is kept. */
  readAfter(names: readonly string[], position: number): Promise<ReplayResult> {
    const madeAt = `${this.source.epoch}:${this.source.head}`;
    if (madeAt !== this.madeAt) {
      this.reads.clear();
      this.madeAt = madeAt;
    }
    const key = JSON.stringify([position, names]);
    const shared = this.reads.get(key);
    if (shared) return shared;
    const read = this.source.readAfter(names, position);
    if (this.reads.size < MAX_SHARED_READS) {
      this.reads.set(key, read);
      this.forgetLater();
    }
    // A failed read is not shared with clients that come after it.
    read.catch(() => {
      if (this.reads.get(key) === read) this.reads.delete(key);
    });
    return read;
  }

  /** Number of reads kept (for tests). */
  get size(): number {
    return this.reads.size;
  }

  private forgetLater(): void {
    if (this.forgetting) return;
    this.forgetting = setTimeout(() => {
      this.forgetting = undefined;
      this.reads.clear();
    }, SHARED_READ_MS);
    this.forgetting.unref?.();
  }
}
