import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';

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
  const builder = Test.createTestingModule({ imports: [module] });
  const moduleRef = await (override ? override(builder) : builder).compile();
  const app = moduleRef.createNestApplication(createAdapter() as any, { logger: false });
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, close: () => app.close() };
}
