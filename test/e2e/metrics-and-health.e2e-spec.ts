import { Controller, Get, Module } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TerminusModule,
} from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { registerSseMetrics } from '../../src/prometheus/index.js';
import {
  ChannelService,
  SseStats,
  SseTransport,
  type SseTransportHealth,
} from '../../src/sse/index.js';
import { SseHealthIndicator } from '../../src/terminus/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { FeedController } from '../fixtures/feed.module.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { fixtureModule } from '../fixtures/fixture-module.js';
import { getJson } from '../support/http.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

@Controller()
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sse: SseHealthIndicator,
  ) {}

  @Get('/health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.sse.isHealthy('sse')]);
  }
}

@Module({})
class MonitoredModule {}

/** The value of one sample of a Prometheus text exposition, or `undefined`. */
function sample(text: string, series: string): number | undefined {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(ADAPTERS)(
  'Prometheus metrics and the terminus indicator (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let registry: Registry;
    let health: SseTransportHealth = { status: 'up', queuedSends: 0 };

    beforeAll(async () => {
      const module = fixtureModule(
        MonitoredModule,
        [FeedController, HealthController],
        [ConnectionProbe, SseHealthIndicator],
        {},
      );
      running = await startApp(
        { ...module, imports: [...(module.imports ?? []), TerminusModule] },
        createAdapter,
      );
      registry = new Registry();
      registerSseMetrics(running.app.get(SseStats), { registry });
      // The transport's health, as a test can set it: the real one is always up in memory.
      answerHealth(running.app.get(SseTransport), () => health);
    });
    afterAll(() => running.close());

    it('exposes the statistics, which move as streams open and events go out', async () => {
      let text = await registry.metrics();
      expect(sample(text, 'sse_events_sent_total')).toBe(0);
      expect(sample(text, 'sse_transport_up')).toBe(1);
      expect(sample(text, 'sse_pending_data_characters')).toBe(0);
      expect(sample(text, 'sse_pending_data_limit_characters')).toBe(
        64 * 1024 * 1024,
      );

      const client = await SseTestClient.connect(
        running.app,
        '/feed?channels=metrics',
      );
      await client.waitForEvent('hello');
      running.app
        .get(ChannelService)
        .channel('metrics')
        .send({ type: 'm', data: 'x' });
      await client.waitForEvent('m');
      text = await registry.metrics();
      expect(
        sample(text, 'sse_connections_open{endpoint="FeedController.feed"}'),
      ).toBe(1);
      expect(sample(text, 'sse_channel_subscribers{channel="metrics"}')).toBe(
        1,
      );
      expect(sample(text, 'sse_events_sent_total')).toBe(2);
      expect(sample(text, 'sse_event_bytes_sent_total')).toBe(
        running.app.get(SseStats).snapshot().events.bytes,
      );
      expect(text).toContain('# TYPE sse_events_sent_total counter');

      client.close();
    });

    it('reports the transport through /health: up, then down with why', async () => {
      health = { status: 'up', queuedSends: 0 };
      expect(await getJson(`${running.url}/health`)).toEqual({
        status: 200,
        body: expect.objectContaining({
          status: 'ok',
          info: { sse: { status: 'up', queuedSends: 0, openStreams: 0 } },
        }),
      });
      health = {
        status: 'down',
        queuedSends: 12,
        error: 'connect ECONNREFUSED 127.0.0.1:6379',
      };
      const down = await getJson(`${running.url}/health`);
      expect(down.status).toBe(503);
      expect(down.body.error).toEqual({
        sse: {
          status: 'down',
          queuedSends: 12,
          openStreams: 0,
          error: 'connect ECONNREFUSED 127.0.0.1:6379',
        },
      });
      const text = await registry.metrics();
      expect(sample(text, 'sse_transport_up')).toBe(0);
      expect(sample(text, 'sse_transport_queued_sends')).toBe(12);
    });
  },
);

/** Makes `transport.health()` answer what `current()` says. */
function answerHealth(
  transport: SseTransport,
  current: () => SseTransportHealth,
): void {
  transport.health = current;
}
