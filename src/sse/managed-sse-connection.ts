import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable, Subject } from 'rxjs';
import type { ChannelMember } from './channel-member.js';
import { assertChannelName } from './channel-name.js';
import type { ChannelRegistry } from './channel.registry.js';
import { HEARTBEAT_MESSAGE } from './protocol/heartbeat.message.js';
import { encodeSseEvent } from './protocol/sse-event.encoder.js';
import type { SseMessage } from './protocol/sse-message.js';
import type { SseConnection } from './sse-connection.js';
import type { SseEvent } from './sse-event.interface.js';
import { MESSAGES } from './sse.messages.js';

/** How a stream ended: closed by the server, failed, or dropped by the client. */
type Ending = { readonly kind: 'closed' } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'gone' };

const CLOSED: Ending = { kind: 'closed' };
const GONE: Ending = { kind: 'gone' };

/** What a connection needs from the registry that opened it. */
export interface ConnectionOwner {
  readonly channels: ChannelRegistry;
  /** Called once when the connection ends, to forget it. */
  release(connection: ManagedSseConnection): void;
}

/**
 * The implementation of {@link SseConnection}. Its events flow through an RxJS
 * Subject to the Observable that Nest's `@Sse()` pipeline subscribes to.
 *
 * Nest subscribes only after the handler has returned (or its promise has
 * resolved), so events sent before that wait in `queuedBeforeStart` and are
 * handed over first, in order, when Nest subscribes.
 */
export class ManagedSseConnection implements SseConnection, ChannelMember {
  readonly id = randomUUID();

  private readonly abortController = new AbortController();
  private readonly joined = new Set<string>();
  private readonly subject = new Subject<SseMessage>();
  /** Events sent before Nest subscribed; `undefined` once it has. */
  private queuedBeforeStart: SseMessage[] | undefined;
  private ending: Ending | undefined;
  private closeCallbacks: Array<() => void> = [];
  /** Whether an event was queued since the last heartbeat tick. */
  private activeSinceHeartbeat = false;
  /** Whether the handler has sent or closed yet; see `onFirstActivity()`. */
  private acted = false;
  private firstActivityCallback: (() => void) | undefined;

  /**
   * @param nestSignal the signal Nest aborts when the response ends for any
   * reason, including a client that disconnects before the stream started.
   * @param greeting messages that open the stream (the `retry:` hint).
   */
  constructor(
    readonly request: any,
    readonly lastEventId: string | undefined,
    private readonly owner: ConnectionOwner,
    nestSignal: AbortSignal | undefined,
    greeting: SseMessage[],
  ) {
    this.queuedBeforeStart = greeting;
    nestSignal?.addEventListener('abort', () => this.end(GONE), { once: true });
  }

  /** The Observable handed to Nest's `@Sse()` pipeline. */
  readonly events$ = new Observable<SseMessage>((subscriber) => {
    const queued = this.queuedBeforeStart ?? [];
    this.queuedBeforeStart = undefined;
    for (const message of queued) subscriber.next(message);
    if (this.ending) {
      if (this.ending.kind === 'failed') subscriber.error(this.ending.error);
      else subscriber.complete();
      return;
    }
    const subscription = this.subject.subscribe(subscriber);
    // Nest unsubscribes when the client goes away, and after we complete.
    return () => {
      subscription.unsubscribe();
      this.end(GONE);
    };
  });

  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  get closed(): boolean {
    return this.ending !== undefined;
  }

  get channels(): readonly string[] {
    return [...this.joined];
  }

  readonly send = (event: SseEvent): boolean => {
    const message = encodeSseEvent(event);
    this.noteActivity();
    return this.deliver(message);
  };

  readonly close = (): void => {
    this.noteActivity();
    this.end(CLOSED);
  };

  subscribe(name: string): void {
    assertChannelName(name);
    if (this.ending || this.joined.has(name)) return;
    this.joined.add(name);
    this.owner.channels.join(name, this);
  }

  unsubscribe(name: string): void {
    if (this.joined.delete(name)) this.owner.channels.leave(name, this);
  }

  onClose(callback: () => void): void {
    if (this.ending) this.runCloseCallback(callback);
    else this.closeCallbacks.push(callback);
  }

  /** Queues an already encoded message. */
  deliver(message: SseMessage): boolean {
    if (this.ending) return false;
    this.activeSinceHeartbeat = true;
    if (this.queuedBeforeStart) this.queuedBeforeStart.push(message);
    else this.subject.next(message);
    return true;
  }

  /** Writes a heartbeat comment unless an event went out since the last tick. */
  heartbeat(): void {
    if (this.ending || this.queuedBeforeStart) return;
    if (this.activeSinceHeartbeat) this.activeSinceHeartbeat = false;
    else this.subject.next(HEARTBEAT_MESSAGE);
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

  /** Ends the stream with an error, which Nest reports as it does for `@Sse()`. */
  fail(error: unknown): void {
    this.end({ kind: 'failed', error });
  }

  /** Forgets the connection when its request failed before the stream started. */
  discard(): void {
    this.end(GONE);
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
    for (const name of this.joined) this.owner.channels.leave(name, this);
    this.joined.clear();
    this.owner.release(this);
    this.abortController.abort();
    const callbacks = this.closeCallbacks;
    this.closeCallbacks = [];
    for (const callback of callbacks) this.runCloseCallback(callback);
    if (ending.kind === 'failed') this.subject.error(ending.error);
    else this.subject.complete();
  }

  private runCloseCallback(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      new Logger('SseConnection').error(MESSAGES.onCloseCallbackFailed(this.id), err instanceof Error ? err.stack : err);
    }
  }
}
