import { afterAll, afterEach, beforeAll, expect, it } from '@jest/globals';
import { describe } from '@jest/globals';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import {
  ChannelService,
  type SseModuleOptions,
  type SseStatsSnapshot,
} from '../../src/sse/index.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { Gate, LateLeaversModule } from '../fixtures/late-leavers.module.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import type { Delivery } from '../support/adapter-delivery-cases.js';
import { startHttp2App } from '../support/http2-app.js';
import { Http2Origin, Http2SseStream } from '../support/http2-sse-reader.js';
import { idAt } from '../support/positions.js';
import { RecordingLogger } from '../support/recording-logger.js';
import {
  describeWithOpenssl,
  makeSelfSignedCert,
  type SelfSignedCert,
} from '../support/self-signed-cert.js';
import { statsOf } from '../support/stats.js';
import type { RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Headers that are connection-specific in HTTP/1.1 and forbidden in HTTP/2
 * (RFC 9113, section 8.2.2): a browser fails a stream that has one.
 */
const CONNECTION_SPECIFIC_HEADERS = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

/** An HTTP/1.1 chunk-size line (`1a3\r\n`), which must never reach an HTTP/2 stream's data. */
const CHUNK_SIZE_LINE = /(^|\n)[0-9a-f]+\r\n/;

function expectSseHeaders(stream: Http2SseStream): void {
  expect(stream.headers?.[':status']).toBe(200);
  expect(stream.headers?.['content-type']).toBe('text/event-stream');
  for (const name of CONNECTION_SPECIFIC_HEADERS)
    expect(stream.headers).not.toHaveProperty(name);
}

// Nest's Fastify adapter over HTTP/2 with TLS, as browsers speak it, in both
// delivery modes (`npm run test:direct` runs only test/e2e, so this suite
// runs both itself). The client is Node's own HTTP/2 client, reading the
// exact bytes of each stream's DATA frames; the streams of a test share one
// connection, as a page's do.
describeWithOpenssl('Fastify over HTTP/2 with TLS', () => {
  let cert: SelfSignedCert;
  beforeAll(async () => {
    cert = await makeSelfSignedCert();
  });
  afterAll(() => cert.remove());

  describe.each(['pipeline', 'direct'] as const)(
    'delivery: %s',
    (delivery: Delivery) => {
      let running: RunningApp | undefined;
      let origin: Http2Origin | undefined;
      let stats: () => SseStatsSnapshot;
      let channels: ChannelService;

      /**
       * Starts a fixture module over HTTP/2 with this suite's delivery (and
       * no drain window, but where a test sets one), and opens one client
       * session to it, a browser tab's.
       */
      async function start(
        fixture: (options: SseModuleOptions) => DynamicModule,
        options: SseModuleOptions = {},
        configure?: (app: INestApplication) => void,
      ): Promise<Http2Origin> {
        running = await startHttp2App(
          fixture({ delivery, shutdownDrainMs: 0, ...options }),
          cert,
          configure,
        );
        stats = statsOf(running.app);
        channels = running.app.get(ChannelService);
        origin = new Http2Origin(running.url, cert.cert);
        return origin;
      }

      afterEach(async () => {
        origin?.close();
        await running?.close();
        origin = running = undefined;
      });

      it('streams channel events to every stream of one connection, byte for byte, with no connection-specific header', async () => {
        const session = await start(ProbeModule.with);
        const news = await session.open('/probe/channels/dynamic?join=news');
        const both = await session.open(
          '/probe/channels/dynamic?join=news,sport',
        );
        expectSseHeaders(news);
        expectSseHeaders(both);
        const opened = idAt(running!.app);
        await news.untilBodyIncludes('data: news\n\n');
        await both.untilBodyIncludes('data: news,sport\n\n');

        expect(
          channels.channel('news').send({ type: 'update', data: 'n1' }),
        ).toBe(2);
        const afterNews = idAt(running!.app);
        expect(
          channels.channel('sport').send({ type: 'score', data: '2-1' }),
        ).toBe(1);
        const afterSport = idAt(running!.app);
        await both.untilBodyIncludes('data: 2-1\n\n');
        await news.untilBodyIncludes('data: n1\n\n');

        expect(news.body).toBe(
          `\nevent: ready\nid: ${opened}\ndata: news\n\n` +
            `event: update\nid: ${afterNews}\ndata: n1\n\n`,
        );
        expect(both.body).toBe(
          `\nevent: ready\nid: ${opened}\ndata: news,sport\n\n` +
            `event: update\nid: ${afterNews}\ndata: n1\n\n` +
            `event: score\nid: ${afterSport}\ndata: 2-1\n\n`,
        );
        expect(both.body).not.toMatch(CHUNK_SIZE_LINE);
        expect(stats().connections).toMatchObject({ open: 2, clients: 1 });
      });

      it('writes a heartbeat comment to an idle stream', async () => {
        const session = await start(ProbeModule.with, { heartbeatMs: 50 });
        const stream = await session.open('/probe/channels/dynamic?join=news');
        const opened = idAt(running!.app);
        await stream.untilBodyIncludes(': heartbeat\n\n');
        expect(stream.body).toBe(
          `\nevent: ready\nid: ${opened}\ndata: news\n\n: heartbeat\n\n`,
        );
      });

      it('replays what a stream missed from Last-Event-ID', async () => {
        const session = await start(FeedModule.with, {
          history: { size: 100 },
        });
        const first = await session.open('/feed?channels=a');
        await first.untilBodyIncludes('data: feed\n\n');
        channels.channel('a').send({ type: 'a', data: 'a1' });
        const seen = idAt(running!.app);
        await first.untilBodyIncludes('data: a1\n\n');
        first.cancel();

        channels.channel('a').send({ type: 'a', data: 'a2' });
        const missed = idAt(running!.app);
        channels.channel('a').send({ type: 'a', data: 'a3' });
        const last = idAt(running!.app);
        const resumed = await session.open('/feed?channels=a', {
          'last-event-id': seen,
        });
        await resumed.untilBodyIncludes('data: a3\n\n');
        expect(resumed.body).toBe(
          `\nevent: hello\nid: ${seen}\ndata: feed\n\n` +
            `event: a\nid: ${missed}\ndata: a2\n\n` +
            `event: a\nid: ${last}\ndata: a3\n\n`,
        );
      });

      it('refuses a stream past maxConnectionsPerClient with a retry hint', async () => {
        const session = await start(ProbeModule.with, {
          maxConnectionsPerClient: 2,
          retryMs: 1000,
        });
        await session.open('/probe/channels/dynamic?join=news');
        await session.open('/probe/channels/dynamic?join=news');
        await waitFor(
          () => stats().connections.open === 2,
          'two streams to open',
        );
        const refused = await session.open('/probe/channels/dynamic?join=news');
        await refused.until(() => refused.ended, 'the refusal to end');
        // Its Connection header is left out under HTTP/2 (Node would drop it
        // with a warning): see connection-admission.spec.ts.
        expectSseHeaders(refused);
        expect(refused.body).toMatch(
          /^retry: \d+\n: this client has maxConnectionsPerClient \(2\) streams open\n\n$/,
        );
        expect(stats().refusedConnections).toBe(1);
        expect(stats().connections.open).toBe(2);
      });

      it('drops a stream whose client stopped reading, at its limit, while the next stream on the same connection goes on', async () => {
        const session = await start(FeedModule.with, { heartbeatMs: 0 });
        const reading = await session.open('/firehose');
        const stalled = await session.open('/firehose');
        stalled.stall();
        await waitFor(
          () => stats().connections.open === 2,
          'both streams to open',
        );
        // Far past the endpoint's limit (256K characters) and what the
        // connection's flow-control windows hold, a turn at a time.
        const padding = 'x'.repeat(4096);
        const firehose = channels.channel('firehose');
        let sent = 0;
        const producer = setInterval(() => {
          for (let i = 0; i < 4; i++)
            firehose.send({ type: 't', data: `${sent++}:${padding}` });
        }, 1);
        try {
          await waitFor(
            () => stats().droppedSlowClients === 1,
            `the stalled stream to be dropped (${sent} events sent)`,
          );
        } finally {
          clearInterval(producer);
        }
        await stalled.until(
          () => stalled.closed,
          'the stalled stream to close',
        );
        expect(stalled.ended).toBe(false); // reset, not ended
        expect(stats().connections.open).toBe(1);
        expect(stats().pendingData.characters).toBeLessThan(256 * 1024);

        // The session, and the stream beside it, go on.
        firehose.send({ type: 't', data: 'after the drop' });
        await reading.untilBodyIncludes('data: after the drop\n\n');
        expect(session.goAwayCode).toBeUndefined();
        expect(reading.body).not.toMatch(CHUNK_SIZE_LINE);
      });

      /**
       * A burst (one turn's sends) is no sign of a slow client, whatever its
       * size: with direct delivery, 1 000 events of about 1 KB, 4 times the
       * limit of /firehose (256K). Through Nest's pipeline, Nest queues the
       * whole burst and, under its own check, drops a stream that backs up
       * while more than the limit waits there, which HTTP/2 flow control
       * makes likely: the burst stays within the limit there (200 events),
       * still far more than the stream's buffer.
       */
      const burstSize = delivery === 'direct' ? 1000 : 200;

      it(`sends a burst of ${burstSize} events whole to the streams that read`, async () => {
        const session = await start(FeedModule.with, { heartbeatMs: 0 });
        const readers = [
          await session.open('/firehose'),
          await session.open('/firehose'),
          await session.open('/firehose'),
        ];
        await waitFor(
          () => stats().connections.open === 3,
          'the streams to open',
        );
        const padding = 'b'.repeat(1000);
        const firehose = channels.channel('firehose');
        for (let i = 0; i < burstSize; i++)
          firehose.send({ type: 'n', data: `${i}:${padding}` });
        await Promise.all(
          readers.map((reader) =>
            reader.untilBodyIncludes(`data: ${burstSize - 1}:${padding}\n\n`),
          ),
        );
        expect(stats().droppedSlowClients).toBe(0);
        for (const reader of readers) {
          const numbers = [...reader.body.matchAll(/data: (\d+):/g)].map(
            (match) => Number(match[1]),
          );
          expect(numbers).toEqual([...Array(burstSize).keys()]);
        }
      });

      it('drains on shutdown: each stream ends with its retry hint, and the connection is told to go away', async () => {
        const session = await start(ProbeModule.with, {
          heartbeatMs: 0,
          retryMs: 1000,
          // Two streams, two slices: the second ends 500 ms after the first.
          shutdownDrainMs: 1000,
        });
        const streams = [
          await session.open('/probe/channels/dynamic?join=news'),
          await session.open('/probe/channels/dynamic?join=news'),
        ];
        const opened = idAt(running!.app);
        await waitFor(
          () => stats().connections.open === 2,
          'both streams to open',
        );
        const closing = running!.close();
        await Promise.race(
          streams.map((stream) =>
            stream.until(() => stream.ended, 'a first stream to end'),
          ),
        );
        // Graceful: no new stream on this connection (a reconnection goes
        // to a new one, to another instance), the open one goes on.
        await session.untilGoAway();
        expect(session.goAwayCode).toBe(0);
        expect(streams.filter((stream) => stream.ended)).toHaveLength(1);

        await closing;
        running = undefined;
        for (const stream of streams) {
          await stream.until(() => stream.closed, 'every stream to close');
          expect(stream.ended).toBe(true);
          expect(stream.body).toMatch(
            new RegExp(
              `^\nid: ${opened}\nretry: \\d+\n` +
                `\nevent: ready\nid: ${opened}\ndata: news\n\n` +
                `id: ${opened}\nretry: (\\d+)\n\n$`,
            ),
          );
          expect(stream.rstCode).toBe(0);
        }
        expect(stats().connections.open).toBe(0);
      });

      it('forgets a stream its client cancelled', async () => {
        const session = await start(ProbeModule.with);
        const leaving = await session.open('/probe/channels/dynamic?join=news');
        const staying = await session.open('/probe/channels/dynamic?join=news');
        await waitFor(
          () => stats().connections.open === 2,
          'both streams to open',
        );
        leaving.cancel();
        await waitFor(
          () => stats().connections.open === 1,
          `the cancelled stream to be forgotten (${stats().connections.open} open)`,
        );
        expect(stats().connections.responding).toBe(1);
        expect(channels.channel('news').send({ data: 'still here' })).toBe(1);
        await staying.untilBodyIncludes('data: still here\n\n');
        staying.cancel();
        await waitFor(
          () =>
            stats().connections.open === 0 &&
            stats().connections.responding === 0,
          'every stream to be forgotten',
        );
      });

      it.each(['guard', 'handler'])(
        'forgets streams cancelled while an async %s ran, and closes without waiting for them',
        async (stage) => {
          const logger = new RecordingLogger();
          const session = await start(
            LateLeaversModule.with,
            { heartbeatMs: 0 },
            (app) => app.useLogger(logger),
          );
          const gate = running!.app.get(Gate);
          const leaving = Array.from({ length: 20 }, () =>
            session.request(`/late/${stage}`),
          );
          await waitFor(
            () => gate.arrived === 20,
            `every request to reach the ${stage}`,
          );
          for (const stream of leaving) stream.cancel();
          await waitFor(
            () => gate.clientsGone === 20,
            'the server to see every stream go',
          );
          gate.open();
          await waitFor(() => gate.handlersRun === 20, 'every handler to run');
          await waitFor(
            () =>
              stats().connections.open === 0 &&
              stats().connections.responding === 0,
            `every stream to be forgotten (${JSON.stringify(stats().connections)})`,
          );
          await running!.close();
          running = undefined;
          expect(logger.at('warn')).toEqual([]);
          expect(logger.at('error')).toEqual([]);
        },
      );
    },
  );
});
