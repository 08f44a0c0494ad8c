import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ChannelRegistry } from './channel.registry.js';
import { SseError } from './errors/sse.error.js';
import { ConnectionOwner, ManagedSseConnection } from './managed-sse-connection.js';
import type { SseMessage } from './protocol/sse-message.js';
import type { SseConnection } from './sse-connection.js';
import type { SseEndpointOptions } from './sse-endpoint-options.interface.js';
import { SseHeartbeat } from './sse-heartbeat.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import { DEFAULT_HEARTBEAT_MS, SHUTDOWN_CLOSE_TIMEOUT_MS } from './sse.constants.js';
import { MESSAGES, OPTION_MESSAGES } from './sse.messages.js';
import { SSE_MODULE_OPTIONS } from './sse.module-definition.js';

/**
 * Opens, tracks and closes the SSE connections of one application, and drives
 * their shared heartbeat.
 */
@Injectable()
export class SseConnectionRegistry implements ConnectionOwner, BeforeApplicationShutdown {
  private readonly logger = new Logger('SseModule');
  /** Connections whose stream has not ended. */
  private readonly open = new Set<ManagedSseConnection>();
  /**
   * Requests whose response Nest is still writing: a closed connection stays
   * here until Nest has flushed its last events, which shutdown waits for.
   */
  private readonly responding = new Map<AbortSignal, any>();
  private readonly heartbeat: SseHeartbeat;
  private readonly retryMs: number | undefined;
  private whenNothingResponds: (() => void) | undefined;

  constructor(
    readonly channels: ChannelRegistry,
    @Optional() @Inject(SSE_MODULE_OPTIONS) options: SseModuleOptions | null,
  ) {
    const heartbeatMs = checkMilliseconds('heartbeatMs', options?.heartbeatMs) ?? DEFAULT_HEARTBEAT_MS;
    this.retryMs = checkMilliseconds('retryMs', options?.retryMs);
    this.heartbeat = new SseHeartbeat(heartbeatMs, () => {
      for (const connection of this.open) connection.heartbeat();
    });
  }

  /**
   * Opens the connection of one request and subscribes it to the endpoint's
   * channels, before the handler runs.
   * @param nestSignal the `@SseSignal()` of the request, aborted by Nest when its response ends.
   */
  connect(request: any, nestSignal: AbortSignal | undefined, options: SseEndpointOptions, endpoint: string): ManagedSseConnection {
    const retryMs = checkMilliseconds('retryMs', options.retryMs) ?? this.retryMs;
    const greeting: SseMessage[] = retryMs === undefined ? [] : [{ retry: retryMs }];
    const connection = new ManagedSseConnection(request, readLastEventId(request), this, nestSignal, greeting);
    this.open.add(connection);
    this.heartbeat.start();
    if (nestSignal) this.trackResponse(nestSignal, request);
    if (nestSignal?.aborted) {
      connection.discard();
      return connection;
    }
    try {
      for (const name of channelsOf(options, connection, endpoint)) connection.subscribe(name);
    } catch (err) {
      connection.discard();
      throw err;
    }
    return connection;
  }

  release(connection: ManagedSseConnection): void {
    this.open.delete(connection);
    if (this.open.size === 0) this.heartbeat.stop();
  }

  /** Number of connections whose stream has not ended. */
  get size(): number {
    return this.open.size;
  }

  /** Number of responses Nest has not finished writing. */
  get respondingCount(): number {
    return this.responding.size;
  }

  /** Whether the shared heartbeat timer runs. */
  get heartbeatRunning(): boolean {
    return this.heartbeat.running;
  }

  /**
   * Ends every open stream, so that `app.close()` does not wait for clients
   * that never hang up, and waits (boundedly) until Nest has written their last
   * events. Runs before the HTTP server is closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    for (const connection of [...this.open]) connection.close();
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
      this.logger.warn(MESSAGES.shutdownTimedOut(this.responding.size, SHUTDOWN_CLOSE_TIMEOUT_MS));
      // Their clients stopped reading; the HTTP server would wait for them forever.
      for (const request of this.responding.values()) (request.raw ?? request).socket?.destroy();
    }
  }

  private trackResponse(nestSignal: AbortSignal, request: any): void {
    if (nestSignal.aborted) return;
    this.responding.set(nestSignal, request);
    nestSignal.addEventListener(
      'abort',
      () => {
        this.responding.delete(nestSignal);
        if (this.responding.size === 0) this.whenNothingResponds?.();
      },
      { once: true },
    );
  }
}

function readLastEventId(request: any): string | undefined {
  const header = request?.headers?.['last-event-id'];
  return Array.isArray(header) ? header[0] : header;
}

function channelsOf(options: SseEndpointOptions, connection: SseConnection, endpoint: string): readonly string[] {
  const channels = typeof options.channels === 'function' ? options.channels(connection) : (options.channels ?? []);
  if (!Array.isArray(channels)) throw new SseError(MESSAGES.channelsOptionNotList(endpoint, channels));
  return channels;
}

function checkMilliseconds(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new SseError(OPTION_MESSAGES.notNonNegativeInteger(option, value));
  return value;
}
