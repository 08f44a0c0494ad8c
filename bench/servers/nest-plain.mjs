// (b) Plain Nest 12 @Sse(): one shared Subject, and every request's handler
// returns it. Nest formats (and JSON-encodes) each event once per subscriber.
import { Controller, Module, Sse } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Subject } from 'rxjs';
import { decorateClass, decorateMethod } from './decorate.mjs';
import { listenBacklog, serve } from './harness.mjs';

const ticks = new Subject();

class PlainController {
  stream() {
    return ticks.asObservable();
  }
}
decorateMethod(PlainController, 'stream', Sse('/sse'));
decorateClass(PlainController, Controller());

class PlainModule {}
decorateClass(PlainModule, Module({ controllers: [PlainController] }));

await serve(async () => {
  const app = await NestFactory.create(PlainModule, {
    logger: ['error', 'warn'],
  });
  const backlog = listenBacklog();
  if (backlog === undefined) await app.listen(0, '127.0.0.1');
  else await app.listen(0, '127.0.0.1', backlog);
  return {
    port: app.getHttpServer().address().port,
    subscribers: () => ticks.observers.length,
    send(event) {
      ticks.next(event);
    },
  };
});
