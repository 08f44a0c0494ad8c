import {
  Injectable,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  ChannelFollower,
  FollowedEvent,
  type FollowedChannels,
} from './channel-follower.js';
import type { ChannelMember } from './channel-member.js';
import type { FollowListener } from './followed-event.js';
import type { SseChannelOptions } from './channel-options.interface.js';
import { formatEventId } from '../history/event-id.js';
import type { HistoryLimits } from '../history/history-limits.js';
import { SseOptionsError } from '../errors/sse-options.error.js';
import { MESSAGES } from '../sse.messages.js';
import { DeliveredEvent } from '../connection/delivered-event.js';
import {
  resolveSlowClient,
  type ConflateKey,
} from '../connection/slow-client-policy.js';
import { validateAndSerializeEvent } from '../protocol/sse-event.serializer.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import { ResolvedSseOptions, resolveHistory } from '../resolved-sse-options.js';
import type { SseEvent } from '../sse-event.interface.js';
import { SseTransport, type ReplayResult } from '../transport/sse-transport.js';
import type { TransportSink } from '../transport/transport-sink.js';
import { SharedHistoryReads } from './shared-history-reads.js';

/** A channel's settings, from `channels.channel(name, options)` or the module's. */
export interface ChannelSettings {
  readonly history: HistoryLimits;
  readonly conflateKey: ConflateKey;
}

/**
 * The channels of this process: who is a member of which (kept here only: a
 * connection asks for its channels), and each channel's settings. A
 * channel's members are its connections and its followers
 * (`SseChannel.follow()`); only connections are counted. Events go out
 * through the transport, which orders them, keeps their history and hands
 * them back here (at once in memory, through the broker with several
 * processes) to be delivered to the members.
 *
 * A channel is listed while it has members here, or history in this process;
 * once it has neither, its settings are forgotten too (the channel handle
 * that was given them brings them back when it sends). Joining and leaving
 * are O(1).
 *
 * It binds the transport when it is made, starts it at init and closes it at
 * shutdown (after the connections were drained).
 */
@Injectable()
export class ChannelRegistry
  implements
    TransportSink,
    FollowedChannels,
    OnModuleInit,
    OnApplicationShutdown
{
  private readonly members = new Map<string, Set<ChannelMember>>();
  private readonly followers = new Map<string, Set<ChannelFollower>>();
  /**
   * Calls to followers not made yet, in order. A listener that sends (in
   * memory, delivered at once) would otherwise hand the new event to the
   * followers after it before the event they are being given: queued, each
   * follower gets every event in position order.
   */
  private readonly followerCalls: Array<() => void> = [];
  private callingFollowers = false;
  /**
   * The same membership by member, in the order each joined: what a
   * connection lists as its channels, and leaves when it ends. Kept with
   * `members`, by `join()` and `leave()` only.
   */
  private readonly memberships = new Map<ChannelMember, Set<string>>();
  /** Settings given with `channels.channel(name, options)`, by channel. */
  private readonly settings = new Map<string, ChannelSettings>();
  private readonly defaults: ChannelSettings;
  private readonly restartListeners: Array<() => void> = [];
  /** Replays' reads of the history, one for the clients that ask the same at once. */
  private readonly historyReads: SharedHistoryReads;

  constructor(
    private readonly options: ResolvedSseOptions,
    private readonly transport: SseTransport,
  ) {
    this.defaults = { history: options.history, conflateKey: undefined };
    this.historyReads = new SharedHistoryReads(transport);
    transport.bind(this);
  }

  /** The epoch of the current history, which names its ids (it changes when the history restarts). */
  get epoch(): string {
    return this.transport.epoch;
  }

  /** The position of the newest event this process has seen, of any channel. */
  get head(): number {
    return this.transport.head;
  }

  /**
   * The id of the newest event this process has seen, of any channel: where
   * a client that should get every event from now on resumes.
   */
  position(): string {
    return formatEventId(this.transport.epoch, this.transport.head);
  }

  /** Whether `position` is past every event of this history, as far as can be told now. */
  isFuture(position: number): boolean {
    return this.transport.isFuture?.(position) ?? false;
  }

  /** Starts the transport (connects to its broker); the application does not start without it. */
  async onModuleInit(): Promise<void> {
    await this.transport.start?.();
  }

  /** Closes the transport, once the connections were drained (`beforeApplicationShutdown`). */
  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }

  /**
   * Applies options to channel `name` from now on, while it has members or
   * history. Returns them resolved, for the channel's handle to send with.
   */
  configure(name: string, options: SseChannelOptions): ChannelSettings {
    const settings: ChannelSettings = {
      history: resolveHistory(
        `history of channel "${name}"`,
        options.history,
        this.defaults.history,
      ),
      conflateKey: resolveSlowClient(`channel "${name}"`, options.slowClient),
    };
    this.settings.set(name, settings);
    this.transport.historyChanged?.(name);
    return settings;
  }

  /** Number of channels with settings of their own. */
  get configuredCount(): number {
    return this.settings.size;
  }

  /** Adds `member` to channel `name`; `false` if it was a member already. */
  join(name: string, member: ChannelMember): boolean {
    let members = this.members.get(name);
    if (!members) this.members.set(name, (members = new Set()));
    if (members.has(member)) return false;
    members.add(member);
    let joined = this.memberships.get(member);
    if (!joined) this.memberships.set(member, (joined = new Set()));
    joined.add(name);
    this.transport.membersChanged?.(name);
    return true;
  }

  /** Removes `member` from channel `name`; `false` if it was not a member. */
  leave(name: string, member: ChannelMember): boolean {
    const members = this.members.get(name);
    if (!members?.delete(member)) return false;
    if (members.size === 0) this.members.delete(name);
    const joined = this.memberships.get(member)!;
    joined.delete(name);
    if (joined.size === 0) this.memberships.delete(member);
    this.transport.membersChanged?.(name);
    return true;
  }

  /** Follows channel `name` with `listener` from now on: see `SseChannel.follow()`. */
  follow(name: string, listener: FollowListener): ChannelFollower {
    if (
      typeof listener?.event !== 'function' ||
      typeof listener?.reset !== 'function'
    )
      throw new SseOptionsError(
        MESSAGES.followListenerNotFunctions(name, listener),
      );
    const follower = new ChannelFollower(name, listener, this);
    let followers = this.followers.get(name);
    if (!followers) this.followers.set(name, (followers = new Set()));
    followers.add(follower);
    this.transport.membersChanged?.(name);
    return follower;
  }

  /** Stops `follower`'s deliveries (`follower.close()`). */
  unfollow(name: string, follower: ChannelFollower): void {
    const followers = this.followers.get(name);
    if (!followers?.delete(follower)) return;
    if (followers.size === 0) this.followers.delete(name);
    this.transport.membersChanged?.(name);
  }

  /** Removes `member` from every channel it is a member of. */
  leaveAll(member: ChannelMember): void {
    for (const name of this.memberships.get(member) ?? [])
      this.leave(name, member);
  }

  /** The channels `member` is a member of, in the order it joined them. */
  channelsOf(member: ChannelMember): string[] {
    const joined = this.memberships.get(member);
    return joined ? [...joined] : [];
  }

  /**
   * Checks and encodes `event` once and hands it to the transport, which
   * orders it, keeps it and delivers it to every member.
   * @param settings the settings of the handle it is sent with: they apply
   * again to a channel that was forgotten with its settings.
   * @returns the number of members it was delivered to in this process: at
   * once in memory; with a broker, the members here when it was sent.
   */
  publish(name: string, event: SseEvent, settings?: ChannelSettings): number {
    const encoded = validateAndSerializeEvent(
      event,
      'channel',
      this.options.maxEventBytes,
    );
    let current = this.settings.get(name);
    // Set before the transport creates the channel's history from them.
    const restored = !current && settings !== undefined;
    if (restored) this.settings.set(name, (current = settings));
    const conflateKey = (current ?? this.defaults).conflateKey;
    const delivered = this.transport.publish(name, {
      type: encoded.type,
      data: encoded.data,
      retry: encoded.retry,
      source: event,
      conflationKey: conflateKey ? String(conflateKey(event)) : undefined,
    });
    // A history kept meanwhile with the module's limits takes the handle's.
    if (restored) this.transport.historyChanged?.(name);
    return delivered ?? this.count(name);
  }

  /**
   * The events of `names` after `position`, in the order they were sent, or a
   * reset when one of them is no longer kept. Asynchronous, as a history kept
   * elsewhere (Redis) is; callers buffer live events meanwhile. Clients that
   * ask the same at once share one read ({@link SharedHistoryReads}).
   */
  readAfter(names: readonly string[], position: number): Promise<ReplayResult> {
    return this.historyReads.readAfter(names, position);
  }

  /** Number of connections subscribed to channel `name` in this process (followers are not counted). */
  count(name: string): number {
    return this.members.get(name)?.size ?? 0;
  }

  /** Whether channel `name` has members in this process: connections, or followers. */
  hasMembers(name: string): boolean {
    return this.members.has(name) || this.followers.has(name);
  }

  /** Number of connections subscribed to channel `name` in every process. */
  countAll(name: string): Promise<number> {
    return this.transport.countAll(name, this.count(name));
  }

  channelsWithMembers(): Iterable<string> {
    if (this.followers.size === 0) return this.members.keys();
    return new Set([...this.members.keys(), ...this.followers.keys()]);
  }

  /** Connections subscribed to each channel that has any, in this process. */
  memberCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, members] of this.members) counts[name] = members.size;
    return counts;
  }

  /** Names of the channels that have members here, or history in this process. */
  names(): string[] {
    return [
      ...new Set([
        ...this.members.keys(),
        ...(this.transport.namesWithHistory?.() ?? []),
      ]),
    ];
  }

  /** Calls `listener` when the history restarts (a broker lost its data). */
  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  deliver(name: string, message: ChannelMessage): number {
    const members = this.members.get(name);
    let delivered = 0;
    if (members) {
      // Made once here and shared by every member: what writing the event
      // costs (its wire text, its size) is worked out once for all of them.
      const event = new DeliveredEvent(message);
      // A delivery can drop a member that stopped reading, which removes it from
      // `members` during the loop; a Set's iterator skips removed entries.
      for (const member of members) {
        if (member.deliver(event)) delivered++;
      }
    }
    // After the connections: a follower's listener may send.
    const followers = this.followers.get(name);
    if (followers) {
      const event = new FollowedEvent(message);
      this.callFollowers(followers, (follower) => follower.deliver(event));
    }
    return delivered;
  }

  resetMembers(name: string): void {
    for (const member of this.members.get(name) ?? []) member.sendReset();
    this.callFollowers(this.followers.get(name), (follower) =>
      follower.reset(),
    );
  }

  restarted(): void {
    for (const listener of this.restartListeners) listener();
    for (const followers of this.followers.values())
      this.callFollowers(followers, (follower) => follower.reset());
  }

  /** Makes `call` for each of `followers`, in order after the calls queued before (see `followerCalls`). */
  private callFollowers(
    followers: ReadonlySet<ChannelFollower> | undefined,
    call: (follower: ChannelFollower) => void,
  ): void {
    if (!followers) return;
    for (const follower of followers)
      this.followerCalls.push(() => call(follower));
    if (this.callingFollowers) return;
    this.callingFollowers = true;
    try {
      // A call may queue more (a listener that sends): they are run too.
      for (let i = 0; i < this.followerCalls.length; i++)
        this.followerCalls[i]();
    } finally {
      this.followerCalls.length = 0;
      this.callingFollowers = false;
    }
  }

  forgotten(name: string): void {
    this.settings.delete(name);
  }

  historyOf(name: string): HistoryLimits {
    return this.settingsOf(name).history;
  }

  private settingsOf(name: string): ChannelSettings {
    return this.settings.get(name) ?? this.defaults;
  }
}
