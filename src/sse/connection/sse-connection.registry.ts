import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { ChannelRegistry } from '../channels/channel.registry.js';
import {
  admissionRefusal,
  writeRefusal,
  type Refusal,
} from './connection-admission.js';
import { ConnectionCensus } from './connection-census.js';
import type { OverflowReason } from './connection-outbox.js';
import type { ConnectionOwner } from './connection-owner.js';
import {
  describeConnection,
  readLastEventId,
  type ConnectionRequest,
} from './connection-request.js';
import { http2StreamOf } from './http2-response-stream.js';
import { ManagedSseConnection } from './managed-sse-connection.js';
import { PendingBudget } from './pending-budget.js';
import { jittered } from './reconnect-jitter.js';
import { ResponseTracker } from './response-tracker.js';
import { SseHeartbeat } from './sse-heartbeat.js';
import { drainStreams } from './shutdown-drain.js';
import {
  channelsOf,
  resolveEndpointOptions,
  type ResolvedSseEndpoint,
} from '../endpoints/resolved-endpoint-options.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import type { SseEndpointOptions } from '../endpoints/sse-endpoint-options.interface.js';
import { SseCounters } from '../stats/sse-counters.js';
import {
  DEFAULT_RECONNECT_MS,
  SHUTDOWN_CLOSE_TIMEOUT_MS,
} from '../sse.constants.js';
import { MESSAGES } from '../sse.messages.js';

/**
 * Opens, tracks and closes the SSE connections of one application. It
 * coordinates the units of `connection/`: admission, the connections, the
 * shared heartbeat, the slow-client budget, the responses being written and
 * the shutdown drain.
 */
@Injectable()
export class SseConnectionRegistry
  implements ConnectionOwner, BeforeApplicationShutdown
{
  private readonly logger = new Logger('SseModule');
  /** Connections whose stream has not ended. */
  private readonly census = new ConnectionCensus<ManagedSseConnection>(
    (connection) => this.clientKeyOf(connection.request),
  );
  private readonly responses = new ResponseTracker();
  private readonly heartbeat: SseHeartbeat;
  /** Each endpoint's options, resolved once (see {@link addEndpoint}), by its declaration. */
  private readonly endpoints = new Map<object, ResolvedSseEndpoint>();
  private shuttingDown = false;
  readonly budget: PendingBudget;
  readonly counters = new SseCounters();

  constructor(
    readonly channels: ChannelRegistry,
    readonly options: ResolvedSseOptions,
  ) {
    this.budget = new PendingBudget(options.maxPendingDataTotal);
    this.heartbeat = new SseHeartbeat(options.heartbeatMs, () => {
      for (const connection of this.census.connections())
        connection.heartbeat();
    });
    channels.onRestart(() => {
      for (const connection of this.census.connections())
        connection.restartHistory();
    });
  }

  /**
   * Checks an endpoint's options and keeps them resolved, under `key` (its
   * declaration), for its requests. Called for every endpoint when they are
   * discovered, so that a bad option fails the application's start; throws
   * an `SseOptionsError` naming the endpoint and the option.
   */
  addEndpoint(
    key: object,
    name: string,
    options: SseEndpointOptions,
  ): ResolvedSseEndpoint {
    const resolved = resolveEndpointOptions(name, options, this.options);
    this.endpoints.set(key, resolved);
    return resolved;
  }

  /** The resolved options of the endpoint declared as `key` (resolved now if it was not discovered). */
  endpoint(
    key: object,
    name: string,
    options: SseEndpointOptions,
  ): ResolvedSseEndpoint {
    return this.endpoints.get(key) ?? this.addEndpoint(key, name, options);
  }

  /**
   * Opens the connection of one request and subscribes it to the endpoint's
   * channels, before the handler runs. Returns `undefined` when the connection
   * is refused (limits, shutdown); the refusal has been written then.
   */
  connect(
    from: ConnectionRequest,
    endpoint: ResolvedSseEndpoint,
  ): ManagedSseConnection | undefined {
    const rawRequest = from.request?.raw ?? from.request;
    const rawResponse = from.response?.raw ?? from.response;
    // Asked for by admission only with `maxConnectionsPerClient`; else the census asks when it needs it.
    let clientKey: string | undefined;
    const refusal = admissionRefusal(
      this.options,
      this.census,
      () => (clientKey ??= this.clientKeyOf(from.request)),
      this.shuttingDown,
    );
    if (refusal) {
      this.refuse(rawResponse, endpoint.name, refusal);
      return undefined;
    }
    // Under HTTP/2 the socket is the session's, shared by its streams.
    const http2Stream = http2StreamOf(rawRequest);
    const connection = new ManagedSseConnection(this, {
      request: from.request,
      socket:
        http2Stream ?? rawResponse?.socket ?? rawRequest?.socket ?? undefined,
      directResponse: endpoint.direct ? rawResponse : undefined,
      lastEventId: readLastEventId(from.request),
      maxPendingDataLength: endpoint.maxPendingDataLength,
      conflateKey: endpoint.conflateKey,
      retryMs:
        endpoint.retryMs === undefined ? undefined : jittered(endpoint.retryMs),
    });
    this.census.add(connection, endpoint.name, clientKey);
    this.heartbeat.start();
    if (rawResponse?.destroyed || rawResponse?.writableFinished) {
      // The client left while guards and pipes ran. Its response's `close`
      // event has fired already (or comes with nothing left to write): it is
      // not tracked, or shutdown would wait for it.
      connection.discard();
      return connection;
    }
    if (rawResponse)
      this.responses.track(rawResponse, http2Stream ?? rawRequest?.socket, () =>
        connection.discard(),
      );
    try {
      for (const name of channelsOf(endpoint, connection))
        connection.subscribe(name);
    } catch (err) {
      connection.discard();
      throw err;
    }
    return connection;
  }

  release(connection: ManagedSseConnection): void {
    if (!this.census.remove(connection)) return;
    if (this.census.size === 0) this.heartbeat.stop();
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
        describeConnection(connection.request, connection.id),
        connection.waitingFor,
        reason,
        pending,
        limit,
      ),
    );
    const raw = connection.request?.raw ?? connection.request;
    // Destroying the socket (under HTTP/2, resetting the stream) is what a
    // vanished client looks like to Nest: it tears the stream down and aborts
    // the signal, which ends the connection.
    (http2StreamOf(raw) ?? raw?.socket)?.destroy();
    connection.discard();
  }

  /** Number of connections whose stream has not ended. */
  get size(): number {
    return this.census.size;
  }

  /** Number of responses Nest has not finished writing. */
  get respondingCount(): number {
    return this.responses.size;
  }

  /** Open connections per endpoint (`Controller.method`). */
  openByEndpoint(): Record<string, number> {
    return this.census.byEndpoint();
  }

  /** Number of distinct clients with an open connection. */
  get clientCount(): number {
    return this.census.clientCount;
  }

  /** Whether the shared heartbeat timer runs. */
  get heartbeatRunning(): boolean {
    return this.heartbeat.running;
  }

  /**
   * Ends every open stream before the HTTP server closes, so that shutdown
   * does not wait for clients that never hang up, spread over
   * `shutdownDrainMs` (see `drainStreams`). New connections are refused
   * meanwhile. Then waits, for a bound, until Nest has written them out.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.responses.closeSocketsAsResponsesEnd();
    await drainStreams(
      this.census.connections(),
      this.options.retryMs ?? DEFAULT_RECONNECT_MS,
      this.options.shutdownDrainMs,
    );
    this.heartbeat.stop();
    const left = await this.responses.waitForAll(SHUTDOWN_CLOSE_TIMEOUT_MS);
    if (left > 0)
      this.logger.warn(
        MESSAGES.shutdownTimedOut(left, SHUTDOWN_CLOSE_TIMEOUT_MS),
      );
  }

  /** Counts, logs and answers a refused connection (see `writeRefusal`). */
  private refuse(rawResponse: any, endpoint: string, refusal: Refusal): void {
    const { reason, client } = refusal;
    this.counters.refused++;
    this.logger.warn(MESSAGES.connectionRefused(endpoint, reason, client));
    writeRefusal(
      rawResponse,
      reason,
      jittered(this.options.retryMs ?? DEFAULT_RECONNECT_MS),
    );
  }

  private clientKeyOf(request: any): string {
    return String(this.options.clientKey(request));
  }
}
