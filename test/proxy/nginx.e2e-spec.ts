import type { INestApplication } from '@nestjs/common';
import {
  ExpressAdapter,
  type NestExpressApplication,
} from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { chromium, type Browser } from 'playwright-core';
import { ChannelService, type SseModuleOptions } from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { CHROMIUM_PATH, describeWithChromium } from '../support/chromium.js';
import {
  describeWithNginx,
  NginxProcess,
  type NginxOptions,
} from '../support/nginx-process.js';
import { idAt } from '../support/positions.js';
import {
  makeSelfSignedCert,
  type SelfSignedCert,
} from '../support/self-signed-cert.js';
import { statsOf } from '../support/stats.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { EventWaits, waitFor } from '../support/wait-for.js';
import { ProxiedAppModule, type SeenRequest } from './proxied-app.module.js';
import { TlsStream } from './tls-stream.js';

/** nginx's address as the app sees it: the one proxy the app trusts. */
const PROXY_ADDRESS = '127.0.0.1';

/** An adapter's name, how to make it, and how to make the app trust nginx. */
type TrustingAdapter = readonly [
  name: string,
  createAdapter: () => ExpressAdapter | FastifyAdapter,
  trust: (app: INestApplication) => void,
];

/** Each adapter, trusting nginx (and nothing else) to say who the client is. */
const TRUSTING_ADAPTERS: TrustingAdapter[] = [
  [
    'express',
    () => new ExpressAdapter(),
    (app: INestApplication) =>
      (app as NestExpressApplication).set('trust proxy', PROXY_ADDRESS),
  ],
  [
    'fastify',
    () => new FastifyAdapter({ trustProxy: PROXY_ADDRESS }),
    () => undefined,
  ],
];
const [EXPRESS] = TRUSTING_ADAPTERS;

const STREAM = '/probe/channels/dynamic?join=news';
const READY = (id: string) => `\nevent: ready\nid: ${id}\ndata: news\n\n`;

const MB = 1024 * 1024;
/** An event of 64K characters: a stalled client's buffers fill in a few dozen. */
const PAYLOAD = 'x'.repeat(64 * 1024);
/** What may wait in the app for clients that do not read: four events. */
const PENDING_BUDGET = 4 * PAYLOAD.length;
/** Sent to a stalled client at most, before giving up on its being dropped. */
const MOST_SENT_TO_A_STALLED_CLIENT = 64 * MB;
/** Generous: loopback buffers grow to a few MB, and nginx adds its own few dozen KB. */
const HELD_ON_THE_WAY_BOUND = 32 * MB;

/** Heartbeats four times a second, against nginx's 1 s proxy_read_timeout. */
const HEARTBEAT_MS = 250;
/** Seven heartbeats span at least six intervals (1.5 s): past the timeout. */
const HEARTBEATS_PAST_TIMEOUT = 7;

// The deployment guide's nginx configuration (docs/nginx/sse.conf), run by
// Debian's nginx: HTTP/2 and TLS to the client, HTTP/1.1 to the app.
describeWithNginx('behind nginx', () => {
  let cert: SelfSignedCert;
  /** Closed after each test, last first: nginx before its app. */
  const started: Array<{ close(): Promise<void> }> = [];
  const streams: TlsStream[] = [];
  beforeAll(async () => {
    cert = await makeSelfSignedCert();
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    for (const running of started.splice(0).reverse()) await running.close();
  });
  afterAll(() => cert?.remove());

  /** The app (on 127.0.0.1, HTTP/1.1) and an nginx of its own in front of it. */
  async function behindNginx(
    [, createAdapter, trust]: TrustingAdapter,
    options: SseModuleOptions,
    nginxOptions: Partial<NginxOptions> = {},
  ): Promise<{ running: RunningApp; nginx: NginxProcess }> {
    const running = await startApp(
      ProxiedAppModule.with(options),
      createAdapter,
      trust,
    );
    started.push(running);
    const nginx = await NginxProcess.start({
      appPort: Number(new URL(running.url).port),
      cert,
      ...nginxOptions,
    });
    started.push({ close: () => nginx.stop() });
    return { running, nginx };
  }

  /** A request to nginx by `protocol`, trusting its certificate; closed after the test. */
  async function open(
    protocol: 'h2' | 'http/1.1',
    url: string,
    options: { localAddress?: string; headers?: Record<string, string> } = {},
  ): Promise<TlsStream> {
    const stream = await (protocol === 'h2'
      ? TlsStream.h2(url, { ca: cert.cert, ...options })
      : TlsStream.http1(url, { ca: cert.cert, ...options }));
    streams.push(stream);
    return stream;
  }

  describe.each(TRUSTING_ADAPTERS)('(%s)', (name, createAdapter, trust) => {
    const adapter: TrustingAdapter = [name, createAdapter, trust];
    // nginx passes HTTP/2 frames on as they come whatever the buffering;
    // over HTTP/1.1 it holds a buffered response back (headers included)
    // until its buffer fills: the library's `X-Accel-Buffering: no` is what
    // lets the events through there.
    it.each(['h2', 'http/1.1'] as const)(
      'passes each event through as it is sent, with nginx buffering on (%s)',
      async (protocol) => {
        const { running, nginx } = await behindNginx(adapter, {
          heartbeatMs: 60_000,
        });
        const news = running.app.get(ChannelService).channel('news');
        const opened = idAt(running.app);
        const stream = await open(protocol, `${nginx.url}${STREAM}`);
        expect(stream.protocol).toBe(protocol);
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toBe('text/event-stream');
        expect(stream.headers['cache-control']).toContain('no-transform');
        // nginx acts on X-Accel-Buffering and does not pass it on.
        expect(stream.headers['x-accel-buffering']).toBeUndefined();
        await stream.until(
          (body) => body.endsWith('data: news\n\n'),
          'the first event',
        );

        // Each event is sent only once the one before has arrived: an nginx
        // that held events back until its buffer filled would time this out.
        let expected = READY(opened);
        for (let i = 1; i <= 3; i++) {
          news.send({ type: 'pushed', data: `event ${i}` });
          expected += `event: pushed\nid: ${idAt(running.app)}\ndata: event ${i}\n\n`;
          await stream.until(
            (body) => body.length >= expected.length,
            `event ${i}`,
          );
          expect(stream.body).toBe(expected);
        }
        expect(stream.closed).toBe(false);
      },
    );

    it('passes Last-Event-ID through: a client that comes back is replayed what it missed', async () => {
      const { running, nginx } = await behindNginx(adapter, {
        heartbeatMs: 60_000,
      });
      const news = running.app.get(ChannelService).channel('news');
      const first = await open('h2', `${nginx.url}${STREAM}`);
      await first.until((body) => body.endsWith('data: news\n\n'), 'ready');
      news.send({ type: 'pushed', data: 'seen' });
      const seen = idAt(running.app);
      await first.until((body) => body.endsWith('data: seen\n\n'), 'seen');
      first.close();
      await waitFor(
        () => statsOf(running.app)().connections.open === 0,
        'the app to see the client leave',
      );

      news.send({ type: 'pushed', data: 'missed 1' });
      const missed1 = idAt(running.app);
      news.send({ type: 'pushed', data: 'missed 2' });
      const missed2 = idAt(running.app);
      const second = await open('h2', `${nginx.url}${STREAM}`, {
        headers: { 'last-event-id': seen },
      });
      const replayed =
        `event: pushed\nid: ${missed1}\ndata: missed 1\n\n` +
        `event: pushed\nid: ${missed2}\ndata: missed 2\n\n`;
      await second.until(
        (body) => body.endsWith(replayed),
        'the missed events, replayed',
      );
      expect(second.body).toBe(READY(seen) + replayed);
    });

    it("passes the shutdown drain's retry hint through, then the end of the stream", async () => {
      const { running, nginx } = await behindNginx(adapter, {
        heartbeatMs: 60_000,
        retryMs: 1000,
        shutdownDrainMs: 200,
      });
      const opened = idAt(running.app);
      const stream = await open('h2', `${nginx.url}${STREAM}`);
      await stream.until((body) => body.endsWith('data: news\n\n'), 'ready');

      await running.close();
      await stream.untilClosed('the drained stream to end');
      expect(stream.ended).toBe(true);
      const match = new RegExp(
        `^\nid: ${opened}\nretry: \\d+\n${READY(opened)}id: ${opened}\nretry: (\\d+)\n\n$`,
      ).exec(stream.body);
      if (!match) throw new Error(`received ${JSON.stringify(stream.body)}`);
      expect(Number(match[1])).toBeGreaterThanOrEqual(1000);
      expect(Number(match[1])).toBeLessThanOrEqual(1500);
    });

    // With nginx's buffering, a response is read from the app as fast as the
    // app writes it, into memory and then temporary files (up to 1 GB by
    // default) for a client that reads nothing: the app would never see it as
    // slow. `X-Accel-Buffering: no` makes nginx read only what it can pass on.
    it('lets a client that stops reading hold the app back, which drops it at its limit, with nothing kept by nginx', async () => {
      const { running, nginx } = await behindNginx(adapter, {
        heartbeatMs: 60_000,
        maxPendingDataTotal: PENDING_BUDGET,
      });
      const stats = statsOf(running.app);
      const news = running.app.get(ChannelService).channel('news');
      const stalled = await open('h2', `${nginx.url}${STREAM}`);
      await stalled.until((body) => body.endsWith('data: news\n\n'), 'ready');
      stalled.stopReading();

      let sent = 0;
      const producer = setInterval(() => {
        if (sent < MOST_SENT_TO_A_STALLED_CLIENT) {
          news.send({ type: 'pushed', data: PAYLOAD });
          sent += PAYLOAD.length;
        }
      }, 1);
      try {
        await waitFor(
          () =>
            stats().droppedSlowClients === 1 ||
            sent >= MOST_SENT_TO_A_STALLED_CLIENT,
          'the stalled client to be dropped',
        );
      } finally {
        clearInterval(producer);
      }
      if (stats().droppedSlowClients !== 1)
        throw new Error(
          `The app sent ${sent / MB} MB to a client that reads nothing, and never saw it as slow: nginx took it all`,
        );
      // What the kernel's socket buffers and nginx's own buffers hold
      // (about 4 MB here), not everything that was sent.
      expect(sent).toBeLessThan(HELD_ON_THE_WAY_BOUND);
      expect(nginx.log).not.toContain('buffered to a temporary file');
    });

    it("gives clientKey the client's address from nginx, not one the client forged", async () => {
      const { running, nginx } = await behindNginx(adapter, {
        heartbeatMs: 60_000,
        maxConnectionsPerClient: 1,
      });
      const stats = statsOf(running.app);
      const forged = { 'x-forwarded-for': '203.0.113.9' };

      const request = await open('h2', `${nginx.url}/proxied/request`, {
        localAddress: '127.0.0.2',
        headers: forged,
      });
      await request.untilClosed('the request to be answered');
      const seen = JSON.parse(request.body) as SeenRequest;
      expect(seen).toMatchObject({
        ip: '127.0.0.2',
        realIp: '127.0.0.2',
        forwardedFor: '203.0.113.9, 127.0.0.2',
        forwardedProto: 'https',
      });
      // `Connection ''`: nothing asks the app to close nginx's connection...
      expect(seen.connection).toBeUndefined();
      // ...which the next request reuses (the upstream's keepalive).
      const again = await open('h2', `${nginx.url}/proxied/request`);
      await again.untilClosed('the second request to be answered');
      expect((JSON.parse(again.body) as SeenRequest).proxyPort).toBe(
        seen.proxyPort,
      );

      // One stream per client: 127.0.0.2 and 127.0.0.3 are two clients to
      // the app, although both reach it through nginx's 127.0.0.1.
      const fromA = await open('h2', `${nginx.url}${STREAM}`, {
        localAddress: '127.0.0.2',
        headers: forged,
      });
      const fromB = await open('h2', `${nginx.url}${STREAM}`, {
        localAddress: '127.0.0.3',
        headers: forged,
      });
      await fromA.until((body) => body.endsWith('data: news\n\n'), 'A ready');
      await fromB.until((body) => body.endsWith('data: news\n\n'), 'B ready');
      expect(stats().connections.clients).toBe(2);

      const againFromA = await open('h2', `${nginx.url}${STREAM}`, {
        localAddress: '127.0.0.2',
        headers: { 'x-forwarded-for': '198.51.100.7' },
      });
      await againFromA.untilClosed('the refusal');
      expect(againFromA.body).toMatch(
        /^retry: \d+\n: this client has maxConnectionsPerClient \(1\) streams open\n\n$/,
      );
      expect(stats().refusedConnections).toBe(1);
    });
  });

  // Heartbeats are the module's own timer, the same on both adapters
  // (test/e2e/heartbeat-and-retry covers both): one adapter is enough here.
  it('keeps a quiet stream open past proxy_read_timeout with heartbeats, where nginx cuts one without them', async () => {
    const [beating, silent] = await Promise.all([
      behindNginx(
        EXPRESS,
        { heartbeatMs: HEARTBEAT_MS },
        { proxyReadTimeout: '1s' },
      ),
      behindNginx(EXPRESS, { heartbeatMs: 0 }, { proxyReadTimeout: '1s' }),
    ]);
    const openedAt = [idAt(beating.running.app), idAt(silent.running.app)];
    const [kept, cut] = await Promise.all([
      open('h2', `${beating.nginx.url}${STREAM}`),
      open('h2', `${silent.nginx.url}${STREAM}`),
    ]);
    const heartbeats = (body: string) =>
      body.split(': heartbeat\n\n').length - 1;
    await Promise.all([
      kept.until(
        (body) => heartbeats(body) >= HEARTBEATS_PAST_TIMEOUT,
        `${HEARTBEATS_PAST_TIMEOUT} heartbeats`,
      ),
      cut.untilClosed('nginx to cut the silent stream'),
    ]);

    expect(cut.body).toBe(READY(openedAt[1]));
    await waitFor(
      () => statsOf(silent.running.app)().connections.open === 0,
      'the app to see nginx close the silent stream',
    );

    expect(kept.closed).toBe(false);
    expect(kept.body).toBe(
      READY(openedAt[0]) + ': heartbeat\n\n'.repeat(heartbeats(kept.body)),
    );
    beating.running.app
      .get(ChannelService)
      .channel('news')
      .send({ type: 'pushed', data: 'still open' });
    await kept.until(
      (body) => body.endsWith('data: still open\n\n'),
      'an event after the heartbeats',
    );
  });

  describeWithChromium('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--no-sandbox'],
      });
    }, 60_000);
    afterAll(() => browser?.close());

    it('follows a channel with EventSource over HTTP/2, and resumes with Last-Event-ID once its stream is cut', async () => {
      const { running, nginx } = await behindNginx(EXPRESS, {
        heartbeatMs: 60_000,
        // The browser comes back within a few hundred milliseconds.
        retryMs: 100,
      });
      const news = running.app.get(ChannelService).channel('news');
      const probe = running.app.get(ConnectionProbe);
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      started.push({ close: () => context.close() });
      const page = await context.newPage();
      const received: Array<{ data: string; id: string }> = [];
      const waits = new EventWaits();
      await page.exposeFunction('recordEvent', (data: string, id: string) => {
        received.push({ data, id });
        waits.notify();
      });
      const until = (count: number) =>
        waits.until(
          () => received.length >= count,
          () => `${count} events (received ${JSON.stringify(received)})`,
        );

      await page.goto(`${nginx.url}/proxied/page`);
      const protocol = await page.evaluate<string>(
        "performance.getEntriesByType('navigation')[0].nextHopProtocol",
      );
      expect(protocol).toBe('h2');
      const first = await probe.get('page');

      news.send({ type: 'pushed', data: 'one' });
      const one = idAt(running.app);
      await until(1);

      // The app ends the stream; the browser reconnects through nginx, and
      // gets what was sent meanwhile either live or replayed.
      first.close();
      news.send({ type: 'pushed', data: 'two' });
      const two = idAt(running.app);
      await waitFor(
        () => probe.connections.get('page') !== first,
        'the browser to reconnect',
      );
      const second = probe.connections.get('page')!;
      expect(second.request.headers['last-event-id']).toBe(one);
      news.send({ type: 'pushed', data: 'three' });
      const three = idAt(running.app);
      await until(3);
      expect(received).toEqual([
        { data: 'one', id: one },
        { data: 'two', id: two },
        { data: 'three', id: three },
      ]);
    });
  });
});
