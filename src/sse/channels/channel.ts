import type { SseEventMap, SseEventOf } from '../sse-event-map.js';
import type { ChannelRegistry, ChannelSettings } from './channel.registry.js';
import type { SseFollowing, SseFollowListener } from './followed-event.js';

/**
 * A named stream of events that any number of connections subscribe to.
 * Obtained from `ChannelService.channel(name)`; it may be kept and reused for
 * as long as the application runs. `channels.channel<OrderEvents>('orders')`
 * (or a {@link defineChannel} definition) gives one whose `send` accepts only
 * the events of that map.
 * @publicApi
 */
export class SseChannel<TEvents extends SseEventMap = never> {
  /** @internal */
  constructor(
    /** The channel's name. */
    readonly name: string,
    private readonly registry: ChannelRegistry,
    /** The options it was obtained with, applied again if the channel was forgotten. */
    private readonly settings?: ChannelSettings,
  ) {}

  /**
   * Queues `event` for every connection subscribed to this channel, on every
   * endpoint, and keeps it in the channel's history for clients that
   * reconnect. The event is checked and encoded once, whatever the number of
   * subscribers, and gets its id from the channel (an `id` of its own is
   * refused). Throws an `SseEventError` for an event that cannot be written,
   * and an `SseTransportError` when the transport cannot take it (Redis
   * unreachable and its queue of sends full); either way no subscriber
   * receives anything. A send that returns is delivered: with Redis, once
   * Redis takes it, even if that is after an outage.
   * @returns the number of connections the event was queued for on this
   * instance. With a broker (Redis), the event reaches them a moment later,
   * through the broker, and this is the number subscribed here when it was sent.
   */
  send(event: SseEventOf<TEvents>): number {
    return this.registry.publish(this.name, event, this.settings);
  }

  /**
   * The id of "now" for this channel, valid as a `Last-Event-ID`: a client
   * resuming from it gets every event of the channel sent after it, once.
   * See `ChannelService.position()`.
   */
  position(): string {
    return this.registry.position();
  }

  /**
   * Follows this channel's events as this instance delivers them, from now
   * on: `listener.event` gets each one once, in position order, in the same
   * synchronous step in which `position()` moves past it (in memory, within
   * `send()`; with Redis, as the instance reads it from Redis). So state a
   * service builds from the events (a projection), read together with
   * `position()` without an `await` in between, is one cut of the sequence:
   * a page that loads it with `@SsePosition()` and opens its stream from
   * there misses no event and gets none twice, on every instance. See
   * "Serving state built from the events" in docs/delivery-guarantees.md.
   *
   * `listener.reset` is called when events of the channel were missed and
   * cannot be delivered (with Redis: trimmed before this instance read them,
   * or lost with Redis's data): load the state again. A listener that throws
   * is logged, and the connections and other followers still get the event.
   * An event a listener sends reaches the followers after it returns.
   *
   * A follower is not a connection: `count()`, `countAll()` and the stats
   * leave it out. Call `close()` on the result to stop following. Throws an
   * `SseOptionsError` when `event` or `reset` is not a function.
   */
  follow(listener: SseFollowListener<TEvents>): SseFollowing {
    return this.registry.follow(this.name, listener);
  }

  /** The number of connections subscribed to this channel now, on this instance. */
  count(): number {
    return this.registry.count(this.name);
  }

  /**
   * The number of connections subscribed to this channel on every instance of
   * the application. With the in-memory transport it is `count()`. With Redis,
   * each instance's count is at most a few milliseconds old, and an instance
   * that died stops being counted within the transport's `instanceTtlMs`
   * (5 s by default). Rejects with an `SseTransportError` while Redis is unreachable.
   */
  countAll(): Promise<number> {
    return this.registry.countAll(this.name);
  }
}
