import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ChannelRegistry } from './channel.registry.js';
import { clientKeyDigest } from './client-key-digest.js';
import type { OverflowReason } from './connection-outbox.js';
import { SseError } from './errors/sse.error.js';
import {
  ManagedSseConnection,
  type ConnectionOwner,
} from './managed-sse-connection.js';
import { PendingBudget } from './pending-budget.js';
import { decodeUtf8Header } from './protocol/utf8-header.js';
import {
  ResolvedSseOptions,
  checkCount,
  checkDelivery,
} from './resolved-sse-options.js';
import type { SseConnection } from './sse-connection.js';
import type { SseEndpointOptions } from './sse-endpoint-options.interface.js';
import { SseHeartbeat } from './sse-heartbeat.js';
import { SseCounters } from './stats/sse-counters.js';
import { resolveSlowClient } from './slow-client-policy.js';
import {
  DEFAULT_MAX_PENDING_DATA_LENGTH,
  DEFAULT_RECONNECT_MS,
  SHUTDOWN_CLOSE_TIMEOUT_MS,
} from './sse.constants.js';
import { MESSAGES } from './sse.messages.js';

/**
 * Why a connection is refused: `reason` is told to the client and logged; it
 * never holds the client's key, only the log gets its digest (`client`).
 */
interface Refusal {
  readonly reason: string;
  readonly client?: string;
}

/** The request's parts a connection is opened from. */
export interface ConnectionRequest {
  /** The request as the handler sees it (`@Req()`). */
  readonly request: any;
  /** The response, as `@Res()` gives it. */
  readonly response: any;
}

/**
 * Opens, tracks and closes the SSE connections of one application: admission
 * limits, the shared heartbeat, the slow-client budget and the shutdown drain.
 */
@Injectable()
export class SseConnectionRegistry
  implements ConnectionOwner, BeforeApplicationShutdown
{
  private readonly logger = new Logger('SseModule');
  /** Connections whose stream has not ended. */
  private readonly open = new Set<ManagedSseConnection>();
  /** Open connections per client key, for `maxConnectionsPerClient`. */
  private readonly perClient = new Map<string, number>();
  /** Each open connection's client key (for `maxConnectionsPerClient`) and endpoint (for the statistics). */
  private readonly origins = new WeakMap<
    ManagedSseConnection,
    { readonly clientKey: string; readonly endpoint: string }
  >();
  /** Open connections per endpoint (`Controller.method`). */
  private readonly perEndpoint = new Map<string, number>();
  /**
   * Responses Nest is still writing, with their sockets: a closed connection
   * stays here until Nest has flushed its last events, which shutdown waits for.
   */
  private readonly responding = new Map<any, any>();
  private readonly heartbeat: SseHeartbeat;
  private whenNothingResponds: (() => void) | undefined;
  private shuttingDown = false;
  readonly budget: PendingBudget;
  readonly counters = new SseCounters();

  constructor(
    readonly channels: ChannelRegistry,
    readonly options: ResolvedSseOptions,
  ) {
    this.budget = new PendingBudget(options.maxPendingDataTotal);
    this.heartbeat = new SseHeartbeat(options.heartbeatMs, () => {
      for (const connection of this.open) connection.heartbeat();
    });
    channels.onRestart(() => {
      for (const connection of this.open) connection.restartHistory();
    });
  }

  /**
   * Opens the connection of one request and subscribes it to the endpoint's
   * channels, before the handler runs. Returns `undefined` when the connection
   * is refused (limits, shutdown); the refusal has been written then.
   */
  connect(
    from: ConnectionRequest,
    options: SseEndpointOptions,
    endpoint: string,
  ): ManagedSseConnection | undefined {
    const rawRequest = from.request?.raw ?? from.request;
    const rawResponse = from.response?.raw ?? from.response;
    const refusal = this.admissionProblem(from.request);
    if (refusal) {
      this.refuse(rawResponse, endpoint, refusal);
      return undefined;
    }
    const retryMs =
      checkCount('retryMs', options.retryMs) ?? this.options.retryMs;
    const connection = new ManagedSseConnection(this, {
      request: from.request,
      socket: rawResponse?.socket ?? rawRequest?.socket ?? undefined,
      directResponse:
        (checkDelivery(`delivery of ${endpoint}`, options.delivery) ??
          this.options.delivery) === 'direct'
          ? rawResponse
          : undefined,
      lastEventId: readLastEventId(from.request),
      maxPendingDataLength: maxPendingDataLengthOf(options),
      conflateKey: resolveSlowClient(endpoint, options.slowClient),
      retryMs: retryMs === undefined ? undefined : jittered(retryMs),
    });
    this.open.add(connection);
    const key = this.clientKeyOf(from.request);
    this.origins.set(connection, { clientKey: key, endpoint });
    this.perClient.set(key, (this.perClient.get(key) ?? 0) + 1);
    this.perEndpoint.set(endpoint, (this.perEndpoint.get(endpoint) ?? 0) + 1);
    this.heartbeat.start();
    if (rawResponse?.destroyed || rawResponse?.writableFinished) {
      // The client left while guards and pipes ran. Its response's `close`
      // event has fired already (or comes with nothing left to write): it is
      // not tracked, or shutdown would wait for it.
      connection.discard();
      return connection;
    }
    if (rawResponse)
      this.trackResponse(connection, rawResponse, rawRequest?.socket);
    try {
      for (const name of channelsOf(options, connection, endpoint))
        connection.subscribe(name);
    } catch (err) {
      connection.discard();
      throw err;
    }
    return connection;
  }

  release(connection: ManagedSseConnection): void {
    if (!this.open.delete(connection)) return;
    const { clientKey, endpoint } = this.origins.get(connection)!;
    decrement(this.perClient, clientKey);
    decrement(this.perEndpoint, endpoint);
    if (this.open.size === 0) this.heartbeat.stop();
  }

  dropSlow(
    connection: ManagedSseConnection,
    reason: OverflowReason,
    pending: number,
    limit: number,
  ): void {
    this.counters.droppedSlow++;
    this.logger.warn(
      MESSAGES.slowClientDropped(
        describe(connection),
        connection.waitingFor,
        reason,
        pending,
        limit,
      ),
    );
    const raw = connection.request?.raw ?? connection.request;
    // Destroying the socket is what a vanished client looks like to Nest: it
    // tears the stream down and aborts the signal, which ends the connection.
    raw?.socket?.destroy();
    connection.discard();
  }

  /** Number of connections whose stream has not ended. */
  get size(): number {
    return this.open.size;
  }

  /** Number of responses Nest has not finished writing. */
  get respondingCount(): number {
    return this.responding.size;
  }

  /** Open connections per endpoint (`Controller.method`). */
  openByEndpoint(): Record<string, number> {
    return Object.fromEntries(this.perEndpoint);
  }

  /** Number of distinct clients with an open connection. */
  get clientCount(): number {
    return this.perClient.size;
  }

  /** Whether the shared heartbeat timer runs. */
  get heartbeatRunning(): boolean {
    return this.heartbeat.running;
  }

  /**
   * Ends every open stream before the HTTP server closes, so that shutdown
   * does not wait for clients that never hang up. Each gets a jittered
   * `retry:` hint, then the streams end at random moments over
   * `shutdownDrainMs`, so that their browsers do not all reconnect (to the
   * other instances) at once. New connections are refused meanwhile.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const connections = shuffle([...this.open]);
    const base = this.options.retryMs ?? DEFAULT_RECONNECT_MS;
    for (const connection of connections) connection.hintRetry(jittered(base));
    await this.closeSpreadOver(connections, this.options.shutdownDrainMs);
    this.heartbeat.stop();
    if (this.responding.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.whenNothingResponds = resolve;
      timer = setTimeout(resolve, SHUTDOWN_CLOSE_TIMEOUT_MS);
    });
    clearTimeout(timer);
    this.whenNothingResponds = undefined;
    if (this.responding.size > 0) {
      this.logger.warn(
        MESSAGES.shutdownTimedOut(
          this.responding.size,
          SHUTDOWN_CLOSE_TIMEOUT_MS,
        ),
      );
      // Their clients stopped reading; the HTTP server would wait for them forever.
      for (const socket of this.responding.values()) socket?.destroy();
    }
  }

  /**
   * Closes `connections` (already in random order) in equal slices spread over
   * `windowMs`, the first at once, with one timer: one stream ends at once,
   * and a thousand end over the whole window.
   */
  private closeSpreadOver(
    connections: ManagedSseConnection[],
    windowMs: number,
  ): Promise<void> {
    // Twenty slices spread the reconnections finely enough (a thousand
    // streams end fifty at a time) with one timer firing twenty times,
    // whatever the number of streams.
    const slices = Math.min(connections.length, 20);
    let closed = 0;
    let slice = 0;
    const closeNextSlice = () => {
      slice++;
      const until = Math.round((connections.length * slice) / slices);
      for (; closed < until; closed++) connections[closed].close();
    };
    if (windowMs === 0 || slices <= 1) {
      connections.forEach((connection) => connection.close());
      return Promise.resolve();
    }
    closeNextSlice();
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        closeNextSlice();
        if (slice >= slices) {
          clearInterval(timer);
          resolve();
        }
      }, windowMs / slices);
    });
  }

  private admissionProblem(request: any): Refusal | undefined {
    if (this.shuttingDown) return { reason: MESSAGES.refusedShuttingDown() };
    if (this.open.size >= this.options.maxConnections) {
      return {
        reason: MESSAGES.refusedMaxConnections(this.options.maxConnections),
      };
    }
    if (this.options.maxConnectionsPerClient !== Infinity) {
      const key = this.clientKeyOf(request);
      if (
        (this.perClient.get(key) ?? 0) >= this.options.maxConnectionsPerClient
      ) {
        return {
          reason: MESSAGES.refusedMaxConnectionsPerClient(
            this.options.maxConnectionsPerClient,
          ),
          client: clientKeyDigest(key),
        };
      }
    }
    return undefined;
  }

  /**
   * Answers a refused connection with an SSE stream that only says when to
   * come back, and ends. A 429 or 503 would make EventSource give up for good;
   * a stream that ends makes it reconnect after the `retry:` delay.
   */
  private refuse(rawResponse: any, endpoint: string, refusal: Refusal): void {
    const { reason, client } = refusal;
    this.counters.refused++;
    this.logger.warn(MESSAGES.connectionRefused(endpoint, reason, client));
    const retryMs = jittered(this.options.retryMs ?? DEFAULT_RECONNECT_MS);
    rawResponse.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control':
        'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
      Connection: 'close',
    });
    rawResponse.end(
      `retry: ${retryMs}\n: ${reason.replace(/[\r\n]/g, ' ')}\n\n`,
    );
  }

  private clientKeyOf(request: any): string {
    return String(this.options.clientKey(request));
  }

  /**
   * Follows the response to its end: its `close` event comes once it has been
   * written to the end, or once its client left, whatever the moment
   * (including before the stream started); the connection then ends too.
   */
  private trackResponse(
    connection: ManagedSseConnection,
    response: any,
    socket: any,
  ): void {
    this.responding.set(response, socket);
    response.once('close', () => {
      connection.discard();
      this.responding.delete(response);
      // A browser would send its next request, its reconnection, on this
      // kept-alive socket, to an instance that is going away.
      if (this.shuttingDown && !socket?.destroyed) socket?.end();
      if (this.responding.size === 0) this.whenNothingResponds?.();
    });
  }
}

/** `Last-Event-ID` from the header, or from the `lastEventId` query parameter for clients that cannot set headers. */
function readLastEventId(request: any): string | undefined {
  const header = request?.headers?.['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (typeof fromHeader === 'string') return decodeUtf8Header(fromHeader);
  const query = request?.query?.lastEventId;
  const fromQuery = Array.isArray(query) ? query[0] : query;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/** The endpoint's pending-data limit, as Nest's `@Sse()` gets it too. */
export function maxPendingDataLengthOf(options: SseEndpointOptions): number {
  const value = options.maxPendingDataLength;
  if (value === undefined) return DEFAULT_MAX_PENDING_DATA_LENGTH;
  return value === 0 ? Infinity : value;
}

function channelsOf(
  options: SseEndpointOptions,
  connection: SseConnection,
  endpoint: string,
): readonly string[] {
  const channels =
    typeof options.channels === 'function'
      ? options.channels(connection)
      : (options.channels ?? []);
  if (!Array.isArray(channels))
    throw new SseError(MESSAGES.channelsOptionNotList(endpoint, channels));
  return channels;
}

/** A delay drawn uniformly between `ms` and 1.5 × `ms`, so that clients do not come back together. */
export function jittered(ms: number): number {
  return Math.round(ms + Math.random() * ms * 0.5);
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Names a connection in a log line by its path and id. Never its query: pages
 * that cannot set headers put tokens there (`/events?token=...`).
 */
function describe(connection: ManagedSseConnection): string {
  const url = connection.request?.originalUrl ?? connection.request?.url ?? '';
  const path = url.split('?', 1)[0];
  return `${path} (connection ${connection.id})`;
}

/** Takes one from `key`'s count, forgetting it at zero. */
function decrement(counts: Map<string, number>, key: string): void {
  const remaining = (counts.get(key) ?? 1) - 1;
  if (remaining > 0) counts.set(key, remaining);
  else counts.delete(key);
}
