// (a) This library: @SseEndpoint with a channel, and ChannelService sending to
// it. `--delivery direct` (or any other mode) is passed to SseModule.forRoot;
// without it the module's defaults apply. The library is imported from the
// project's own build (npm run build), as the sample app uses it.
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChannelService, SseEndpoint, SseModule } from '../../dist/src/sse/index.js';
import { decorateClass, decorateMethod } from './decorate.mjs';
import { serve } from './harness.mjs';

const flag = process.argv.indexOf('--delivery');
const delivery = flag === -1 ? undefined : process.argv[flag + 1];

class BenchController {
  // Nothing to send on connect: the channel does the work.
  stream(send) {}
}
decorateMethod(BenchController, 'stream', SseEndpoint('/sse', { channels: ['bench'] }));
decorateClass(BenchController, Controller());

class BenchModule {}
decorateClass(
  BenchModule,
  Module({
    imports: [delivery ? SseModule.forRoot({ delivery }) : SseModule],
    controllers: [BenchController],
  }),
);

await serve(async () => {
  const app = await NestFactory.create(BenchModule, { logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  const bench = app.get(ChannelService).channel('bench');
  return {
    port: app.getHttpServer().address().port,
    subscribers: () => bench.count(),
    send(event) {
      bench.send(event);
    },
  };
});
