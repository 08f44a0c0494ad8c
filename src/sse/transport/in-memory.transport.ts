import { ChannelHistory } from '../history/channel-history.js';
import { EventIds } from '../history/event-ids.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import {
  SseTransport,
  type ChannelEventDraft,
  type ReplayResult,
  type SseTransportHealth,
  type TransportSink,
} from './sse-transport.js';

const HEALTHY: SseTransportHealth = Object.freeze({
  status: 'up',
  queuedSends: 0,
});

/**
 * The default transport: one process, history in memory. Publishing delivers
 * synchronously. A channel's history is forgotten once it has neither members
 * nor events left, unless the channel was configured by name.
 * @publicApi
 */
export class InMemoryTransport extends SseTransport {
  private readonly eventIds = new EventIds();
  private readonly histories = new Map<string, ChannelHistory>();
  private readonly configured = new Set<string>();
  private lastPosition = 0;
  /**
   * The newest position of an event that a forgotten channel no longer keeps.
   * Whether a client missed it cannot be told any more, so a client resuming
   * from before it is reset rather than risk a silent gap.
   */
  private forgottenUpTo = 0;
  private sink!: TransportSink;

  get ids(): EventIds {
    return this.eventIds;
  }

  get head(): number {
    return this.lastPosition;
  }

  isFuture(position: number): boolean {
    return position > this.lastPosition;
  }

  bind(sink: TransportSink): void {
    this.sink = sink;
  }

  publish(channel: string, event: ChannelEventDraft): number {
    const position = ++this.lastPosition;
    const message: ChannelMessage = {
      type: event.type,
      id: this.eventIds.format(position),
      retry: event.retry,
      data: event.data,
      position,
      source: event.source,
      conflationKey: event.conflationKey,
    };
    const history = this.historyOf(channel);
    history.append(message, Date.now());
    const delivered = this.sink.deliver(channel, message);
    this.forgetIfUnused(channel, history);
    return delivered;
  }

  async readAfter(
    channels: readonly string[],
    position: number,
  ): Promise<ReplayResult> {
    if (position > this.lastPosition) return { reset: 'unknown' };
    if (position < this.forgottenUpTo) return { reset: 'evicted' };
    const now = Date.now();
    const events: ChannelMessage[] = [];
    for (const name of new Set(channels)) {
      const history = this.histories.get(name);
      if (!history) continue;
      const missed = history.readAfter(position, now);
      if (!missed) return { reset: 'evicted' };
      events.push(...missed);
    }
    events.sort((a, b) => a.position - b.position);
    return { events };
  }

  membersChanged(channel: string): void {
    const history = this.histories.get(channel);
    if (history) this.forgetIfUnused(channel, history);
  }

  historyChanged(channel: string): void {
    this.configured.add(channel);
    const { size, maxAgeMs } = this.sink.historyOf(channel);
    this.histories.get(channel)?.configure(size, maxAgeMs, Date.now());
  }

  async countAll(_channel: string, localCount: number): Promise<number> {
    return localCount;
  }

  namesWithHistory(): Iterable<string> {
    return this.histories.keys();
  }

  health(): SseTransportHealth {
    return HEALTHY;
  }

  private historyOf(channel: string): ChannelHistory {
    let history = this.histories.get(channel);
    if (!history) {
      const { size, maxAgeMs } = this.sink.historyOf(channel);
      history = new ChannelHistory(size, maxAgeMs);
      this.histories.set(channel, history);
    }
    return history;
  }

  private forgetIfUnused(channel: string, history: ChannelHistory): void {
    // A configured channel is named in code, so there are few: it is kept, and
    // with it the position of what it no longer has.
    if (this.sink.count(channel) > 0 || this.configured.has(channel)) return;
    history.evictExpired(Date.now());
    if (!history.isEmpty) return;
    this.histories.delete(channel);
    this.forgottenUpTo = Math.max(this.forgottenUpTo, history.evictedUpTo);
  }
}
