import type { INestApplication } from '@nestjs/common';
import { ChannelService, type SseModuleOptions } from '../../src/sse/index.js';
import { SseConnectionRegistry } from '../../src/sse/sse-connection.registry.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { startApp, type ADAPTERS, type RunningApp } from './test-app.js';

/** A running {@link FeedModule} app, with what the fault suites send through and look at. */
export interface FeedApp {
  running: RunningApp;
  registry: SseConnectionRegistry;
  channels: ChannelService;
}

/**
 * Starts {@link FeedModule} as the fault suites use it: no heartbeat (nothing
 * but the test's events on the wire) and no shutdown drain (a test's app
 * closes at once), with `options` on top.
 */
export async function startFeedApp(
  createAdapter: (typeof ADAPTERS)[number][1],
  options: SseModuleOptions = {},
  configure?: (app: INestApplication) => void,
): Promise<FeedApp> {
  const running = await startApp(
    FeedModule.with({ heartbeatMs: 0, shutdownDrainMs: 0, ...options }),
    createAdapter,
    configure,
  );
  return {
    running,
    registry: running.app.get(SseConnectionRegistry),
    channels: running.app.get(ChannelService),
  };
}
