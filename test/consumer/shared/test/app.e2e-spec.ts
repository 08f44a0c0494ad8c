import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SseTestClient } from 'nestjs-sse-channels/testing';
import { AppModule } from '../src/app.module.js';
import { WithoutSseModule } from '../src/without-sse-module.js';

describe('the app, tested with nestjs-sse-channels/testing by its own test runner', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    app = moduleRef.createNestApplication({ forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('/events sends the greeting, ten ticks, then ends', async () => {
    const client = await SseTestClient.connect(app, '/events');
    await client.waitForEnd();
    expect(client.events.map((event) => `${event.type}:${event.data}`)).toEqual(
      [
        'connected:Welcome',
        ...Array.from({ length: 10 }, (_, i) => `update:tick ${i}`),
      ],
    );
  });

  it('an app without SseModule does not start', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [WithoutSseModule],
    }).compile();
    const broken = moduleRef.createNestApplication({ logger: false });
    await expect(broken.init()).rejects.toThrow(
      'EventsController.events is an @SseEndpoint() but SseModule is not part of this application',
    );
  });
});
