import { Injectable } from '@nestjs/common';
import type { ChannelMember } from './channel-member.js';
import type { SseChannelOptions } from './channel-options.interface.js';
import { ChannelHistory } from './history/channel-history.js';
import { EventIds } from './history/event-ids.js';
import { encodeSseEvent } from './protocol/sse-event.encoder.js';
import type { ChannelMessage } from './protocol/sse-message.js';
import { ResolvedSseOptions, resolveHistory, type HistoryLimits } from './resolved-sse-options.js';
import type { SseEvent } from './sse-event.interface.js';
import { resolveSlowClient, type ConflateKey } from './slow-client-policy.js';

/** A channel's settings, from `channels.channel(name, options)` or the module's. */
interface ChannelSettings {
  readonly history: HistoryLimits;
  readonly conflateKey: ConflateKey;
}

/** What the registry holds for a channel while it has members or history. */
interface ChannelState {
  readonly members: Set<ChannelMember>;
  readonly history: ChannelHistory;
}

/** The result of a history read: the events to replay, or why there are none to trust. */
export type ReplayResult = { readonly events: ChannelMessage[] } | { readonly reset: 'evicted' };

/**
 * The channels of the application: their members, their history, and the one
 * sequence of positions that orders the events of all of them.
 *
 * A channel is kept while it has members or events in its history, and
 * forgotten after: a channel per user (`user:42`) does not outlive its user's
 * connections and history. Joining and leaving are O(1).
 */
@Injectable()
export class ChannelRegistry {
  readonly ids = new EventIds();
  private readonly channels = new Map<string, ChannelState>();
  /** Settings given with `channels.channel(name, options)`, by channel. */
  private readonly settings = new Map<string, ChannelSettings>();
  private readonly defaults: ChannelSettings;
  private lastPosition = 0;
  /**
   * The newest position of an event that a forgotten channel no longer keeps.
   * Whether a client missed it cannot be told any more, so a client resuming
   * from before it is reset rather than risk a silent gap.
   */
  private forgottenUpTo = 0;

  constructor(private readonly options: ResolvedSseOptions) {
    this.defaults = { history: options.history, conflateKey: undefined };
  }

  /** The position of the newest event of any channel. */
  get head(): number {
    return this.lastPosition;
  }

  /** Applies options to channel `name` from now on. */
  configure(name: string, options: SseChannelOptions): void {
    const settings: ChannelSettings = {
      history: resolveHistory(`history of channel "${name}"`, options.history, this.defaults.history),
      conflateKey: resolveSlowClient(`channel "${name}"`, options.slowClient),
    };
    this.settings.set(name, settings);
    this.channels.get(name)?.history.configure(settings.history.size, settings.history.maxAgeMs, Date.now());
  }

  /** Adds `member` to channel `name`; `false` if it was a member already. */
  join(name: string, member: ChannelMember): boolean {
    const state = this.stateOf(name);
    if (state.members.has(member)) return false;
    state.members.add(member);
    return true;
  }

  /** Removes `member` from channel `name`; `false` if it was not a member. */
  leave(name: string, member: ChannelMember): boolean {
    const state = this.channels.get(name);
    if (!state?.members.delete(member)) return false;
    this.forgetIfUnused(name, state);
    return true;
  }

  /**
   * Checks and encodes `event` once, gives it the next position, keeps it in
   * the channel's history and queues it for every member.
   * @returns the number of members it was queued for.
   */
  publish(name: string, event: SseEvent): number {
    const encoded = encodeSseEvent(event, 'channel', this.options.maxEventBytes);
    const settings = this.settingsOf(name);
    const conflationKey = settings.conflateKey ? String(settings.conflateKey(event)) : undefined;
    const position = ++this.lastPosition;
    const message: ChannelMessage = {
      type: encoded.type,
      id: this.ids.format(position),
      retry: encoded.retry,
      data: encoded.data,
      position,
      source: event,
      conflationKey,
    };
    const state = this.stateOf(name);
    state.history.append(message, Date.now());
    let queued = 0;
    // A delivery can drop a member that stopped reading, which removes it from
    // `members` during the loop; a Set's iterator skips removed entries.
    for (const member of state.members) {
      if (member.deliver(message)) queued++;
    }
    this.forgetIfUnused(name, state);
    return queued;
  }

  /**
   * The events of `names` after `position`, in the order they were sent, or a
   * reset when one of them is no longer kept. Asynchronous, as a history kept
   * elsewhere (Redis) is; callers buffer live events meanwhile.
   */
  async readAfter(names: readonly string[], position: number): Promise<ReplayResult> {
    if (position < this.forgottenUpTo) return { reset: 'evicted' };
    const now = Date.now();
    const events: ChannelMessage[] = [];
    for (const name of new Set(names)) {
      const state = this.channels.get(name);
      if (!state) continue;
      const missed = state.history.readAfter(position, now);
      if (!missed) return { reset: 'evicted' };
      events.push(...missed);
    }
    events.sort((a, b) => a.position - b.position);
    return { events };
  }

  /** Number of members of channel `name`. */
  count(name: string): number {
    return this.channels.get(name)?.members.size ?? 0;
  }

  /** Names of the channels that have members or history. */
  names(): string[] {
    return [...this.channels.keys()];
  }

  private settingsOf(name: string): ChannelSettings {
    return this.settings.get(name) ?? this.defaults;
  }

  private stateOf(name: string): ChannelState {
    let state = this.channels.get(name);
    if (!state) {
      const { size, maxAgeMs } = this.settingsOf(name).history;
      state = { members: new Set(), history: new ChannelHistory(size, maxAgeMs) };
      this.channels.set(name, state);
    }
    return state;
  }

  private forgetIfUnused(name: string, state: ChannelState): void {
    // A configured channel is named in code, so there are few: it is kept, and
    // with it the position of what it no longer has.
    if (state.members.size > 0 || this.settings.has(name)) return;
    state.history.evictExpired(Date.now());
    if (!state.history.isEmpty) return;
    this.channels.delete(name);
    this.forgottenUpTo = Math.max(this.forgottenUpTo, state.history.evictedUpTo);
  }
}
