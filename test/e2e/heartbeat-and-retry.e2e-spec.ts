import { SseTestClient } from '../../src/testing/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { readRaw } from '../support/raw-stream.js';
import { idAt } from '../support/positions.js';
import { ADAPTERS, startApp } from '../support/test-app.js';

describe.each(ADAPTERS)(
  'heartbeats and the retry hint (%s)',
  (_adapter, createAdapter) => {
    it('writes a heartbeat comment on a quiet stream, which EventSource listeners never see', async () => {
      const running = await startApp(
        ProbeModule.with({ heartbeatMs: 30 }),
        createAdapter,
      );
      const client = await SseTestClient.connect(
        running.app,
        '/probe/open?probe=listener',
        { reconnect: true },
      );
      try {
        const raw = await readRaw(`${running.url}/probe/open?probe=raw`, {
          until: (body) => body.split(': heartbeat\n\n').length > 2,
        });
        expect(raw.body).toMatch(
          new RegExp(
            `^\nevent: ready\nid: ${idAt(running.app)}\ndata: [0-9a-f-]{36}\n\n: heartbeat\n\n: heartbeat\n\n`,
          ),
        );
        await client.waitForEvents(1);
        const connection = await running.app
          .get(ConnectionProbe)
          .get('listener');
        connection.send({ data: 'after heartbeats' });
        await client.waitForEvents(2);
        expect(client.events.map((event) => event.data)).toEqual([
          connection.id,
          'after heartbeats',
        ]);
      } finally {
        client.close();
        await running.close();
      }
    });

    it('starts every stream with a retry hint jittered between retryMs and 1.5 × retryMs', async () => {
      const running = await startApp(
        ProbeModule.with({ retryMs: 2000 }),
        createAdapter,
      );
      try {
        const id = idAt(running.app);
        const hints = new Set<number>();
        for (let i = 0; i < 20; i++) {
          const raw = await readRaw(`${running.url}/probe/topics?topic=news`);
          const match = new RegExp(
            `^\nid: ${id}\nretry: (\\d+)\n\nevent: topic\nid: ${id}\ndata: news\n\n$`,
          ).exec(raw.body);
          expect(match).not.toBeNull();
          hints.add(Number(match![1]));
        }
        expect([...hints].every((hint) => hint >= 2000 && hint <= 3000)).toBe(
          true,
        );
        // Twenty draws from a thousand values: all equal would mean no jitter.
        expect(hints.size).toBeGreaterThan(1);
      } finally {
        await running.close();
      }
    });
  },
);
