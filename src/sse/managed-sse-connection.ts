import { HttpException, IntrinsicException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Observable } from 'rxjs';
import type { ChannelMember } from './channel-member.js';
import { assertChannelName } from './channel-name.js';
import type { ChannelRegistry } from './channel.registry.js';
import {
  ConnectionOutbox,
  type OutboxOwner,
  type OutboxSocket,
  type OverflowReason,
} from './connection-outbox.js';
import type { DirectResponse } from './direct-writer.js';
import { SseError } from './errors/sse.error.js';
import type { PendingBudget } from './pending-budget.js';
import type { SseCounters } from './stats/sse-counters.js';
import { HEARTBEAT_MESSAGE } from './protocol/heartbeat.message.js';
import { encodeSseEvent } from './protocol/sse-event.encoder.js';
import type { ChannelMessage, SseMessage } from './protocol/sse-message.js';
import type { ResolvedSseOptions } from './resolved-sse-options.js';
import type { SseConnection } from './sse-connection.js';
import type { SseEvent } from './sse-event.interface.js';
import type { ConflateKey } from './slow-client-policy.js';
import { MESSAGES, type BacklogCause } from './sse.messages.js';

/** How a stream ended: closed by the server, failed, or dropped by the client. */
type Ending = 'closed' | 'failed' | 'gone';

/** What a connection needs from the registry that opened it. */
export interface ConnectionOwner {
  readonly channels: ChannelRegistry;
  readonly options: ResolvedSseOptions;
  readonly budget: PendingBudget;
  readonly counters: SseCounters;
  /** Called once when the connection ends, to forget it. */
  release(connection: ManagedSseConnection): void;
  /** Called when the connection is dropped for not reading. */
  dropSlow(
    connection: ManagedSseConnection,
    reason: OverflowReason,
    pending: number,
    limit: number,
  ): void;
}

/** Everything a connection is made of, gathered by the registry. */
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

/**
 * The implementation of {@link SseConnection}.
 *
 * It knows its `position`: that of the newest channel event it was given.
 * Every event it writes carries it as its id, so the `Last-Event-ID` of a
 * reconnecting browser says what it has. A connection that arrives with one
 * first replays what its channels sent after it (see `catchUp()`), while the
 * live events wait, then goes live.
 */
export class ManagedSseConnection
  implements SseConnection, ChannelMember, OutboxOwner
{
  readonly request: any;
  readonly lastEventId: string | undefined;

  /** Made when `signal` is first read: most connections never read it. */
  private abortController: AbortController | undefined;
  /** Made on first use, as are the id and the signal: most connections never read them. */
  private connectionId: string | undefined;
  private joinedChannels: Set<string> | undefined;
  private readonly outbox: ConnectionOutbox;
  private position: number;
  /** The position to replay from, until the catch-up has run. */
  private resumeFrom: number | undefined;
  /** Whether its catch-up is still to run or running: live events are held back by the outbox meanwhile. */
  private catchingUp = false;
  private ending: Ending | undefined;
  private closeCallbacks: Array<() => void> | undefined;
  /** Whether an event was queued since the last heartbeat tick. */
  private activeSinceHeartbeat = false;
  /** Whether the handler has sent or closed yet; see `onFirstActivity()`. */
  private acted = false;
  private firstActivityCallback: (() => void) | undefined;
  private noContentRequested = false;
  /** Whether events of its channels were lost while its catch-up read ran: it ends in a reset. */
  private missedDuringCatchUp = false;
  /** The endpoint's conflation key, for events whose channel has none. */
  private readonly endpointConflateKey: ConflateKey;

  constructor(
    private readonly owner: ConnectionOwner,
    setup: ConnectionSetup,
  ) {
    this.request = setup.request;
    this.lastEventId = setup.lastEventId;
    this.endpointConflateKey = setup.conflateKey;
    this.outbox = new ConnectionOutbox(
      this,
      setup.socket,
      setup.directResponse,
      setup.maxPendingDataLength,
      owner.budget,
      owner.counters,
    );
    const resumeFrom =
      setup.lastEventId === undefined
        ? undefined
        : owner.channels.ids.parse(setup.lastEventId);
    const resumable =
      resumeFrom !== undefined && !owner.channels.isFuture(resumeFrom);
    // The position is settled before anything is written: EventSource adopts
    // the id of every frame it dispatches, the `retry:` hint's too, so an id
    // past what a resuming client has been given would skip its replay, or
    // its reset, if it dropped right after that frame. A client whose id
    // cannot be resumed gets the hint on its reset, in one frame.
    this.position = resumable ? resumeFrom : owner.channels.head;
    if (setup.lastEventId !== undefined && !resumable) {
      // Malformed, from another history, or from the future: nothing to trust.
      this.pushReset('unknown', setup.retryMs);
      return;
    }
    if (setup.retryMs !== undefined)
      this.outbox.push({ id: this.currentId(), retry: setup.retryMs });
    if (resumable) {
      this.resumeFrom = resumeFrom;
      this.catchingUp = true;
    }
  }

  /** The Observable handed to Nest's `@Sse()` pipeline. */
  readonly events$ = new Observable<SseMessage>((subscriber) => {
    const subscription = this.outbox.subscribe(subscriber);
    if (this.resumeFrom !== undefined) void this.catchUp(this.resumeFrom);
    // Nest unsubscribes when the client goes away, and after we complete.
    return () => {
      subscription.unsubscribe();
      this.end('gone');
    };
  });

  get id(): string {
    return (this.connectionId ??= randomUUID());
  }

  get signal(): AbortSignal {
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.ending) this.abortController.abort();
    }
    return this.abortController.signal;
  }

  get closed(): boolean {
    return this.ending !== undefined;
  }

  get channels(): readonly string[] {
    return this.joinedChannels ? [...this.joinedChannels] : [];
  }

  readonly send = (event: SseEvent): boolean => {
    const encoded = encodeSseEvent(
      event,
      'connection',
      this.owner.options.maxEventBytes,
    );
    this.noteActivity();
    if (this.ending) return false;
    this.activeSinceHeartbeat = true;
    // An id of the caller's is kept: it then handles Last-Event-ID itself.
    this.outbox.push({
      type: encoded.type,
      id: encoded.id ?? this.currentId(),
      retry: encoded.retry,
      data: encoded.data,
    });
    return true;
  };

  readonly close = (): void => {
    this.noteActivity();
    this.end('closed');
  };

  subscribe(name: string): void {
    assertChannelName(name);
    const joined = (this.joinedChannels ??= new Set());
    if (this.ending || joined.has(name)) return;
    joined.add(name);
    this.owner.channels.join(name, this);
  }

  unsubscribe(name: string): void {
    if (this.joinedChannels?.delete(name))
      this.owner.channels.leave(name, this);
  }

  onClose(callback: () => void): void {
    if (this.ending) this.runCloseCallback(callback);
    else (this.closeCallbacks ??= []).push(callback);
  }

  noContent(): void {
    if (this.outbox.started || this.acted)
      throw new SseError(MESSAGES.noContentTooLate());
    this.noContentRequested = true;
  }

  /** Whether the handler asked for `204 No Content` instead of a stream. */
  get wantsNoContent(): boolean {
    return this.noContentRequested;
  }

  /** Queues a channel event, unless this connection has it already. */
  deliver(message: ChannelMessage): boolean {
    if (this.ending) return false;
    if (this.catchingUp) {
      this.outbox.hold(message);
      return true;
    }
    if (message.position <= this.position) return true;
    this.position = message.position;
    this.activeSinceHeartbeat = true;
    this.outbox.push(message);
    return true;
  }

  /** Tells the client it missed events of one of its channels that cannot be replayed. */
  missed(): void {
    if (this.ending) return;
    if (this.catchingUp) this.missedDuringCatchUp = true;
    else this.pushReset('evicted');
  }

  /**
   * The history restarted (the broker lost its data): positions start over, so
   * this connection's means nothing now. The client is reset; its channels'
   * events then come from the new history.
   */
  restartHistory(): void {
    if (this.ending) return;
    this.position = 0;
    if (this.catchingUp) {
      this.outbox.dropHeld();
      this.missedDuringCatchUp = true;
    } else {
      this.pushReset('evicted');
    }
  }

  /** Writes a heartbeat comment unless an event went out since the last tick. */
  heartbeat(): void {
    if (this.ending || !this.outbox.started) return;
    if (this.activeSinceHeartbeat) this.activeSinceHeartbeat = false;
    else this.outbox.push(HEARTBEAT_MESSAGE);
  }

  /** Tells the browser how long to wait before it reconnects (on shutdown). */
  hintRetry(retryMs: number): void {
    if (!this.ending)
      this.outbox.push({ id: this.currentId(), retry: retryMs });
  }

  conflationKeyOf(message: SseMessage): string | undefined {
    const channelMessage = message as Partial<ChannelMessage>;
    if (channelMessage.conflationKey !== undefined)
      return channelMessage.conflationKey;
    const key = this.endpointConflateKey;
    return key && channelMessage.source
      ? String(key(channelMessage.source))
      : undefined;
  }

  /** What its waiting events wait for: the stream to start, its replay (read or written), or its client to read. */
  get waitingFor(): BacklogCause {
    if (!this.outbox.started) return 'start';
    return this.catchingUp || this.outbox.replayWriting ? 'replay' : 'client';
  }

  overflowed(reason: OverflowReason, pending: number, limit: number): void {
    this.owner.dropSlow(this, reason, pending, limit);
  }

  /** Whether the handler has sent or closed yet: the stream has started then. */
  get hasActed(): boolean {
    return this.acted;
  }

  /** Calls `callback` once, when the handler first sends or closes (at once if it has already). */
  onFirstActivity(callback: () => void): void {
    if (this.acted) callback();
    else this.firstActivityCallback = callback;
  }

  /**
   * Ends the stream with an `error` event, as Nest's `@Sse()` does (the message
   * of an `HttpException`, `Internal server error` otherwise), but with this
   * connection's id, and logs the error.
   */
  fail(error: unknown): void {
    if (this.ending) return;
    if (!(error instanceof IntrinsicException)) {
      new Logger('SseEndpoint').error(
        error instanceof Error ? error.stack : String(error),
      );
    }
    this.outbox.push({
      type: 'error',
      id: this.currentId(),
      data: clientMessageOf(error),
    });
    this.end('failed');
  }

  /** Forgets the connection when its request failed before the stream started. */
  discard(): void {
    this.end('gone');
  }

  /**
   * Replays the events of this connection's channels after `from`, then the
   * live events that arrived meanwhile, skipping any it replayed already.
   */
  private async catchUp(from: number): Promise<void> {
    this.resumeFrom = undefined;
    let result;
    try {
      result = await this.owner.channels.readAfter(this.channels, from);
    } catch (err) {
      new Logger('SseConnection').warn(MESSAGES.replayFailed(this.id, err));
      result = { reset: 'evicted' as const };
    }
    if (this.ending) return;
    const live = this.outbox.releaseHeld() as ChannelMessage[];
    this.catchingUp = false;
    if (this.missedDuringCatchUp) result = { reset: 'evicted' as const };
    this.missedDuringCatchUp = false;
    if ('reset' in result) {
      // The client refetches its state, then gets every live event from here.
      this.position =
        live.length > 0 ? live[0].position - 1 : this.owner.channels.head;
      this.pushReset(result.reset);
    } else {
      this.owner.counters.replays++;
      this.owner.counters.replayedEvents += result.events.length;
      this.replay(result.events);
    }
    for (const message of live) this.deliver(message);
  }

  /**
   * Hands the outbox the replayed events (in position order) to write as fast
   * as the socket takes them, a replay larger than the connection's limit too;
   * the connection's position moves past them at once, so live events skip
   * what the replay holds and wait behind it.
   */
  private replay(events: readonly ChannelMessage[]): void {
    const missed: ChannelMessage[] = [];
    for (const message of events) {
      if (message.position <= this.position) continue;
      this.position = message.position;
      missed.push(message);
    }
    if (missed.length === 0) return;
    this.activeSinceHeartbeat = true;
    this.outbox.replay(missed);
  }

  private pushReset(reason: 'unknown' | 'evicted', retryMs?: number): void {
    this.owner.counters.resets++;
    this.outbox.push({
      type: this.owner.options.resetEventType,
      id: this.currentId(),
      retry: retryMs,
      data: reason,
    });
  }

  private currentId(): string {
    return this.owner.channels.ids.format(this.position);
  }

  private noteActivity(): void {
    this.acted = true;
    const callback = this.firstActivityCallback;
    this.firstActivityCallback = undefined;
    callback?.();
  }

  /** Every way a stream ends goes through here, so its cleanup runs once. */
  private end(ending: Ending): void {
    if (this.ending) return;
    this.ending = ending;
    for (const name of this.joinedChannels ?? [])
      this.owner.channels.leave(name, this);
    this.joinedChannels = undefined;
    this.catchingUp = false;
    this.outbox.dropHeld();
    this.owner.release(this);
    this.abortController?.abort();
    const callbacks = this.closeCallbacks ?? [];
    this.closeCallbacks = undefined;
    for (const callback of callbacks) this.runCloseCallback(callback);
    if (ending === 'gone') this.outbox.dispose();
    this.outbox.end();
  }

  private runCloseCallback(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      new Logger('SseConnection').error(
        MESSAGES.onCloseCallbackFailed(this.id),
        err instanceof Error ? err.stack : err,
      );
    }
  }
}

/** What the client is told of an error: Nest's `@Sse()` rules. */
function clientMessageOf(error: unknown): string {
  if (error instanceof HttpException) {
    return error.getResponse() instanceof Error
      ? (STATUS_CODES[error.getStatus()] ?? 'Error')
      : error.message;
  }
  return 'Internal server error';
}
