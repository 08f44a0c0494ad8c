import { statsOf } from '../support/stats.js';
import { SseError, type SseStatsSnapshot } from '../../src/sse/index.js';
import { JobsModule, JobsService } from '../fixtures/jobs.module.js';
import { idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** The retry hint every stream of this suite starts with: short, so a reconnecting client would show within a second. */
const RETRY_MS = 200;

const HANDLERS = [
  ['sync', '/jobs'],
  ['async', '/async-jobs'],
] as const;

describe.each(ADAPTERS)(
  'noContent(): 204 for a finished job (%s)',
  (adapter, createAdapter) => {
    let running: RunningApp;
    let jobs: JobsService;
    let stats: () => SseStatsSnapshot;
    const clients = openedClients();

    beforeAll(async () => {
      running = await startApp(
        JobsModule.with({ retryMs: RETRY_MS, heartbeatMs: 0 }),
        createAdapter,
      );
      jobs = running.app.get(JobsService);
      stats = statsOf(running.app);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it.each(HANDLERS)(
      'a finished job answers 204 with an empty body (%s handler)',
      async (kind, prefix) => {
        const id = `done-raw-${kind}-${adapter}`;
        jobs.finished.add(id);
        const response = await readRaw(
          `${running.url}${prefix}/${id}/progress`,
        );
        expect(response.status).toBe(204);
        expect(response.body).toBe('');
        expect(response.ended).toBe(true);
        expect(response.headers['content-type']).toBeUndefined();
        expect(jobs.runs.get(id)).toBe(1);
        expect(jobs.noContentAnswers.get(id)).toBe(1);
        // No stream was kept for it.
        await waitFor(
          () =>
            stats().connections.open === 0 &&
            stats().connections.responding === 0,
          `nothing to stay open (${stats().connections.open})`,
        );
      },
    );

    it.each(HANDLERS)(
      'an EventSource on a finished job ends CLOSED, without having opened (%s handler)',
      async (kind, prefix) => {
        const id = `done-es-${kind}-${adapter}`;
        jobs.finished.add(id);
        const client = await clients.connect(
          `${running.url}${prefix}/${id}/progress`,
        );
        await client.waitUntil(
          () => client.readyState === 'closed',
          'the EventSource to close',
        );
        expect(client.errors).toBe(1);
        expect(client.opens).toBe(0);
        expect(client.events).toEqual([]);
        expect(jobs.runs.get(id)).toBe(1);
      },
    );

    it.each(HANDLERS)(
      'a client following a job that finishes comes back once, gets 204 and never reconnects again (%s handler)',
      async (kind, prefix) => {
        const id = `finishing-${kind}-${adapter}`;
        const client = await clients.connect(
          `${running.url}${prefix}/${id}/progress`,
        );
        await client.waitForEvents(1);
        jobs.finish(id);
        await client.waitUntil(
          () => client.readyState === 'closed',
          'the EventSource to close',
        );
        expect(client.dataOf('progress')).toEqual([
          `{"job":"${id}","percent":0}`,
          `{"job":"${id}","percent":100}`,
        ]);
        expect(client.opens).toBe(1);
        expect(jobs.runs.get(id)).toBe(2);
        // A CLOSED EventSource never reconnects (WHATWG: "fail the connection"), so no wait is
        // needed to show that it gave up for good; a plain close() would leave it CONNECTING.
        expect(jobs.noContentAnswers.get(id)).toBe(1);
      },
    );

    it.each(HANDLERS)(
      'an unfinished job streams its progress (%s handler)',
      async (kind, prefix) => {
        const id = `running-${kind}-${adapter}`;
        const response = await readRaw(
          `${running.url}${prefix}/${id}/progress`,
          { until: (body) => body.includes('"percent":0') },
        );
        const at = idAt(running.app);
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toMatch(
          /^text\/event-stream\b/,
        );
        const match = new RegExp(
          `^\nid: ${at}\nretry: (\\d+)\n\nevent: progress\nid: ${at}\ndata: \\{"job":"${id}","percent":0\\}\n\n$`,
        ).exec(response.body);
        expect(match).not.toBeNull();
        expect(Number(match![1])).toBeGreaterThanOrEqual(RETRY_MS);
        expect(Number(match![1])).toBeLessThanOrEqual(RETRY_MS * 1.5);
        expect(jobs.noContentAnswers.get(id)).toBeUndefined();
      },
    );

    it.each(HANDLERS)(
      'noContent() after send() throws an SseError and leaves the stream alone (%s handler)',
      async (kind, prefix) => {
        const id = `late-${kind}-${adapter}`;
        const response = await readRaw(
          `${running.url}${prefix}/${id}/late-no-content`,
          {
            until: (body) => body.includes('data: still streaming\n\n'),
          },
        );
        const at = idAt(running.app);
        expect(response.status).toBe(200);
        expect(response.body).toMatch(
          new RegExp(
            `^\nid: ${at}\nretry: \\d+\n\n` +
              `event: progress\nid: ${at}\ndata: \\{"job":"${id}","percent":10\\}\n\n` +
              `event: progress\nid: ${at}\ndata: still streaming\n\n$`,
          ),
        );
        const error = jobs.lateErrors.get(id);
        expect(error).toBeInstanceOf(SseError);
        expect((error as Error).message).toMatch(
          /^\[nestjs-sse-channels\] noContent\(\) must be called before the handler sends or closes/,
        );
      },
    );
  },
);
