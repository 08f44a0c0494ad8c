import { AppModule } from '../../sample-app/app.module.js';
import { ChannelService } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { JobsModule, JobsService } from '../fixtures/jobs.module.js';
import { postJson } from '../support/http.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

interface OrderEvents {
  connected: string;
  new_order: { id: number; item: string; quantity: number };
}

// The kit users import from `nestjs-sse-channels/testing`, exercised for real.
describe.each(ADAPTERS)('the testing kit (%s)', (_adapter, createAdapter) => {
  let running: RunningApp;
  const opened: Array<{ close(): void }> = [];
  const connect = async <T extends object = never>(
    path: string,
    options = {},
  ) => {
    const client = await SseTestClient.connect<T>(running.app, path, options);
    opened.push(client);
    return client;
  };

  beforeAll(async () => {
    running = await startApp(AppModule, createAdapter);
  });
  afterEach(() => opened.splice(0).forEach((client) => client.close()));
  afterAll(() => running.close());

  it('connects to an application, waits for typed events and parses their JSON', async () => {
    const client = await connect<OrderEvents>('/order-updates');
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/event-stream');
    expect((await client.waitForEvent('connected')).data).toBe(
      'Listening for order updates',
    );
    await postJson(
      `${running.url}/api/orders`,
      { item: 'tea', quantity: 3 },
      null,
    );
    const order = await client.waitForEvent('new_order');
    expect(order.json()).toMatchObject({ item: 'tea', quantity: 3 });
    expect(order.lastEventId).toMatch(/^[0-9a-f]{12}-\d+$/);
    expect(client.lastEventId).toBe(order.lastEventId);
  });

  it('waits for a count of events, and for the end of the stream', async () => {
    const client = await connect('/events');
    const updates = await client.waitForEvents(10, 'update');
    expect(updates.map((event) => event.data)).toEqual(
      Array.from({ length: 10 }, (_, i) => `tick ${i}`),
    );
    await client.waitForEnd();
    expect(client.ended).toBe(true);
    expect(client.dataOf('connected')).toEqual(['Welcome']);
  });

  it('reconnects with the last event id and gets exactly what it missed', async () => {
    const client = await connect('/order-updates');
    await client.waitForEvent('connected');
    const orders = running.app.get(ChannelService).channel('orders');
    orders.send({ type: 'new_order', data: { n: 1 } });
    await client.waitForEvents(1, 'new_order');
    client.close();
    orders.send({ type: 'new_order', data: { n: 2 } });
    orders.send({ type: 'new_order', data: { n: 3 } });
    const resumed = await client.reconnect();
    opened.push(resumed);
    const missed = await resumed.waitForEvents(2, 'new_order');
    expect(missed.map((event) => event.json())).toEqual([{ n: 2 }, { n: 3 }]);
    expect(resumed.dataOf('reset')).toEqual([]);
  });

  it('asserts that nothing arrived, and fails when something did', async () => {
    const client = await connect('/order-updates');
    await client.waitForEvent('connected');
    await client.expectNoEvent(50);
    const late = client.expectNoEvent(2000);
    running.app
      .get(ChannelService)
      .channel('orders')
      .send({ type: 'new_order', data: 'surprise' });
    await expect(late).rejects.toThrow(
      'Expected no event within 2000 ms, got [{"type":"new_order","data":"surprise"}]',
    );
  });

  it('fails a wait with what it received, at the timeout or when the stream ends', async () => {
    const client = await connect('/events', { timeoutMs: 200 });
    await expect(client.waitForEvent('never')).rejects.toThrow(
      /waiting for an event of type "never" \(status 200; received connected: Welcome/,
    );
    const quiet = await connect('/order-updates', { timeoutMs: 100 });
    await expect(quiet.waitForEvents(2)).rejects.toThrow(
      'Timed out after 100 ms waiting for 2 event(s) (status 200; received connected: Listening for order updates)',
    );
  });
});

describe('the testing kit on an application that does not listen yet', () => {
  it('starts it on a free port of 127.0.0.1, and reports a 204', async () => {
    const { Test } = await import('@nestjs/testing');
    const moduleRef = await Test.createTestingModule({
      imports: [JobsModule.with()],
    }).compile();
    const app = moduleRef.createNestApplication({
      logger: false,
      forceCloseConnections: true,
    });
    await app.init();
    app.get(JobsService).finished.add('done');
    const client = await SseTestClient.connect(app, '/jobs/done/progress');
    expect(client.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/jobs\/done\/progress$/,
    );
    expect(client.status).toBe(204);
    await client.waitForEnd();
    expect(client.events).toEqual([]);
    await app.close();
  });
});
