import { Controller, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  ChannelService,
  SseEndpoint,
  SseError,
  SseModule,
  SseOptionsError,
  type SseEndpointOptions,
} from '../../src/sse/index.js';

/** An application with one endpoint, `BadOptions.stream`, declared with `options`. */
function appWith(options: SseEndpointOptions) {
  @Controller()
  class BadOptions {
    @SseEndpoint('/stream', options)
    stream() {}
  }
  @Module({ imports: [SseModule], controllers: [BadOptions] })
  class AppModule {}
  return Test.createTestingModule({ imports: [AppModule] })
    .compile()
    .then((moduleRef) => moduleRef.createNestApplication({ logger: false }));
}

/**
 * Endpoint options are checked once, when the endpoints are discovered: a bad
 * one fails `app.init()` with an `SseOptionsError` that names the endpoint and
 * the option, instead of failing each request (or being ignored).
 */
describe('@SseEndpoint() options', () => {
  it.each<[string, SseEndpointOptions, RegExp]>([
    [
      'a negative retryMs',
      { retryMs: -1 },
      /"retryMs of BadOptions\.stream".*-1/,
    ],
    [
      'a delivery that is no mode',
      { delivery: 'fast' as never },
      /"delivery of BadOptions\.stream".*"fast"/,
    ],
    [
      'a slowClient policy that is none',
      { slowClient: { policy: 'drop' as never } },
      /slowClient policy of BadOptions\.stream .*"drop"/,
    ],
    [
      'a conflate policy without its key',
      { slowClient: { policy: 'conflate' } },
      /slowClient option of BadOptions\.stream .*conflateKey/,
    ],
    [
      'a maxPendingDataLength that is no count',
      { maxPendingDataLength: 1.5 },
      /"maxPendingDataLength of BadOptions\.stream".*1\.5/,
    ],
    [
      'channels that are no list',
      { channels: 'orders' as never },
      /"channels" option of BadOptions\.stream .*"orders"/,
    ],
    [
      'an option endpoints do not take (a typo, or a module option)',
      { maxConnections: -1 } as never,
      /BadOptions\.stream has an option "maxConnections"/,
    ],
  ])('fail app.init() for %s', async (_, options, message) => {
    const app = await appWith(options);
    try {
      const init = app.init();
      await expect(init).rejects.toThrow(SseOptionsError);
      await expect(init).rejects.toThrow(message);
    } finally {
      await app.close();
    }
  });

  it('start with good ones', async () => {
    const app = await appWith({
      channels: ['orders'],
      retryMs: 1000,
      delivery: 'direct',
      maxPendingDataLength: 0,
      slowClient: { policy: 'conflate', conflateKey: () => 'k' },
    });
    try {
      await expect(app.init()).resolves.toBe(app);
    } finally {
      await app.close();
    }
  });
});

describe('SseOptionsError', () => {
  it('is an SseError, thrown for bad module and channel options too', async () => {
    expect(new SseOptionsError('x')).toBeInstanceOf(SseError);

    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ heartbeatMs: -5 })],
    })
      .compile()
      .catch((err: unknown) => err);
    expect(moduleRef).toBeInstanceOf(SseOptionsError);
    expect(String(moduleRef)).toMatch(/"heartbeatMs".*-5/);

    const app = await Test.createTestingModule({
      imports: [SseModule],
    }).compile();
    try {
      const channels = app.get(ChannelService);
      expect(() =>
        channels.channel('orders', { history: { size: -1 } }),
      ).toThrow(SseOptionsError);
      expect(() =>
        channels.channel('orders', { slowClient: { policy: 'conflate' } }),
      ).toThrow(SseOptionsError);
    } finally {
      await app.close();
    }
  });
});
