import type { INestApplication } from '@nestjs/common';
import {
  ChannelService,
  type SseModuleOptions,
  type SseStatsSnapshot,
} from '../../src/sse/index.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { statsOf } from './stats.js';
import { startApp, type ADAPTERS, type RunningApp } from './test-app.js';

/** A running {@link FeedModule} app, with what the fault suites send through and look at. */
export interface FeedApp {
  running: RunningApp;
  /** What the app's `SseStats` says now. */
  stats: () => SseStatsSnapshot;
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
    stats: statsOf(running.app),
    channels: running.app.get(ChannelService),
  };
}

/**
 * A fresh {@link startFeedApp} app for each test of the suite (started in
 * `beforeEach`, closed in `afterEach`), read through the returned object.
 */
export function feedAppForEachTest(
  createAdapter: (typeof ADAPTERS)[number][1],
  options: SseModuleOptions = {},
): FeedApp {
  let current: FeedApp | undefined;
  beforeEach(async () => {
    current = await startFeedApp(createAdapter, options);
  });
  afterEach(async () => {
    await current?.running.close();
    current = undefined;
  });
  const now = (): FeedApp => {
    if (!current) throw new Error('The feed app runs only during a test');
    return current;
  };
  return {
    get running() {
      return now().running;
    },
    get channels() {
      return now().channels;
    },
    stats: () => now().stats(),
  };
}
