// docs/testing.md's example (which the consumer test runs as written), run against the
// sample app, whose orders also have a quantity: written as a user's spec, except for the
// relative imports (a user imports 'nestjs-sse-channels/testing').
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../sample-app/app.module.js';
import { SseTestClient } from '../../src/testing/index.js';

interface OrderEvents {
  connected: string;
  new_order: { id: number; item: string; quantity: number };
}

describe('order updates', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule],
    }).compile();
    // Node's fetch keeps an aborted stream's socket a few seconds: let close() cut it.
    app = moduleRef.createNestApplication({
      forceCloseConnections: true,
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('tells every listener about a new order', async () => {
    const client = await SseTestClient.connect<OrderEvents>(
      app,
      '/order-updates',
    );
    await client.waitForEvent('connected');

    await fetch(`${await app.getUrl()}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'coffee', quantity: 2 }),
    });

    const order = await client.waitForEvent('new_order');
    expect(order.json()).toMatchObject({ item: 'coffee', quantity: 2 });
    client.close();
  });

  it('replays what a client missed while it was away', async () => {
    const client = await SseTestClient.connect<OrderEvents>(
      app,
      '/order-updates',
    );
    await client.waitForEvent('connected');
    client.close();
    await fetch(`${await app.getUrl()}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'tea' }),
    });
    const back = await client.reconnect();
    expect((await back.waitForEvent('new_order')).json().item).toBe('tea');
    back.close();
  });
});
