import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { SelfSignedCert } from './self-signed-cert.js';
import { startApp, type RunningApp } from './test-app.js';

/**
 * Starts `module` with Nest's Fastify adapter over HTTP/2 with TLS (`cert`),
 * on a free port of 127.0.0.1; `url` is its `https://` origin. Browsers speak
 * HTTP/2 only over TLS, so this is the HTTP/2 they use.
 */
export async function startHttp2App(
  module: Type<unknown> | DynamicModule,
  cert: SelfSignedCert,
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const running = await startApp(
    module,
    () =>
      new FastifyAdapter({
        http2: true,
        https: { key: cert.key, cert: cert.cert },
      }),
    configure,
  );
  const { port } = running.app.getHttpServer().address();
  return { ...running, url: `https://127.0.0.1:${port}` };
}
