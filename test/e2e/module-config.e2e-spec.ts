import { Controller, Injectable, Module } from '@nestjs/common';
import {
  SseModule,
  SseModuleMissingError,
  SseEndpoint,
  type SseClose,
  type SseSend,
} from '../../src/sse/index.js';
import { readRaw } from '../support/raw-stream.js';
import { idAt } from '../support/positions.js';
import { ADAPTERS, startApp } from '../support/test-app.js';

@Controller()
class HelloController {
  @SseEndpoint('/hello')
  hello(send: SseSend, close: SseClose) {
    send({ type: 'hello', data: 'world' });
    close();
  }
}

@Injectable()
class SettingsService {
  readonly retryMs = 1234;
}

@Module({ providers: [SettingsService], exports: [SettingsService] })
class SettingsModule {}

@Module({
  imports: [
    SseModule.forRootAsync({
      imports: [SettingsModule],
      inject: [SettingsService],
      useFactory: (settings: SettingsService) => ({
        retryMs: settings.retryMs,
      }),
    }),
  ],
  controllers: [HelloController],
})
class AsyncConfiguredModule {}

@Module({ imports: [SseModule], controllers: [HelloController] })
class BareImportModule {}

@Module({ controllers: [HelloController] })
class WithoutSseModule {}

describe.each(ADAPTERS)(
  'configuring SseModule (%s)',
  (_adapter, createAdapter) => {
    it('works imported bare, with the defaults', async () => {
      const running = await startApp(BareImportModule, createAdapter);
      try {
        expect((await readRaw(`${running.url}/hello`)).body).toBe(
          `\nevent: hello\nid: ${idAt(running.app)}\ndata: world\n\n`,
        );
      } finally {
        await running.close();
      }
    });

    it('takes its options from forRootAsync({ imports, inject, useFactory })', async () => {
      const running = await startApp(AsyncConfiguredModule, createAdapter);
      try {
        const id = idAt(running.app);
        const { body } = await readRaw(`${running.url}/hello`);
        const match = new RegExp(
          `^\nid: ${id}\nretry: (\\d+)\n\nevent: hello\nid: ${id}\ndata: world\n\n$`,
        ).exec(body);
        expect(match).not.toBeNull();
        expect(Number(match![1])).toBeGreaterThanOrEqual(1234);
        expect(Number(match![1])).toBeLessThanOrEqual(1851);
      } finally {
        await running.close();
      }
    });

    it('fails the start, naming the endpoint and the fix, when SseModule is missing', async () => {
      const message =
        '[nestjs-sse-channels] HelloController.hello is an @SseEndpoint() but SseModule is not part of this application: add SseModule (or SseModule.forRoot()) to the imports of your root module.';
      await expect(startApp(WithoutSseModule, createAdapter)).rejects.toThrow(
        new SseModuleMissingError('HelloController.hello'),
      );
      expect(new SseModuleMissingError('HelloController.hello').message).toBe(
        message,
      );
      // A route called outside an application that started says the same.
      const route = HelloController.prototype.hello as unknown as (
        this: object,
      ) => unknown;
      expect(() => route.call(new HelloController())).toThrow(message);
    });
  },
);
