import { formatEventId, parseEventId } from '../history/event-id.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import type { SseCounters } from '../stats/sse-counters.js';
import type { ReplayResult } from '../transport/sse-transport.js';
import { replayedEventOf, type DeliveredEvent } from './delivered-event.js';

/** Why a client is reset: its id names no position of this history, or what it missed is gone. */
export type ResetReason = 'unknown' | 'evicted';

/** Where a connection's events come from, as far as its replay needs it: the channels of this process. */
export interface ReplaySource {
  /** The epoch of the current history: its ids are `formatEventId(epoch, position)`. */
  readonly epoch: string;
  /** The position of the newest event this process has seen. */
  readonly head: number;
  /** Whether `position` is known to be past every event of this history. */
  isFuture(position: number): boolean;
  /** The events of `names` after `position`, in position order, or a reset. */
  readAfter(names: readonly string[], position: number): Promise<ReplayResult>;
}

/**
 * What a cursor writes to: the connection's outbox, through its connection,
 * which implements this itself (an object of its own per connection would
 * cost a closure per method, kept as long as the connection).
 */
export interface ReplayTarget {
  /** Whether the connection has ended: a replay read meanwhile is dropped. */
  readonly closed: boolean;
  /** Writes a live event. */
  pushLive(event: DeliveredEvent): void;
  /** Holds a live event back, counted as waiting, until {@link releaseHeld}. */
  holdLive(event: DeliveredEvent): void;
  /** The live events held back, in order; they no longer count as waiting. */
  releaseHeld(): DeliveredEvent[];
  /** Lets go of the live events held back. */
  dropHeld(): void;
  /** Writes the replayed events (in position order), paced by the socket. */
  pushReplay(events: readonly DeliveredEvent[]): void;
  /** Writes a reset event with the cursor's current id. */
  pushReset(reason: ResetReason): void;
  /** Reading the history failed: the client gets a reset instead. */
  replayReadFailed(error: unknown): void;
}

/**
 * Where one connection stands in the history: its `position` (that of the
 * newest channel event it was given, which every event it writes carries as
 * its id, so that the `Last-Event-ID` of a reconnecting browser says what it
 * has), and, for a connection that arrives with an id, its catch-up: the
 * events its channels sent after that id are read and replayed while the
 * live events are held back, then the held events go out, skipping any the
 * replay carried.
 */
export class ReplayCursor {
  private position: number;
  /** The position to replay from, until the catch-up has run. */
  private resumeFrom: number | undefined;
  /** Whether its catch-up is still to run or running: live events are held back meanwhile. */
  private catchingUp = false;
  /** Whether events of its channels were lost while its catch-up read ran: it ends in a reset. */
  private missedDuringCatchUp = false;
  /** Whether the client's `Last-Event-ID` could not be resumed: it is to be reset at once. */
  readonly untrusted: boolean;

  constructor(
    private readonly source: ReplaySource,
    private readonly target: ReplayTarget,
    private readonly counters: SseCounters,
    lastEventId: string | undefined,
  ) {
    const resumeFrom =
      lastEventId === undefined
        ? undefined
        : parseEventId(lastEventId, source.epoch);
    const resumable = resumeFrom !== undefined && !source.isFuture(resumeFrom);
    // The position is settled before anything is written: EventSource adopts
    // the id of every frame it dispatches, the `retry:` hint's too, so an id
    // past what a resuming client has been given would skip its replay, or
    // its reset, if it dropped right after that frame.
    this.position = resumable ? resumeFrom : source.head;
    // Malformed, from another history, or from the future: nothing to trust.
    this.untrusted = lastEventId !== undefined && !resumable;
    if (resumable) {
      this.resumeFrom = resumeFrom;
      this.catchingUp = true;
    }
  }

  /** The id of the current position: what every event the connection writes carries. */
  get id(): string {
    return formatEventId(this.source.epoch, this.position);
  }

  /** Whether the catch-up is still to run or running (live events are held back meanwhile). */
  get catchingUpNow(): boolean {
    return this.catchingUp;
  }

  /** Runs the catch-up, if one is due and has not run, over the channels `names()` gives now. */
  startCatchUp(names: () => readonly string[]): void {
    const from = this.resumeFrom;
    if (from === undefined) return;
    this.resumeFrom = undefined;
    void this.catchUp(names(), from);
  }

  /** Takes a live event: writes it, holds it during a catch-up, or skips it if it was written already. */
  deliver(event: DeliveredEvent): void {
    if (this.catchingUp) {
      this.target.holdLive(event);
      return;
    }
    const { position } = event.message;
    if (position <= this.position) return;
    this.position = position;
    this.target.pushLive(event);
  }

  /** Events of a channel were lost: the client is reset (at the end of its catch-up, if one runs). */
  sendReset(): void {
    if (this.catchingUp) this.missedDuringCatchUp = true;
    else this.target.pushReset('evicted');
  }

  /**
   * The history restarted (the broker lost its data): positions start over,
   * so this one means nothing now. The client is reset; its channels' events
   * then come from the new history.
   */
  restart(): void {
    this.position = 0;
    if (this.catchingUp) {
      this.target.dropHeld();
      this.missedDuringCatchUp = true;
    } else {
      this.target.pushReset('evicted');
    }
  }

  /** Stops any catch-up: the connection ended. */
  stop(): void {
    this.catchingUp = false;
  }

  /**
   * Replays the events of `names` after `from`, then the live events that
   * arrived meanwhile, skipping any it replayed already.
   */
  private async catchUp(names: readonly string[], from: number): Promise<void> {
    let result: ReplayResult;
    try {
      result = await this.source.readAfter(names, from);
    } catch (err) {
      this.target.replayReadFailed(err);
      result = { reset: 'evicted' };
    }
    if (this.target.closed) return;
    const live = this.target.releaseHeld();
    this.catchingUp = false;
    if (this.missedDuringCatchUp) result = { reset: 'evicted' };
    this.missedDuringCatchUp = false;
    if ('reset' in result) {
      // The client refetches its state, then gets every live event from here.
      this.position =
        live.length > 0 ? live[0].message.position - 1 : this.source.head;
      this.target.pushReset(result.reset);
    } else {
      this.counters.replays++;
      this.counters.replayedEvents += result.events.length;
      this.replay(result.events);
    }
    for (const event of live) this.deliver(event);
  }

  /**
   * Hands the target the replayed events (in position order) to write as fast
   * as the socket takes them; the position moves past them at once, so live
   * events skip what the replay holds and wait behind it.
   */
  private replay(events: readonly ChannelMessage[]): void {
    const missed: DeliveredEvent[] = [];
    for (const message of events) {
      if (message.position <= this.position) continue;
      this.position = message.position;
      missed.push(replayedEventOf(message));
    }
    if (missed.length > 0) this.target.pushReplay(missed);
  }
}
