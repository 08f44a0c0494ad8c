// (a) This library: @SseEndpoint with a channel, and ChannelService sending to
// it. `--delivery direct` (or any other mode) is passed to SseModule.forRoot;
// without it the module's defaults apply. `--redis <keyPrefix>` gives it a
// RedisTransport on that prefix (`--redis-url`, default redis://127.0.0.1:6379):
// the driver starts two such servers on one prefix, sends on one and connects
// the clients to the other. The library is imported from the project's own
// build (npm run build), as the sample app uses it. `--adapter fastify` runs
// it on @nestjs/platform-fastify instead of Express; `--port <p>` listens on
// that port (the reconnect storm restarts an instance on the same port),
// `--backlog <n>` with that listen backlog (Express only).
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ChannelService,
  SseEndpoint,
  SseModule,
} from '../../dist/src/sse/index.js';
import { decorateClass, decorateMethod } from './decorate.mjs';
import { listenBacklog, listenPort, serve } from './harness.mjs';

const argument = (name) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const delivery = argument('--delivery');
const redisPrefix = argument('--redis');
const redisUrl = argument('--redis-url') ?? 'redis://127.0.0.1:6379';
const adapter = argument('--adapter') ?? 'express';
if (adapter !== 'express' && adapter !== 'fastify')
  throw new Error(`--adapter ${adapter}: express or fastify`);

/** Nest's HTTP adapter: Express (Nest's default) or Fastify. */
async function httpAdapter() {
  if (adapter === 'express') return undefined;
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}

async function moduleOptions() {
  const options = {};
  if (delivery) options.delivery = delivery;
  if (redisPrefix) {
    // Imported only here, as an application would: the main entry pulls no Redis client.
    const { RedisTransport } = await import('../../dist/src/redis/index.js');
    options.transport = new RedisTransport({
      url: redisUrl,
      keyPrefix: redisPrefix,
    });
    // The driver closes this server with app.close() (so that the transport's
    // shutdown runs and is timed); the streams may all end at once.
    options.shutdownDrainMs = 0;
  }
  return options;
}

class BenchController {
  // Nothing to send on connect: the channel does the work.
  stream(_send) {}
}
decorateMethod(
  BenchController,
  'stream',
  SseEndpoint('/sse', { channels: ['bench'] }),
);
decorateClass(BenchController, Controller());

const options = await moduleOptions();
class BenchModule {}
decorateClass(
  BenchModule,
  Module({
    imports: [
      Object.keys(options).length > 0 ? SseModule.forRoot(options) : SseModule,
    ],
    controllers: [BenchController],
  }),
);

await serve(async () => {
  const nestOptions = { logger: ['error', 'warn'] };
  const http = await httpAdapter();
  const app = http
    ? await NestFactory.create(BenchModule, http, nestOptions)
    : await NestFactory.create(BenchModule, nestOptions);
  const backlog = listenBacklog();
  if (backlog !== undefined && http)
    throw new Error('--backlog: only on Express (the default adapter)');
  // Nest hands the arguments after the port to Node's server.listen(port, host, backlog).
  if (backlog === undefined) await app.listen(listenPort(), '127.0.0.1');
  else await app.listen(listenPort(), '127.0.0.1', backlog);
  const bench = app.get(ChannelService).channel('bench');
  return {
    port: app.getHttpServer().address().port,
    subscribers: () => bench.count(),
    send(event) {
      bench.send(event);
    },
    // Only with Redis: the transport's shutdown (flush, leave, quit) is part of what is checked.
    close: redisPrefix ? () => app.close() : undefined,
    dropClients: () => app.getHttpServer().closeAllConnections(),
  };
});
