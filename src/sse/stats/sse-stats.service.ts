import { Injectable } from '@nestjs/common';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { SseConnectionRegistry } from '../connection/sse-connection.registry.js';
import { SseTransport } from '../transport/sse-transport.js';
import type { SseStatsSnapshot } from './sse-stats-snapshot.interface.js';

/**
 * The module's statistics, for an application to expose (a JSON route, logs,
 * or Prometheus through `nestjs-sse-channels/prometheus`). Reading them costs
 * nothing until `snapshot()` is called; counting them costs an addition where
 * things happen.
 *
 * ```ts
 * @Get('/sse-stats') stats() { return this.sseStats.snapshot(); }
 * ```
 * @publicApi
 */
@Injectable()
export class SseStats {
  constructor(
    private readonly connections: SseConnectionRegistry,
    private readonly channels: ChannelRegistry,
    private readonly transport: SseTransport,
  ) {}

  /** The statistics now; each call reads them afresh. */
  snapshot(): SseStatsSnapshot {
    const counters = this.connections.counters;
    return {
      connections: {
        open: this.connections.size,
        responding: this.connections.respondingCount,
        byEndpoint: this.connections.openByEndpoint(),
        clients: this.connections.clientCount,
      },
      pendingData: {
        characters: this.connections.budget.total,
        limit: this.connections.budget.limit,
      },
      channels: this.channels.memberCounts(),
      events: { sent: counters.eventsSent, bytes: counters.bytesSent },
      replays: { count: counters.replays, events: counters.replayedEvents },
      resets: counters.resets,
      droppedSlowClients: counters.droppedSlow,
      refusedConnections: counters.refused,
      transport: this.transport.health(),
    };
  }
}
