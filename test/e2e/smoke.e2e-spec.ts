import { AppModule } from '../../sample-app/app.module.js';
import { readRaw } from '../support/raw-stream.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { ADAPTERS, startApp } from '../support/test-app.js';

describe.each(ADAPTERS)('smoke (%s)', (_name, adapter) => {
  it('serves /events', async () => {
    const running = await startApp(AppModule, adapter);
    try {
      const raw = await readRaw(`${running.url}/events`);
      console.log(JSON.stringify(raw.body), raw.status, raw.headers);
      const client = new SseTestClient(`${running.url}/order-updates`, ['connected', 'new_order']);
      await client.waitForEvents(1);
      const res = await fetch(`${running.url}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'x' }) });
      console.log(res.status, res.headers.get('x-sse-notified'), await res.text());
      await client.waitForEvents(2);
      console.log(client.events);
      client.close();
    } finally {
      await running.close();
    }
  });
});
