import type { ChannelMember } from '../channels/channel-member.js';
import type { ResolvedSseOptions } from '../resolved-sse-options.js';
import type { SseCounters } from '../stats/sse-counters.js';
import type { OutboxSocket, OverflowReason } from './connection-outbox.js';
import type { DirectResponse } from './direct-writer.js';
import type { ManagedSseConnection } from './managed-sse-connection.js';
import type { PendingBudget } from './pending-budget.js';
import type { ReplaySource } from './replay-cursor.js';
import type { ConflateKey } from './slow-client-policy.js';

/**
 * The channels of this process, as far as a connection needs them: its
 * replay, and its membership, which the channel registry alone keeps.
 */
export interface ConnectionChannels extends ReplaySource {
  /** Adds `member` to channel `name`; `false` if it was a member already. */
  join(name: string, member: ChannelMember): boolean;
  /** Removes `member` from channel `name`; `false` if it was not a member. */
  leave(name: string, member: ChannelMember): boolean;
  /** Removes `member` from every channel it is a member of. */
  leaveAll(member: ChannelMember): void;
  /** The channels `member` is a member of, in the order it joined them. */
  channelsOf(member: ChannelMember): readonly string[];
}

/** What a connection needs from the registry that opened it, and nothing more. */
export interface ConnectionOwner {
  readonly channels: ConnectionChannels;
  /** The module's limits a connection applies itself. */
  readonly options: Pick<
    ResolvedSseOptions,
    'maxEventBytes' | 'resetEventType'
  >;
  /** The application's budget of characters waiting for slow clients. */
  readonly budget: PendingBudget;
  readonly counters: SseCounters;
  /** Called once when the connection ends, to forget it. */
  release(connection: ManagedSseConnection): void;
  /** Called when the connection is to be dropped for not reading. */
  dropSlow(
    connection: ManagedSseConnection,
    reason: OverflowReason,
    pending: number,
    limit: number,
  ): void;
}

/** Everything one connection is made of, gathered by the registry from its request and endpoint. */
export interface ConnectionSetup {
  readonly request: any;
  readonly socket: OutboxSocket | undefined;
  /** The raw response, to write to directly with `delivery: 'direct'`; `undefined` for Nest's pipeline. */
  readonly directResponse: DirectResponse | undefined;
  /** `Last-Event-ID`, from the header or the `lastEventId` query parameter. */
  readonly lastEventId: string | undefined;
  readonly maxPendingDataLength: number;
  /** The endpoint's conflation key, for events whose channel has none. */
  readonly conflateKey: ConflateKey;
  /** The `retry:` hint to open the stream with, if any. */
  readonly retryMs: number | undefined;
}
