import { Controller, Inject, Injectable, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { SseEndpoint, SseModule, type SseSend } from '../../src/sse/index.js';
import { idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import { ADAPTERS, startApp } from '../support/test-app.js';

/** A provider made per request, which makes the controller that injects it request-scoped too. */
@Injectable({ scope: Scope.REQUEST })
class RequestContext {
  constructor(@Inject(REQUEST) readonly request: { url: string }) {}
}

@Controller()
class ScopedController {
  constructor(private readonly context: RequestContext) {}

  @SseEndpoint('/scoped')
  scoped(send: SseSend) {
    send({ type: 'url', data: this.context.request.url });
  }
}

@Module({
  imports: [SseModule],
  controllers: [ScopedController],
  providers: [RequestContext],
})
class ScopedModule {}

describe.each(ADAPTERS)(
  'an endpoint on a request-scoped controller (%s)',
  (_adapter, createAdapter) => {
    it('gets a controller made for its request, and streams', async () => {
      const running = await startApp(ScopedModule, createAdapter);
      try {
        const id = idAt(running.app);
        const first = await readRaw(`${running.url}/scoped?n=1`, {
          until: (body) => body.includes('data: '),
        });
        const second = await readRaw(`${running.url}/scoped?n=2`, {
          until: (body) => body.includes('data: '),
        });
        expect(first.body).toBe(
          `\nevent: url\nid: ${id}\ndata: /scoped?n=1\n\n`,
        );
        expect(second.body).toBe(
          `\nevent: url\nid: ${id}\ndata: /scoped?n=2\n\n`,
        );
      } finally {
        await running.close();
      }
    });
  },
);
