import {
  Counter,
  Gauge,
  register as defaultRegistry,
  type Registry,
} from 'prom-client';
import type { SseStats, SseStatsSnapshot } from '../sse/index.js';

/**
 * Options of {@link registerSseMetrics}.
 * @publicApi
 */
export interface SseMetricsOptions {
  /**
   * The prom-client registry to register with.
   * @default prom-client's default registry (the one `@willsoto/nestjs-prometheus` serves)
   */
  registry?: Registry;
  /**
   * Prefix of every metric name.
   * @default 'sse_'
   */
  prefix?: string;
}

/**
 * Exposes the module's statistics ({@link SseStats}) as Prometheus metrics
 * through prom-client. They are read from one snapshot when Prometheus scrapes,
 * so they cost nothing between scrapes:
 *
 * - `sse_connections_open{endpoint}`, `sse_channel_subscribers{channel}` (gauges, this instance)
 * - `sse_events_sent_total`, `sse_event_bytes_sent_total`, `sse_replays_total`,
 *   `sse_replayed_events_total`, `sse_resets_total`, `sse_slow_clients_dropped_total`,
 *   `sse_connections_refused_total` (counters)
 * - `sse_pending_data_characters` and `sse_pending_data_limit_characters`
 *   (gauges: what waits for slow clients, and `maxPendingDataTotal`)
 * - `sse_transport_up` (1 or 0) and `sse_transport_queued_sends`
 *
 * ```ts
 * constructor(stats: SseStats) { registerSseMetrics(stats); } // in any provider, once
 * ```
 * @publicApi
 */
export function registerSseMetrics(
  stats: SseStats,
  options: SseMetricsOptions = {},
): void {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? 'sse_';
  // One snapshot per scrape, shared by every metric collected in that scrape.
  let snapshot: SseStatsSnapshot | undefined;
  const read = (): SseStatsSnapshot => {
    if (!snapshot) {
      snapshot = stats.snapshot();
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot;
  };

  new Gauge({
    name: `${prefix}connections_open`,
    help: 'Open SSE streams on this instance, by endpoint (Controller.method).',
    labelNames: ['endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [endpoint, open] of Object.entries(
        read().connections.byEndpoint,
      ))
        this.set({ endpoint }, open);
    },
  });
  new Gauge({
    name: `${prefix}channel_subscribers`,
    help: 'Subscribers of each channel on this instance.',
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [channel, subscribers] of Object.entries(read().channels))
        this.set({ channel }, subscribers);
    },
  });
  // Figures without labels: a counter's value is the module's count since start, a gauge's the value now.
  const figures: Array<
    ['counter' | 'gauge', string, string, (s: SseStatsSnapshot) => number]
  > = [
    [
      'counter',
      'events_sent_total',
      'Events written to SSE streams (each stream counts).',
      (s) => s.events.sent,
    ],
    [
      'counter',
      'event_bytes_sent_total',
      'UTF-8 bytes of the events written to SSE streams.',
      (s) => s.events.bytes,
    ],
    [
      'counter',
      'replays_total',
      'Reconnections replayed what they missed.',
      (s) => s.replays.count,
    ],
    [
      'counter',
      'replayed_events_total',
      'Events carried by replays.',
      (s) => s.replays.events,
    ],
    [
      'counter',
      'resets_total',
      'Reset events sent (what a client missed could not be replayed).',
      (s) => s.resets,
    ],
    [
      'counter',
      'slow_clients_dropped_total',
      'Streams dropped because their client stopped reading.',
      (s) => s.droppedSlowClients,
    ],
    [
      'counter',
      'connections_refused_total',
      'Streams refused by the connection limits or during shutdown.',
      (s) => s.refusedConnections,
    ],

    [
      'gauge',
      'pending_data_characters',
      'Characters of events waiting for slow clients, over every connection.',
      (s) => s.pendingData.characters,
    ],
    [
      'gauge',
      'pending_data_limit_characters',
      'The pending characters allowed in all (maxPendingDataTotal); past it, the clients behind for the longest are dropped.',
      (s) => s.pendingData.limit,
    ],
    [
      'gauge',
      'transport_up',
      '1 while the transport carries events (Redis answers), 0 otherwise.',
      (s) => (s.transport.status === 'up' ? 1 : 0),
    ],
    [
      'gauge',
      'transport_queued_sends',
      'Sends waiting for the transport (Redis unreachable).',
      (s) => s.transport.queuedSends,
    ],
  ];
  for (const [kind, name, help, value] of figures) {
    const configuration = {
      name: `${prefix}${name}`,
      help,
      registers: [registry],
    };
    if (kind === 'counter')
      new Counter({
        ...configuration,
        collect() {
          this.reset();
          this.inc(value(read()));
        },
      });
    else
      new Gauge({
        ...configuration,
        collect() {
          this.set(value(read()));
        },
      });
  }
}
