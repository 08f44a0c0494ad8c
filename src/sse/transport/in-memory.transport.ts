import { SseTransportError } from '../errors/sse-transport.error.js';
import { ChannelHistory } from '../history/channel-history.js';
import { formatEventId, newEventEpoch } from '../history/event-id.js';
import { ForgottenHistories } from '../history/forgotten-histories.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import { TRANSPORT_MESSAGES } from './transport.messages.js';
import {
  SseTransport,
  type ChannelEventDraft,
  type ReplayResult,
  type SseTransportHealth,
} from './sse-transport.js';
import type { TransportSink } from './transport-sink.js';

const HEALTHY: SseTransportHealth = Object.freeze({
  status: 'up',
  queuedSends: 0,
});

/**
 * How often events past their `maxAgeMs` are dropped from channels nobody
 * touches, and such channels forgotten: an expired event is freed at most this
 * long after it expires. One timer for all channels, running only while some
 * history has an age limit; each run costs O(channels with an age limit).
 */
export const HISTORY_SWEEP_MS = 5_000;

/**
 * The default transport: one process, history in memory. Publishing delivers
 * synchronously. A channel is forgotten, its settings with it, once it has
 * neither members nor events left; events past `maxAgeMs` are dropped within
 * {@link HISTORY_SWEEP_MS} even on a channel nobody touches.
 * @publicApi
 */
export class InMemoryTransport extends SseTransport {
  /** One per process: a restart starts a new history, whose ids the old ones never match. */
  readonly epoch = newEventEpoch();
  private readonly histories = new Map<string, ChannelHistory>();
  /** Channels whose history has an age limit, which the sweep looks at. */
  private readonly expiring = new Set<string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private lastPosition = 0;
  /**
   * Where forgotten channels' histories ended: a client resuming on one of them
   * from before events it lost is reset; the clients of other channels are not.
   */
  private readonly forgotten = new ForgottenHistories();
  private sink!: TransportSink;
  private closed = false;

  get head(): number {
    return this.lastPosition;
  }

  override isFuture(position: number): boolean {
    return position > this.lastPosition;
  }

  bind(sink: TransportSink): void {
    this.sink = sink;
  }

  publish(channel: string, event: ChannelEventDraft): number {
    if (this.closed)
      throw new SseTransportError(
        TRANSPORT_MESSAGES.sendAfterClose('InMemoryTransport', channel),
      );
    const position = ++this.lastPosition;
    const message: ChannelMessage = {
      type: event.type,
      id: formatEventId(this.epoch, position),
      retry: event.retry,
      data: event.data,
      position,
      source: event.source,
      conflationKey: event.conflationKey,
    };
    const history = this.historyOf(channel);
    history.append(message, Date.now());
    const delivered = this.sink.deliver(channel, message);
    if (history.isEmpty) this.forgetIfUnused(channel, history);
    return delivered;
  }

  async readAfter(
    channels: readonly string[],
    position: number,
  ): Promise<ReplayResult> {
    if (this.closed)
      throw new SseTransportError(
        TRANSPORT_MESSAGES.readAfterClose('InMemoryTransport'),
      );
    if (position > this.lastPosition) return { reset: 'unknown' };
    const now = Date.now();
    const events: ChannelMessage[] = [];
    for (const name of new Set(channels)) {
      const history = this.histories.get(name);
      if (!history) {
        if (position < this.forgotten.lostUpTo(name))
          return { reset: 'evicted' };
        continue;
      }
      const missed = history.readAfter(position, now);
      if (!missed) return { reset: 'evicted' };
      events.push(...missed);
    }
    events.sort((a, b) => a.position - b.position);
    return { events };
  }

  override membersChanged(channel: string): void {
    this.forgetIfUnused(channel);
  }

  override historyChanged(channel: string): void {
    const history = this.histories.get(channel);
    if (history) {
      const { size, maxAgeMs } = this.sink.historyOf(channel);
      history.configure(size, maxAgeMs, Date.now());
      this.watchExpiry(channel, history);
    }
    this.forgetIfUnused(channel);
  }

  async countAll(_channel: string, localCount: number): Promise<number> {
    return localCount;
  }

  override namesWithHistory(): Iterable<string> {
    return this.histories.keys();
  }

  health(): SseTransportHealth {
    return HEALTHY;
  }

  /** Stops the sweep timer; from now on, sends and history reads are refused. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private historyOf(channel: string): ChannelHistory {
    let history = this.histories.get(channel);
    if (!history) {
      const { size, maxAgeMs } = this.sink.historyOf(channel);
      history = new ChannelHistory(
        size,
        maxAgeMs,
        this.forgotten.take(channel),
      );
      this.histories.set(channel, history);
      this.watchExpiry(channel, history);
    }
    return history;
  }

  /**
   * Forgets `channel` if it has neither members nor events left (after
   * dropping its expired ones), remembering where its history ended, and
   * tells the sink, which forgets the channel's settings.
   */
  private forgetIfUnused(
    channel: string,
    history = this.histories.get(channel),
  ): void {
    if (this.sink.hasMembers(channel)) return;
    if (history) {
      history.evictExpired(Date.now());
      if (!history.isEmpty) return;
      this.histories.delete(channel);
      this.unwatchExpiry(channel);
      this.forgotten.add(channel, history.evictedUpTo);
    }
    this.sink.forgotten(channel);
  }

  private watchExpiry(channel: string, history: ChannelHistory): void {
    if (!history.expires) return this.unwatchExpiry(channel);
    this.expiring.add(channel);
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), HISTORY_SWEEP_MS);
    // Forgetting old events must not keep a process alive.
    this.sweepTimer.unref();
  }

  private unwatchExpiry(channel: string): void {
    if (!this.expiring.delete(channel) || this.expiring.size > 0) return;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Drops expired events everywhere, and forgets the channels left with neither events nor members. */
  private sweep(): void {
    const now = Date.now();
    for (const channel of this.expiring) {
      const history = this.histories.get(channel)!;
      history.evictExpired(now);
      if (history.isEmpty) this.forgetIfUnused(channel, history);
    }
  }
}
