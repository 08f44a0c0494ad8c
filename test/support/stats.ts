import type { INestApplication } from '@nestjs/common';
import { SseStats, type SseStatsSnapshot } from '../../src/sse/index.js';

/**
 * What the application's `SseStats` says, read afresh at each call: the
 * figures a user sees (open streams, pending data, drops…), which the suites
 * assert through rather than the module's internals.
 */
export function statsOf(app: INestApplication): () => SseStatsSnapshot {
  const stats = app.get(SseStats);
  return () => stats.snapshot();
}
