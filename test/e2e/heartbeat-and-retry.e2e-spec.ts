import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { readRaw } from '../support/raw-stream.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { ADAPTERS, startApp } from '../support/test-app.js';

describe.each(ADAPTERS)('heartbeats and the retry hint (%s)', (_adapter, createAdapter) => {
  it('writes a heartbeat comment on a quiet stream, which EventSource listeners never see', async () => {
    const running = await startApp(ProbeModule.with({ heartbeatMs: 30 }), createAdapter);
    const client = new SseTestClient(`${running.url}/probe/open?probe=listener`, ['ready']);
    try {
      const raw = await readRaw(`${running.url}/probe/open?probe=raw`, {
        until: (body) => body.split(': heartbeat\n\n').length > 2,
      });
      expect(raw.body).toMatch(/^\nevent: ready\nid: 1\ndata: [0-9a-f-]{36}\n\n: heartbeat\n\n: heartbeat\n\n/);
      await client.waitForEvents(1);
      const connection = await running.app.get(ConnectionProbe).get('listener');
      connection.send({ data: 'after heartbeats' });
      await client.waitForEvents(2);
      expect(client.events.map((event) => event.data)).toEqual([connection.id, 'after heartbeats']);
    } finally {
      client.close();
      await running.close();
    }
  });

  it('starts every stream with the retry hint when retryMs is set', async () => {
    const running = await startApp(ProbeModule.with({ retryMs: 2500 }), createAdapter);
    try {
      const raw = await readRaw(`${running.url}/probe/topics?topic=news`);
      expect(raw.body).toBe('\nid: 1\nretry: 2500\n\nevent: topic\nid: 2\ndata: news\n\n');
    } finally {
      await running.close();
    }
  });
});
