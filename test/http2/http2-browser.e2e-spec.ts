import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ChannelService, type SseStatsSnapshot } from '../../src/sse/index.js';
import { CHROMIUM_PATH, describeWithChromium } from '../support/chromium.js';
import { startHttp2App } from '../support/http2-app.js';
import {
  describeWithOpenssl,
  makeSelfSignedCert,
  type SelfSignedCert,
} from '../support/self-signed-cert.js';
import { statsOf } from '../support/stats.js';
import { startApp, type RunningApp } from '../support/test-app.js';
import { EventWaits } from '../support/wait-for.js';
import { STREAM_COUNT, TwelveStreamsModule } from './twelve-streams.module.js';

/** Chromium's limit of HTTP/1.1 connections to one host, which EventSources hold for good. */
const HTTP1_CONNECTIONS_PER_HOST = 6;

/** EventSource's `readyState`s. */
const CONNECTING = 0;
const OPEN = 1;

/** What one page of Chromium saw of its streams. */
class PageStreams {
  readonly opened = new Set<number>();
  readonly updated = new Map<number, string>();
  readonly waits = new EventWaits();

  constructor(readonly page: Page) {}

  static async load(browser: Browser, url: string): Promise<PageStreams> {
    const page = await browser.newPage();
    const streams = new PageStreams(page);
    await page.exposeFunction('recordOpen', (i: number) => {
      streams.opened.add(i);
      streams.waits.notify();
    });
    await page.exposeFunction('recordUpdate', (i: number, data: string) => {
      streams.updated.set(i, data);
      streams.waits.notify();
    });
    await page.goto(`${url}/twelve-streams.html`);
    return streams;
  }

  until(condition: () => boolean, what: string): Promise<void> {
    return this.waits.until(
      condition,
      () =>
        `${what} (opened: ${this.opened.size}, updated: ${this.updated.size})`,
    );
  }

  /** The `readyState` of each EventSource of the page (0 CONNECTING, 1 OPEN). */
  readyStates(): Promise<number[]> {
    return this.page.evaluate(() =>
      (globalThis as any).streams.map(
        (source: { readyState: number }) => source.readyState,
      ),
    );
  }
}

/** Sends an `update` to channel `news` of `app`; returns how many streams it went to. */
function sendUpdate(running: RunningApp, data: string): number {
  return running.app
    .get(ChannelService)
    .channel('news')
    .send({ type: 'update', data });
}

// A page holds an EventSource's connection for as long as it is open. Over
// HTTP/1.1 Chromium opens six connections to a host at most, so a seventh
// stream waits for one of them to close: forever. Over HTTP/2 every stream of
// the page shares one connection.
describeWithOpenssl('twelve EventSources of one page in Chromium', () => {
  describeWithChromium('over HTTP/2 and over HTTP/1.1', () => {
    let cert: SelfSignedCert;
    let browser: Browser;

    beforeAll(async () => {
      cert = await makeSelfSignedCert();
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        // The certificate is self-signed, made for this run.
        args: ['--no-sandbox', '--ignore-certificate-errors'],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await cert?.remove();
    });

    it(`keeps all ${STREAM_COUNT} live over HTTP/2 (Fastify with TLS)`, async () => {
      const versions: string[] = [];
      const running = await startHttp2App(
        TwelveStreamsModule.with({ heartbeatMs: 0, shutdownDrainMs: 0 }),
        cert,
        (app) =>
          app
            .getHttpAdapter()
            .getInstance()
            .addHook('onRequest', async (request: any) => {
              versions.push(request.raw.httpVersion);
            }),
      );
      const stats = statsOf(running.app);
      const streams = await PageStreams.load(browser, running.url);
      try {
        await streams.until(
          () => streams.opened.size === STREAM_COUNT,
          `all ${STREAM_COUNT} streams to open`,
        );
        expect(stats().connections.open).toBe(STREAM_COUNT);
        expect(sendUpdate(running, 'to all twelve')).toBe(STREAM_COUNT);
        await streams.until(
          () => streams.updated.size === STREAM_COUNT,
          `all ${STREAM_COUNT} streams to receive the update`,
        );
        expect([...streams.updated.values()]).toEqual(
          Array(STREAM_COUNT).fill('to all twelve'),
        );
        // The page, every stream (and the favicon) came over HTTP/2.
        expect(versions.length).toBeGreaterThan(STREAM_COUNT);
        expect(new Set(versions)).toEqual(new Set(['2.0']));
        const protocol = await streams.page.evaluate(
          () =>
            (globalThis as any).performance.getEntriesByType('navigation')[0]
              .nextHopProtocol,
        );
        expect(protocol).toBe('h2');
      } finally {
        await streams.page.close();
        await running.close();
      }
    });

    it(`keeps only ${HTTP1_CONNECTIONS_PER_HOST} live over HTTP/1.1: the control`, async () => {
      const running = await startApp(
        TwelveStreamsModule.with({ heartbeatMs: 0, shutdownDrainMs: 0 }),
        () => new FastifyAdapter(),
      );
      const stats: () => SseStatsSnapshot = statsOf(running.app);
      const streams = await PageStreams.load(browser, running.url);
      try {
        await streams.until(
          () => streams.opened.size === HTTP1_CONNECTIONS_PER_HOST,
          `${HTTP1_CONNECTIONS_PER_HOST} streams to open`,
        );
        expect(sendUpdate(running, 'to the open ones')).toBe(
          HTTP1_CONNECTIONS_PER_HOST,
        );
        await streams.until(
          () => streams.updated.size === HTTP1_CONNECTIONS_PER_HOST,
          `the open streams to receive the update`,
        );
        // The others wait for a connection that none of the open ones gives up.
        const states = await streams.readyStates();
        expect(states.filter((state) => state === OPEN)).toHaveLength(
          HTTP1_CONNECTIONS_PER_HOST,
        );
        expect(states.filter((state) => state === CONNECTING)).toHaveLength(
          STREAM_COUNT - HTTP1_CONNECTIONS_PER_HOST,
        );
        expect(stats().connections.open).toBe(HTTP1_CONNECTIONS_PER_HOST);
        expect(streams.opened.size).toBe(HTTP1_CONNECTIONS_PER_HOST);
      } finally {
        await streams.page.close();
        await running.close();
      }
    });
  });
});
