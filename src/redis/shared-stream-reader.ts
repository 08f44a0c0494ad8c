import type { Redis } from 'ioredis';
import { BrokerChannelMessage } from './broker-channel-message.js';
import type { RedisKeys } from './redis-keys.js';
import {
  channelStreamEvents,
  lostSome,
  positionOf,
  type ChannelStreamEvent,
  type StreamEntry,
} from './redis-stream-entries.js';

/** What the reader hands events to: the transport. */
export interface SharedStreamHandler {
  /** Formats the id of the event at `position` in the current history. */
  idOf(position: number): string;
  /** The epoch of the history the transport is in. */
  epoch(): string;
  /** Whether this instance has members of `channel`: events of others are skipped unread. */
  hasMembers(channel: string): boolean;
  /** Channels with members in this instance. */
  channelsWithMembers(): Iterable<string>;
  deliver(channel: string, message: BrokerChannelMessage): void;
  /** Sends a reset to the members of `channel`: they missed events that are gone from Redis. */
  resetMembers(channel: string): void;
  /**
   * Checks the epoch in Redis, which may call `restartFrom`: before reading on
   * after a (re)connection, and when a read found an epoch other than `epoch()`.
   */
  checkEpoch(): Promise<void>;
  /** Events `from + 1` to `to - 1` were gone from the shared stream: they are read from channel histories. */
  skipped(from: number, to: number): void;
  /** Reading failed; it is retried once the connection is back. */
  failed(error: unknown): void;
}

/**
 * Events one `XREAD` returns at most: an instance that fell behind catches up
 * a thousand events per round trip, and one reply (and the work of handing it
 * on) stays bounded by a thousand events, however far behind it is.
 */
const READ_COUNT = 1000;
/**
 * How long one `XREAD` waits for events before it returns empty. Each read
 * also reads the epoch, so this is the longest an instance that neither
 * publishes nor receives anything takes to notice that Redis lost its data
 * (a flush, a restart without persistence). One empty read a second per
 * instance costs Redis nothing.
 */
export const READ_BLOCK_MS = 1000;
/**
 * How long the reader rests after a read failed on a live connection (a
 * script error, say) before it tries again, so that it does not spin: a
 * second costs nothing next to the failure, and logs one line a second at
 * most. After a dropped connection it reads again as soon as it is back.
 */
const FAILED_READ_PAUSE_MS = 1000;

/**
 * Reads the shared stream of every channel's events, in position order, on a
 * connection of its own (`XREAD BLOCK`), and hands each event to the transport.
 * Every read also reads the epoch, and a read returns at least every
 * `READ_BLOCK_MS`: an instance learns that Redis lost its data within that
 * time even if it never publishes.
 *
 * Unlike Pub/Sub, a stream is read from a position, so a dropped connection
 * loses nothing: the reader carries on from the last event it handed on. If
 * events are gone from the stream meanwhile (it is trimmed to `backlogSize`),
 * they are read from the histories of the channels this instance has members
 * of, and the members of a channel whose history lost some get a reset.
 */
export class SharedStreamReader {
  /** Position of the last event handed on. */
  private cursor = 0;
  /** Bumped when the history restarts, so a read of the old one is dropped. */
  private generation = 0;
  private stopped = false;
  private blocked = false;
  private connectionId: number | undefined;
  private stoppedSignal: (() => void) | undefined;

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly keys: RedisKeys,
    private readonly handler: SharedStreamHandler,
  ) {}

  get position(): number {
    return this.cursor;
  }

  /** Starts reading after `position`. */
  start(position: number): void {
    this.cursor = position;
    void this.run();
  }

  /** Reads on after `position` instead, dropping a read under way: the history restarted. */
  restartFrom(position: number): void {
    this.cursor = position;
    this.generation++;
    this.unblock();
  }

  /** Stops reading; a read under way returns at once (its connection can then quit). */
  stop(): void {
    this.stopped = true;
    this.stoppedSignal?.();
    this.unblock();
  }

  private async run(): Promise<void> {
    let mustConnect = true;
    while (!this.stopped) {
      try {
        if (mustConnect) {
          await this.whenReady();
          if (this.stopped) return;
          this.connectionId = Number(await this.reader.client('ID'));
          await this.handler.checkEpoch();
          mustConnect = false;
        }
        await this.readOnce();
      } catch (error) {
        if (this.stopped) return;
        this.handler.failed(error);
        mustConnect = true;
        if (this.reader.status === 'ready')
          await this.pause(FAILED_READ_PAUSE_MS);
      }
    }
  }

  private async readOnce(): Promise<void> {
    const generation = this.generation;
    this.blocked = true;
    // The epoch is read right after the events, on the same connection: if it
    // is still the one in use, the events are of this history (a new history's
    // events are only ever written under its own epoch).
    const replies = await this.reader
      .pipeline()
      .xread(
        'COUNT',
        READ_COUNT,
        'BLOCK',
        READ_BLOCK_MS,
        'STREAMS',
        this.keys.events,
        `${this.cursor}-0`,
      )
      .get(this.keys.epoch)
      .exec()
      .finally(() => (this.blocked = false));
    if (generation !== this.generation) return;
    const [[readError, reply], [epochError, epoch]] = (replies ?? [
      [new Error('no reply')],
      [new Error('no reply')],
    ]) as [
      [Error | null, Array<[string, StreamEntry[]]> | null],
      [Error | null, string | null],
    ];
    if (readError) throw readError;
    if (epochError) throw epochError;
    if (epoch !== this.handler.epoch()) {
      // Redis lost its data: what was read may be the new history's, under old ids.
      await this.handler.checkEpoch();
      return;
    }
    if (!reply) return;
    for (const [id, fields] of reply[0][1]) {
      const position = positionOf(id);
      if (position <= this.cursor) continue;
      if (position > this.cursor + 1) {
        await this.backfill(this.cursor, position);
        if (generation !== this.generation) return;
      }
      this.handOn(fields[1], position, fields[3]);
      this.cursor = position;
    }
  }

  private handOn(channel: string, position: number, payload: string): void {
    if (!this.handler.hasMembers(channel)) return;
    this.handler.deliver(
      channel,
      new BrokerChannelMessage(this.handler.idOf(position), position, payload),
    );
  }

  /**
   * Events `from + 1` to `to - 1` were trimmed from the shared stream before
   * this instance read them: reads them from the histories of its channels.
   */
  private async backfill(from: number, to: number): Promise<void> {
    const channels = [...this.handler.channelsWithMembers()];
    if (channels.length === 0) return;
    this.handler.skipped(from, to);
    const pipeline = this.commands.pipeline();
    for (const channel of channels)
      pipeline.xrange(this.keys.channel(channel), `(${from}-0`, '+');
    const replies = (await pipeline.exec()) ?? [];
    const found: Array<{ channel: string; event: ChannelStreamEvent }> = [];
    channels.forEach((channel, i) => {
      const [error, entries] = replies[i] as [Error | null, StreamEntry[]];
      if (error) throw error;
      const events = channelStreamEvents(entries);
      if (lostSome(events, from)) this.handler.resetMembers(channel);
      // Those from `to` on come through the shared stream.
      for (const event of events)
        if (event.position < to) found.push({ channel, event });
    });
    found.sort((a, b) => a.event.position - b.event.position);
    for (const { channel, event } of found)
      this.handOn(channel, event.position, event.payload);
  }

  /** Ends a blocked read from the other connection: `CLIENT UNBLOCK` makes it return nothing. */
  private unblock(): Promise<unknown> {
    if (
      !this.blocked ||
      this.connectionId === undefined ||
      this.commands.status !== 'ready'
    )
      return Promise.resolve();
    return this.commands
      .client('UNBLOCK', this.connectionId)
      .catch(() => undefined);
  }

  private whenReady(): Promise<void> {
    if (this.reader.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.reader.off('ready', done);
        this.stoppedSignal = undefined;
        resolve();
      };
      this.reader.once('ready', done);
      this.stoppedSignal = done;
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stoppedSignal = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
