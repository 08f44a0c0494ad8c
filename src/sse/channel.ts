import type { SseEvent } from './sse-event.interface.js';
import type { ChannelRegistry } from './channel.registry.js';

/**
 * A named stream of events that any number of connections subscribe to.
 * Obtained from `ChannelService.channel(name)`; it may be kept and reused for
 * as long as the application runs.
 * @publicApi
 */
export class SseChannel {
  /** @internal */
  constructor(
    /** The channel's name. */
    readonly name: string,
    private readonly registry: ChannelRegistry,
  ) {}

  /**
   * Queues `event` for every connection subscribed to this channel, on every
   * endpoint, and keeps it in the channel's history for clients that
   * reconnect. The event is checked and encoded once, whatever the number of
   * subscribers, and gets its id from the channel (an `id` of its own is
   * refused). Throws an `SseEventError` for an event that cannot be written,
   * and then no subscriber receives anything.
   * @returns the number of connections the event was queued for.
   */
  send(event: SseEvent): number {
    return this.registry.publish(this.name, event);
  }

  /** The number of connections subscribed to this channel now. */
  count(): number {
    return this.registry.count(this.name);
  }
}
