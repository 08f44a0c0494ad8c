import { Logger } from '@nestjs/common';
import type { ChannelMessage } from '../protocol/sse-message.js';
import { MESSAGES } from '../sse.messages.js';
import type {
  SseFollowedEventOf,
  FollowListener,
  SseFollowing,
} from './followed-event.js';

/** Where a follower's channel is followed: the channel registry. */
export interface FollowedChannels {
  unfollow(channel: string, follower: ChannelFollower): void;
}

/**
 * A listener of `SseChannel.follow()`, as the channel registry holds it: it
 * receives the channel's events as this process delivers them, and its
 * resets. Unlike a connection it has nothing to write: it is not counted
 * (`count()`, `countAll()`, the stats), and a listener that throws is logged
 * and kept.
 */
export class ChannelFollower implements SseFollowing {
  private closed = false;

  constructor(
    readonly channel: string,
    private readonly listener: FollowListener,
    private readonly channels: FollowedChannels,
  ) {}

  /** Hands `event` (one object for every follower of the channel) to the listener, unless it was closed meanwhile. */
  deliver(event: FollowedEvent): void {
    if (this.closed) return;
    this.call('event', () => this.listener.event(event));
  }

  /** Tells the listener that events were missed. */
  reset(): void {
    if (this.closed) return;
    this.call('reset', () => this.listener.reset());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channels.unfollow(this.channel, this);
  }

  private call(what: 'event' | 'reset', listener: () => void): void {
    try {
      listener();
    } catch (err) {
      new Logger('SseChannel').error(
        MESSAGES.followListenerFailed(this.channel, what),
        err instanceof Error ? err.stack : err,
      );
    }
  }
}

/**
 * A channel event as followers see it: read-only, `json()` parsed on demand.
 * Made once per event delivered, for every follower of its channel.
 */
export class FollowedEvent implements SseFollowedEventOf<string, unknown> {
  constructor(private readonly message: ChannelMessage) {}

  get type(): string {
    return this.message.type ?? 'message';
  }

  get id(): string {
    return this.message.id;
  }

  get data(): string {
    return this.message.data;
  }

  json(): unknown {
    return JSON.parse(this.message.data);
  }
}
