import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  formatEventId,
  newEventEpoch,
  SseTransport,
  SseTransportError,
  type ChannelEventDraft,
  type ChannelMessage,
  type ReplayResult,
  type SseTransportHealth,
  type TransportSink,
} from '../sse/index.js';
import {
  BrokerChannelMessage,
  encodeBrokerPayload,
} from './broker-channel-message.js';
import {
  NOT_ANSWERING_MS,
  PendingPublishes,
  type QueuedSend,
} from './pending-publishes.js';
import { RedisKeys } from './redis-keys.js';
import type { RedisTransportOptions } from './redis-transport-options.interface.js';
import { REDIS_MESSAGES } from './redis.messages.js';
import {
  COUNT_ALL_SCRIPT,
  EPOCH_SCRIPT,
  PRESENCE_SCRIPT,
  PUBLISH_SCRIPT,
} from './redis.scripts.js';
import {
  channelStreamEvents,
  lostSome,
  type StreamEntry,
} from './redis-stream-entries.js';
import { SharedStreamReader } from './shared-stream-reader.js';

/** The scripts, as commands of the transport's own connection. */
interface ScriptCommands {
  ssePublish(
    ...keysAndArgs: Array<string | number>
  ): Promise<[0, string, string] | [1, string, number] | [2, string]>;
  sseEpoch(
    ...keysAndArgs: Array<string | number>
  ): Promise<[string, string, string]>;
  ssePresence(...keysAndArgs: Array<string | number>): Promise<number>;
  sseCountAll(...keysAndArgs: Array<string | number>): Promise<number>;
}

/** The scripts, as commands of the transport's connection: name, number of keys, Lua. */
const SCRIPTS: ReadonlyArray<[keyof ScriptCommands, number, string]> = [
  ['ssePublish', 6, PUBLISH_SCRIPT],
  ['sseEpoch', 3, EPOCH_SCRIPT],
  ['ssePresence', 2, PRESENCE_SCRIPT],
  ['sseCountAll', 1, COUNT_ALL_SCRIPT],
];

const DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'sse:',
  backlogSize: 10_000,
  maxQueuedSends: 10_000,
  instanceTtlMs: 5_000,
  connectTimeoutMs: 10_000,
  shutdownFlushMs: 2_000,
};
/**
 * How long Redis remembers the last send of an instance it took, to skip a
 * retried one. A send is retried within seconds of its reply being lost, or
 * once Redis is back after an outage; a day is far beyond either, and the
 * marker is one small key per instance.
 */
const SENT_MARKER_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * Member counts are written this long after they change, so a burst of joins
 * (a deploy's reconnections) costs one write; `countAll()` is that much late
 * at most, far below what a dashboard notices.
 */
const COUNT_WRITE_DELAY_MS = 20;
/**
 * How long the waiting sends rest after Redis refused one (out of memory,
 * say) before they are tried again: trying at once would only be refused
 * again, and log a warning per try.
 */
const REFUSAL_RETRY_MS = 1000;

/**
 * Channels over Redis, for an application that runs as several instances
 * behind a load balancer, with no sticky sessions:
 *
 * - every event gets its position from one Redis counter, is kept in its
 *   channel's history (a stream trimmed to the history size) and in a stream
 *   shared by all channels, which every instance reads in order: a send on one
 *   instance reaches the subscribers of every instance, once, in order;
 * - a client that reconnects to another instance is replayed from Redis;
 * - `countAll()` adds up the subscribers of every live instance;
 * - while Redis is unreachable, streams stay open, sends wait in a bounded
 *   queue (or are refused with an `SseTransportError` when it is full), and
 *   reading resumes where it stopped.
 *
 * ```ts
 * SseModule.forRoot({ transport: new RedisTransport({ url: process.env.REDIS_URL }) })
 * ```
 * @publicApi
 */
export class RedisTransport extends SseTransport {
  private readonly logger = new Logger('RedisTransport');
  private readonly keys: RedisKeys;
  private readonly settings: typeof DEFAULTS;
  private readonly commands: Redis & ScriptCommands;
  private readonly reader: Redis;
  private readonly streamReader: SharedStreamReader;
  private readonly pending: PendingPublishes;
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly usesGivenClient: boolean;
  /** The epoch of the history in use: Redis's, once started. */
  private currentEpoch = newEventEpoch();
  /** The epoch set if Redis has none: it is new, or lost its data. */
  private freshEpoch = newEventEpoch();
  /** The position the current history's events come after (see `RedisKeys.start`). */
  private historyStart = 0;
  private sink!: TransportSink;
  private readonly changedCounts = new Set<string>();
  private countWriteTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;
  /** The error Redis answered the last publish with, until one is taken again. */
  private publishRefusal: unknown;
  /** Whether the epoch is known: sends wait until then. */
  private started = false;
  private closing = false;

  constructor(options: RedisTransportOptions = {}) {
    super();
    this.settings = resolveOptions(options);
    this.keys = new RedisKeys(this.settings.keyPrefix);
    this.usesGivenClient = options.client !== undefined;
    // Each command fails at once while Redis is unreachable, rather than wait
    // in ioredis's queue: the transport keeps and retries what must not be lost.
    const connection: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      keyPrefix: undefined,
    };
    // Named, so that `CLIENT LIST` tells which connections are whose.
    const name = `${this.settings.keyPrefix}${this.instanceId}`.replace(
      /[^\w:.-]/g,
      '_',
    );
    const commands = { ...connection, connectionName: `${name}:commands` };
    this.commands = (
      options.client
        ? options.client.duplicate(commands)
        : new Redis(this.settings.url, commands)
    ) as Redis & ScriptCommands;
    this.reader = this.commands.duplicate({
      ...connection,
      connectionName: `${name}:reader`,
    });
    for (const [command, numberOfKeys, lua] of SCRIPTS)
      this.commands.defineCommand(command, { numberOfKeys, lua });
    this.pending = new PendingPublishes(
      this.settings.maxQueuedSends,
      (batch) => this.publishBatch(batch),
      () => this.whyNotTaking(),
    );
    this.streamReader = new SharedStreamReader(
      this.reader,
      this.commands,
      this.keys,
      {
        idOf: (position) => formatEventId(this.currentEpoch, position),
        epoch: () => this.currentEpoch,
        hasMembers: (channel) => this.sink.hasMembers(channel),
        channelsWithMembers: () => this.sink.channelsWithMembers(),
        deliver: (channel, message) => this.sink.deliver(channel, message),
        resetMembers: (channel) => this.sink.resetMembers(channel),
        checkEpoch: () => this.checkEpoch(),
        skipped: (from, to) =>
          this.logger.warn(REDIS_MESSAGES.eventsSkipped(from, to)),
        failed: (error) => this.noteFailure(error),
      },
    );
    for (const client of [this.commands, this.reader]) {
      client.on('error', (error: unknown) => this.noteFailure(error));
      client.on('ready', () => this.noteReady());
    }
  }

  get epoch(): string {
    return this.currentEpoch;
  }

  get head(): number {
    return this.streamReader.position;
  }

  bind(sink: TransportSink): void {
    this.sink = sink;
  }

  /**
   * Connects to Redis and starts reading; the application does not start
   * without Redis. (No `isFuture`: clients may be a little ahead of this
   * instance, and Redis tells when the history is read.)
   */
  override async start(): Promise<void> {
    const ready = Promise.all(
      [this.commands, this.reader].map((client) => this.connect(client)),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      // The last connection error (ECONNREFUSED, a DNS failure, AUTH...)
      // says more than the timeout.
      timer = setTimeout(
        () => reject(new Error(this.lastError ?? 'no answer')),
        this.settings.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
      const [epoch, position, start] = await this.commands.sseEpoch(
        this.keys.epoch,
        this.keys.position,
        this.keys.start,
        this.freshEpoch,
        '',
        0,
      );
      this.historyStart = Number(start);
      this.currentEpoch = epoch;
      // Never offer the epoch in use as the next one: a restart must change it.
      if (epoch === this.freshEpoch) this.freshEpoch = newEventEpoch();
      this.streamReader.start(Number(position));
      this.started = true;
    } catch (error) {
      this.commands.disconnect();
      this.reader.disconnect();
      const { host, port } = this.commands.options;
      const where = this.usesGivenClient
        ? `${host}:${port}`
        : this.settings.url;
      throw new SseTransportError(
        REDIS_MESSAGES.startFailed(
          where,
          this.settings.connectTimeoutMs,
          error,
        ),
      );
    } finally {
      clearTimeout(timer);
    }
    // Presence is renewed three times per `instanceTtlMs`, so an instance
    // whose renewal is late once or twice (a slow round trip, a long GC pause)
    // is still counted.
    this.presenceTimer = setInterval(
      () => this.writeCounts(),
      Math.max(1, Math.floor(this.settings.instanceTtlMs / 3)),
    );
    this.presenceTimer.unref();
    this.writeCounts();
    this.pending.flush();
  }

  /**
   * Runs after the module has closed its streams: publishes the sends still
   * queued (for up to `shutdownFlushMs`), tells Redis this instance is gone,
   * and closes both connections. Sends and history reads are refused from
   * the moment it is called.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.presenceTimer);
    clearTimeout(this.countWriteTimer);
    clearTimeout(this.retryTimer);
    if (!(await this.pending.whenEmpty(this.settings.shutdownFlushMs))) {
      this.logger.error(REDIS_MESSAGES.unsentAtShutdown(this.pending.size));
    }
    this.streamReader.stop();
    await Promise.all([
      this.quit(this.reader),
      this.leave().then(() => this.quit(this.commands)),
    ]);
  }

  /** Takes this instance out of the counts at once, rather than when its presence expires. */
  private async leave(): Promise<void> {
    if (this.commands.status !== 'ready') return;
    await this.commands
      .multi()
      .zrem(this.keys.instances, this.instanceId)
      .del(this.keys.members(this.instanceId))
      .exec()
      .catch(() => undefined);
  }

  /** Ends a connection with QUIT when Redis answers, and drops it otherwise. */
  private async quit(client: Redis): Promise<void> {
    if (client.status === 'ready') await client.quit().catch(() => undefined);
    client.disconnect();
  }

  publish(channel: string, event: ChannelEventDraft): undefined {
    if (this.closing)
      throw new SseTransportError(REDIS_MESSAGES.sendAfterClose(channel));
    this.pending.push(channel, encodeBrokerPayload(event));
    return undefined;
  }

  async readAfter(
    channels: readonly string[],
    position: number,
  ): Promise<ReplayResult> {
    if (this.closing)
      throw new SseTransportError(REDIS_MESSAGES.readAfterClose);
    const names = [...new Set(channels)];
    // A position before the history's start (a reset's) means its start: what
    // is before it belongs to a lost history.
    const from = Math.max(position, this.historyStart);
    const pipeline = this.commands
      .pipeline()
      .get(this.keys.epoch)
      .get(this.keys.position)
      .time();
    for (const name of names)
      pipeline.xrange(this.keys.channel(name), `(${from}-0`, '+');
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed) throw failed[0];
    const [epoch, newest, time] = replies
      .slice(0, 3)
      .map(([, value]) => value) as [
      string | null,
      string | null,
      [string, string],
    ];
    if (epoch !== this.currentEpoch || position > Number(newest ?? 0))
      return { reset: 'unknown' };
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const events: ChannelMessage[] = [];
    for (let i = 0; i < names.length; i++) {
      const kept = channelStreamEvents(replies[i + 3][1] as StreamEntry[]);
      if (kept.length === 0) continue;
      const { size, maxAgeMs } = this.sink.historyOf(names[i]);
      if (size === 0 || lostSome(kept, from)) return { reset: 'evicted' };
      if (maxAgeMs !== undefined && now - kept[0].at > maxAgeMs)
        return { reset: 'evicted' };
      for (const event of kept) {
        events.push(
          new BrokerChannelMessage(
            formatEventId(this.currentEpoch, event.position),
            event.position,
            event.payload,
          ),
        );
      }
    }
    events.sort((a, b) => a.position - b.position);
    return { events };
  }

  override membersChanged(channel: string): void {
    this.changedCounts.add(channel);
    if (!this.countWriteTimer && this.presenceTimer) {
      this.countWriteTimer = setTimeout(
        () => this.writeCounts(),
        COUNT_WRITE_DELAY_MS,
      );
      this.countWriteTimer.unref();
    }
  }

  async countAll(channel: string, localCount: number): Promise<number> {
    try {
      const others = await this.commands.sseCountAll(
        this.keys.instances,
        this.keys.prefix,
        channel,
        this.instanceId,
      );
      return localCount + Number(others);
    } catch (error) {
      throw new SseTransportError(
        REDIS_MESSAGES.countAllFailed(channel, error),
      );
    }
  }

  health(): SseTransportHealth {
    const queuedSends = this.pending.size;
    const error = this.whyDown();
    return error === undefined
      ? { status: 'up', queuedSends }
      : { status: 'down', queuedSends, error };
  }

  /** Why events do not flow now, or `undefined` while they do. */
  private whyDown(): string | undefined {
    if (this.commands.status !== 'ready' || this.reader.status !== 'ready')
      return this.lastError ?? `connection ${this.commands.status}`;
    if (this.pending.unanswered)
      return REDIS_MESSAGES.notAnswering(NOT_ANSWERING_MS);
    if (this.publishRefusal !== undefined)
      return REDIS_MESSAGES.notTakingRefused(this.publishRefusal);
    return undefined;
  }

  private connect(client: Redis): Promise<void> {
    return new Promise((resolve) => {
      client.once('ready', () => resolve());
      client.connect().catch(() => undefined); // retried by ioredis; reported through 'error'
    });
  }

  /** Hands a batch of queued sends to Redis; resolves to how many it took. */
  private async publishBatch(batch: readonly QueuedSend[]): Promise<number> {
    if (!this.started || this.commands.status !== 'ready') return 0;
    const epoch = this.currentEpoch;
    const pipeline = this.commands.pipeline() as ReturnType<Redis['pipeline']> &
      ScriptCommands;
    for (const send of batch) {
      // A channel's stream keeps at least its newest event, even with a
      // history of 0: the next event links to it (`p`), and that link is how a
      // reader and a replay tell that events were lost. `readAfter` replays
      // nothing from a history of 0.
      const size = Math.max(1, this.sink.historyOf(send.channel).size);
      pipeline.ssePublish(
        this.keys.epoch,
        this.keys.position,
        this.keys.start,
        this.keys.events,
        this.keys.channel(send.channel),
        this.keys.sent(this.instanceId),
        epoch,
        this.freshEpoch,
        send.sequence,
        send.channel,
        send.payload,
        size,
        this.settings.backlogSize,
        SENT_MARKER_TTL_MS,
        this.streamReader.position,
      );
    }
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (error) {
      this.noteFailure(error);
      return 0;
    }
    for (let taken = 0; taken < batch.length; taken++) {
      const [error, reply] = replies[taken] ?? [new Error('no reply')];
      if (error) {
        this.logger.warn(REDIS_MESSAGES.publishFailed(error));
        this.publishRefusal = error;
        this.retryLater();
        return taken;
      }
      this.publishRefusal = undefined;
      const [outcome, replyEpoch, start] = reply as [number, string, string];
      if (outcome === 0) {
        // Redis lost data: the rest go into the new history.
        this.restartHistory(replyEpoch, Number(start));
        setImmediate(() => this.pending.flush());
        return taken;
      }
    }
    return batch.length;
  }

  /** Why Redis does not take sends now, for the refusal of a send past `maxQueuedSends`; `undefined` while it does. */
  private whyNotTaking(): string | undefined {
    if (this.commands.status !== 'ready')
      return REDIS_MESSAGES.notTakingUnreachable;
    if (this.publishRefusal !== undefined)
      return REDIS_MESSAGES.notTakingRefused(this.publishRefusal);
    return undefined;
  }

  /** On every (re)connection of the reader, before it reads on, and when a read found another epoch. */
  private async checkEpoch(): Promise<void> {
    const [epoch, , start] = await this.commands.sseEpoch(
      this.keys.epoch,
      this.keys.position,
      this.keys.start,
      this.freshEpoch,
      this.currentEpoch,
      this.streamReader.position,
    );
    this.restartHistory(epoch, Number(start));
  }

  /**
   * Moves to the history `epoch`, whose events come after `start`, if it is a
   * new one: every stream is reset, and events are read from its start.
   */
  private restartHistory(epoch: string, start: number): void {
    if (epoch === this.currentEpoch) return;
    this.logger.warn(REDIS_MESSAGES.historyRestarted(epoch));
    this.currentEpoch = epoch;
    this.historyStart = start;
    this.freshEpoch = newEventEpoch();
    for (const channel of this.sink.channelsWithMembers())
      this.changedCounts.add(channel);
    this.streamReader.restartFrom(start);
    this.sink.restarted();
  }

  /** Writes this instance's changed member counts and renews its presence. */
  private writeCounts(): void {
    this.countWriteTimer = undefined;
    if (!this.started || this.closing || this.commands.status !== 'ready')
      return;
    const changed = [...this.changedCounts];
    this.changedCounts.clear();
    const pairs = changed.flatMap((channel) => [
      channel,
      String(this.sink.count(channel)),
    ]);
    this.commands
      .ssePresence(
        this.keys.instances,
        this.keys.members(this.instanceId),
        this.instanceId,
        this.settings.instanceTtlMs,
        ...pairs,
      )
      .catch((error: unknown) => {
        for (const channel of changed) this.changedCounts.add(channel);
        this.noteFailure(error);
      });
  }

  /** Tries the waiting sends again after `REFUSAL_RETRY_MS`, once however often a refusal asks. */
  private retryLater(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pending.flush();
    }, REFUSAL_RETRY_MS);
    this.retryTimer.unref();
  }

  private noteFailure(error: unknown): void {
    if (this.closing) return;
    if (this.lastError === undefined)
      this.logger.warn(REDIS_MESSAGES.unreachable(error));
    this.lastError = REDIS_MESSAGES.errorText(error);
  }

  private noteReady(): void {
    // Before the start, start() does this once the epoch is known.
    if (!this.started || this.commands.status !== 'ready') return;
    // A send refused with the connection (it was closing) is retried now.
    this.publishRefusal = undefined;
    // Redis may have lost this instance's counts with the connection.
    for (const channel of this.sink.channelsWithMembers())
      this.changedCounts.add(channel);
    this.writeCounts();
    this.pending.flush();
    if (this.reader.status !== 'ready' || this.lastError === undefined) return;
    this.logger.log(REDIS_MESSAGES.reachableAgain(this.pending.size));
    this.lastError = undefined;
  }
}

function resolveOptions(options: RedisTransportOptions): typeof DEFAULTS {
  if (typeof options !== 'object' || options === null) {
    throw new SseTransportError(
      REDIS_MESSAGES.badOption('options', 'an object', options),
    );
  }
  const settings = { ...DEFAULTS };
  for (const key of ['url', 'keyPrefix'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '')
      throw new SseTransportError(
        REDIS_MESSAGES.badOption(key, 'a non-empty string', value),
      );
    settings[key] = value;
  }
  for (const key of [
    'backlogSize',
    'maxQueuedSends',
    'instanceTtlMs',
    'connectTimeoutMs',
    'shutdownFlushMs',
  ] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1)
      throw new SseTransportError(
        REDIS_MESSAGES.badOption(key, 'a positive integer', value),
      );
    settings[key] = value;
  }
  if (
    options.client !== undefined &&
    typeof options.client?.duplicate !== 'function'
  ) {
    throw new SseTransportError(
      REDIS_MESSAGES.badOption('client', 'an ioredis client', options.client),
    );
  }
  return settings;
}
