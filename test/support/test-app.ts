import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { ResolvedSseOptions } from '../../src/sse/resolved-sse-options.js';
import type { SseModuleOptions } from '../../src/sse/index.js';
import { SSE_MODULE_OPTIONS } from '../../src/sse/sse.module-definition.js';

/**
 * `SSE_TEST_DELIVERY=direct` runs every suite with `delivery: 'direct'`, as
 * `npm test` does in its `direct` jest project (jest.config.js).
 */
export const TEST_DELIVERY = process.env
  .SSE_TEST_DELIVERY as SseModuleOptions['delivery'];

/** The HTTP adapters every e2e suite runs on. */
export const ADAPTERS = [
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
] as const;

export type AdapterName = (typeof ADAPTERS)[number][0];

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts `module` on a free port of 127.0.0.1 with the given adapter. */
export async function startApp(
  module: Type<unknown> | DynamicModule,
  createAdapter: () => ExpressAdapter | FastifyAdapter,
  configure?: (app: INestApplication) => void,
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder,
): Promise<RunningApp> {
  let builder = Test.createTestingModule({ imports: [module] });
  if (TEST_DELIVERY) {
    builder = builder.overrideProvider(ResolvedSseOptions).useFactory({
      factory: (options?: SseModuleOptions) =>
        new ResolvedSseOptions({ ...options, delivery: TEST_DELIVERY }),
      inject: [{ token: SSE_MODULE_OPTIONS, optional: true }],
    });
  }
  const moduleRef = await (override ? override(builder) : builder).compile();
  // Node's fetch (under EventSource) keeps a spare socket open for 4 s after a
  // request is aborted; without this, closing the app would wait for it.
  const app = moduleRef.createNestApplication(createAdapter() as any, {
    logger: false,
    forceCloseConnections: true,
  });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, close: () => app.close() };
}
