import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { SseStats } from '../sse/index.js';

/**
 * A `@nestjs/terminus` health indicator for the module: `up` while its
 * transport carries events (always, in memory; while Redis answers, with
 * `RedisTransport`), `down` otherwise, with the sends waiting and the open
 * streams as details.
 *
 * ```ts
 * @Module({ imports: [TerminusModule], providers: [SseHealthIndicator], controllers: [HealthController] })
 * // in HealthController:
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.sse.isHealthy('sse')]); }
 * ```
 * @publicApi
 */
@Injectable()
export class SseHealthIndicator {
  constructor(
    private readonly stats: SseStats,
    private readonly indicators: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string = 'sse'>(key: Key = 'sse' as Key) {
    const { transport, connections } = this.stats.snapshot();
    const details = {
      queuedSends: transport.queuedSends,
      openStreams: connections.open,
    };
    const indicator = this.indicators.check(key);
    return transport.status === 'up'
      ? indicator.up(details)
      : indicator.down({ ...details, error: transport.error ?? 'unknown' });
  }
}
