import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable } from 'rxjs';
import type { ChannelMember } from '../channels/channel-member.js';
import { assertChannelName } from '../channels/channel-name.js';
import { HEARTBEAT_MESSAGE } from '../protocol/heartbeat.message.js';
import { validateAndSerializeEvent } from '../protocol/sse-event.serializer.js';
import type { ChannelMessage, SseMessage } from '../protocol/sse-message.js';
import type { SseEvent } from '../sse-event.interface.js';
import { MESSAGES, type BacklogCause } from '../sse.messages.js';
import { CloseCallbacks } from './close-callbacks.js';
import {
  ConnectionOutbox,
  type OutboxOwner,
  type OverflowReason,
} from './connection-outbox.js';
import type { ConnectionOwner, ConnectionSetup } from './connection-owner.js';
import { DeliveredEvent, type OutgoingMessage } from './delivered-event.js';
import { errorFrameOf } from './error-frame.js';
import { HandlerStart } from './handler-start.js';
import {
  ReplayCursor,
  type ReplayTarget,
  type ResetReason,
} from './replay-cursor.js';
import type { SseConnection } from './sse-connection.js';
import type { ConflateKey } from './slow-client-policy.js';

/**
 * The implementation of {@link SseConnection}: the handler's API (send,
 * close, subscribe, onClose), over an outbox that writes to the client and a
 * replay cursor that knows where the client stands in the history. Every way
 * a stream ends goes through `end()`, so its cleanup runs once.
 */
export class ManagedSseConnection
  implements SseConnection, ChannelMember, OutboxOwner, ReplayTarget
{
  readonly request: any;
  readonly lastEventId: string | undefined;

  /** Made when `signal` is first read: most connections never read it. */
  private abortController: AbortController | undefined;
  /** Made on first use, as is the signal: most connections never read it. */
  private connectionId: string | undefined;
  private readonly outbox: ConnectionOutbox;
  private readonly cursor: ReplayCursor;
  private readonly start = new HandlerStart();
  /** Made on first use: many connections register no close callback. */
  private closeCallbacks: CloseCallbacks | undefined;
  /** Whether the stream has ended (closed, failed, or its client gone). */
  private ended = false;
  /** Whether an event was queued since the last heartbeat tick. */
  private activeSinceHeartbeat = false;
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
    this.cursor = new ReplayCursor(
      owner.channels,
      this,
      owner.counters,
      setup.lastEventId,
    );
    // A client whose id cannot be resumed gets the hint on its reset, in one frame.
    if (this.cursor.untrusted) this.pushReset('unknown', setup.retryMs);
    else if (setup.retryMs !== undefined)
      this.outbox.push({ id: this.cursor.id, retry: setup.retryMs });
  }

  /** The Observable handed to Nest's `@Sse()` pipeline. */
  readonly events$ = new Observable<SseMessage>((subscriber) => {
    const subscription = this.outbox.subscribe(subscriber);
    this.cursor.startCatchUp(() => this.channels);
    // Nest unsubscribes when the client goes away, and after we complete.
    return () => {
      subscription.unsubscribe();
      this.end(true);
    };
  });

  get id(): string {
    return (this.connectionId ??= randomUUID());
  }

  get signal(): AbortSignal {
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.ended) this.abortController.abort();
    }
    return this.abortController.signal;
  }

  get closed(): boolean {
    return this.ended;
  }

  get channels(): readonly string[] {
    return this.owner.channels.channelsOf(this);
  }

  readonly send = (event: SseEvent): boolean => {
    const serialized = validateAndSerializeEvent(
      event,
      'connection',
      this.owner.options.maxEventBytes,
    );
    this.start.noteActivity();
    if (this.ended) return false;
    this.activeSinceHeartbeat = true;
    // An id of the caller's is kept: it then handles Last-Event-ID itself.
    this.outbox.push({
      type: serialized.type,
      id: serialized.id ?? this.cursor.id,
      retry: serialized.retry,
      data: serialized.data,
    });
    return true;
  };

  readonly close = (): void => {
    this.start.noteActivity();
    this.end(false);
  };

  subscribe(name: string): void {
    assertChannelName(name);
    if (!this.ended) this.owner.channels.join(name, this);
  }

  unsubscribe(name: string): void {
    this.owner.channels.leave(name, this);
  }

  onClose(callback: () => void): void {
    const callbacks = (this.closeCallbacks ??= new CloseCallbacks(
      () => this.id,
    ));
    if (this.ended) callbacks.run(callback);
    else callbacks.add(callback);
  }

  noContent(): void {
    this.start.requestNoContent(this.outbox.started);
  }

  /** Whether the handler asked for `204 No Content` instead of a stream. */
  get wantsNoContent(): boolean {
    return this.start.wantsNoContent;
  }

  /** Queues a channel event, unless this connection has it already. */
  deliver(event: DeliveredEvent): boolean {
    if (this.ended) return false;
    this.cursor.deliver(event);
    return true;
  }

  /** Sends the client a reset: it missed events of one of its channels that cannot be replayed. */
  sendReset(): void {
    if (!this.ended) this.cursor.sendReset();
  }

  /** The history restarted (the broker lost its data); see `ReplayCursor.restart()`. */
  restartHistory(): void {
    if (!this.ended) this.cursor.restart();
  }

  /** Writes a heartbeat comment unless an event went out since the last tick. */
  heartbeat(): void {
    if (this.ended || !this.outbox.started) return;
    if (this.activeSinceHeartbeat) this.activeSinceHeartbeat = false;
    else this.outbox.push(HEARTBEAT_MESSAGE);
  }

  /** Tells the browser how long to wait before it reconnects (on shutdown). */
  hintRetry(retryMs: number): void {
    if (!this.ended) this.outbox.push({ id: this.cursor.id, retry: retryMs });
  }

  conflationKeyOf(item: OutgoingMessage): string | undefined {
    const message: Partial<ChannelMessage> =
      item instanceof DeliveredEvent ? item.message : item;
    if (message.conflationKey !== undefined) return message.conflationKey;
    const key = this.endpointConflateKey;
    return key && message.source ? String(key(message.source)) : undefined;
  }

  /** What its waiting events wait for: the stream to start, its replay (read or written), or its client to read. */
  get waitingFor(): BacklogCause {
    if (!this.outbox.started) return 'start';
    return this.cursor.catchingUpNow || this.outbox.replayWriting
      ? 'replay'
      : 'client';
  }

  overflowed(reason: OverflowReason, pending: number, limit: number): void {
    this.owner.dropSlow(this, reason, pending, limit);
  }

  /** Whether the handler has sent or closed yet: the stream has started then. */
  get hasActed(): boolean {
    return this.start.hasActed;
  }

  /** Calls `callback` once, when the handler first sends or closes (at once if it has already). */
  onFirstActivity(callback: () => void): void {
    this.start.onFirstActivity(callback);
  }

  /** Ends the stream with an `error` event, as Nest's `@Sse()` does, and logs the error (see `errorFrameOf`). */
  fail(error: unknown): void {
    if (this.ended) return;
    this.outbox.push(errorFrameOf(error, this.cursor.id));
    this.end(false);
  }

  /** Forgets the connection when its request failed before the stream started, or its client left. */
  discard(): void {
    this.end(true);
  }

  // How the replay cursor writes to this connection (ReplayTarget).

  /** Writes a live channel event (see {@link ReplayTarget}). */
  pushLive(event: DeliveredEvent): void {
    this.activeSinceHeartbeat = true;
    this.outbox.push(event);
  }

  /** Holds a live channel event back while the catch-up is read. */
  holdLive(event: DeliveredEvent): void {
    this.outbox.hold(event);
  }

  /** The live events held back, in order. */
  releaseHeld(): DeliveredEvent[] {
    return this.outbox.releaseHeld() as DeliveredEvent[];
  }

  /** Lets go of the live events held back. */
  dropHeld(): void {
    this.outbox.dropHeld();
  }

  /** Writes the catch-up's events, paced by the socket. */
  pushReplay(events: readonly DeliveredEvent[]): void {
    this.activeSinceHeartbeat = true;
    this.outbox.replay(events);
  }

  /** Reading the catch-up failed: logged; the cursor resets the client. */
  replayReadFailed(error: unknown): void {
    new Logger('SseConnection').warn(MESSAGES.replayFailed(this.id, error));
  }

  /** Writes a reset event with the cursor's id (and a `retry:` hint, if given). */
  pushReset(reason: ResetReason, retryMs?: number): void {
    this.owner.counters.resets++;
    this.outbox.push({
      type: this.owner.options.resetEventType,
      id: this.cursor.id,
      retry: retryMs,
      data: reason,
    });
  }

  /**
   * Every way a stream ends goes through here, so its cleanup runs once.
   * @param gone whether its client is gone (or it never started): what waits for it is let go.
   */
  private end(gone: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.owner.channels.leaveAll(this);
    this.cursor.stop();
    this.outbox.dropHeld();
    this.owner.release(this);
    this.abortController?.abort();
    this.closeCallbacks?.runAll();
    if (gone) this.outbox.dispose();
    this.outbox.end();
  }
}
