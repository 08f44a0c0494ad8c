import { createHash } from 'node:crypto';
import http from 'node:http';
import { ChannelService, SseStats } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { HandlerRuns } from '../fixtures/probe.controller.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { idAt } from '../support/positions.js';
import { readRaw, type RawResponse } from '../support/raw-stream.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor, withTimeout } from '../support/wait-for.js';

/** The `clientKey` of the per-client tests: the `x-client` header, as an API key or a session would be. */
export function clientFromHeader(request: {
  headers?: Record<string, string | string[] | undefined>;
}): string {
  const value = request.headers?.['x-client'];
  return String(Array.isArray(value) ? value[0] : (value ?? 'anonymous'));
}

/**
 * A `clientKey` taken from a bearer token, as an app that keys clients by API
 * key would: the token is base64, so the key can hold any character, CR and LF
 * included.
 */
export function clientFromToken(request: {
  headers?: Record<string, string | string[] | undefined>;
}): string {
  const header = String(request.headers?.authorization ?? '');
  return Buffer.from(header.replace(/^Bearer /, ''), 'base64').toString();
}

/** The endpoint of these tests: the probe's plain one, on channel `limited`. */
const LIMITED = '/probe/channels/dynamic?join=limited';

/**
 * What a refused connection gets: `200 text/event-stream` with only a `retry:`
 * line and a comment, then the end of the response. Returns the retry hint.
 */
function expectRefusal(response: RawResponse, comment: RegExp): number {
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/event-stream\b/);
  expect(response.ended).toBe(true);
  const match = /^retry: (\d+)\n: ([^\n]*)\n\n$/.exec(response.body);
  expect(match).not.toBeNull();
  expect(match![2]).toMatch(comment);
  return Number(match![1]);
}

/** A raw stream held open, with request headers (RawConnections sends none). */
interface HeldStream {
  body: string;
  close(): void;
}

describe.each(ADAPTERS)('admission limits (%s)', (_adapter, createAdapter) => {
  let running: RunningApp | undefined;
  const cleanups: Array<() => void> = [];

  /** Opens a stream to {@link LIMITED} and resolves once its `ready` event arrived. */
  const hold = async (
    key: string,
    headers: Record<string, string> = {},
  ): Promise<HeldStream> => {
    const held: HeldStream = { body: '', close: () => request.destroy() };
    let admitted!: () => void;
    const ready = new Promise<void>((resolve) => (admitted = resolve));
    const request = http.get(
      `${running!.url}${LIMITED}&probe=${key}`,
      { agent: false, headers: { accept: 'text/event-stream', ...headers } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          held.body += chunk;
          if (held.body.includes('event: ready')) admitted();
        });
        res.on('error', () => undefined);
      },
    );
    request.on('error', () => undefined);
    cleanups.push(held.close);
    await withTimeout(
      ready,
      10_000,
      () => `stream "${key}" to be admitted (got ${JSON.stringify(held.body)})`,
    );
    return held;
  };

  const connectEventSource = async (key: string) => {
    const client = await SseTestClient.connect(
      running!.app,
      `${LIMITED}&probe=${key}`,
      { reconnect: true, timeoutMs: 10_000 },
    );
    cleanups.push(() => client.close());
    return client;
  };
  const stats = () => running!.app.get(SseStats).snapshot();

  afterEach(async () => {
    cleanups.splice(0).forEach((cleanup) => cleanup());
    if (!running) return;
    try {
      // Every client left: nothing of them may stay behind.
      await waitFor(
        () =>
          stats().connections.open === 0 &&
          stats().connections.responding === 0,
        'every stream to be released',
      );
    } finally {
      await running.close();
      running = undefined;
    }
  });

  it('refuses the (N+1)th stream with a retry hint and a comment, without running the handler, then admits again', async () => {
    running = await startApp(
      ProbeModule.with({ maxConnections: 3, heartbeatMs: 0 }),
      createAdapter,
    );
    const runs = running.app.get(HandlerRuns);
    const probe = running.app.get(ConnectionProbe);
    const [first] = [await hold('a'), await hold('b'), await hold('c')];
    expect(stats().connections.open).toBe(3);
    expect(runs.count).toBe(3);
    expect(stats().refusedConnections).toBe(0);

    const refused = await readRaw(`${running.url}${LIMITED}&probe=refused`);
    const retry = expectRefusal(refused, /maxConnections \(3\)/);
    // No retryMs: about the browser's usual 3 s, jittered up to 1.5 ×.
    expect(retry).toBeGreaterThanOrEqual(3000);
    expect(retry).toBeLessThanOrEqual(4500);
    expect(runs.count).toBe(3);
    expect(probe.connections.has('refused')).toBe(false);
    expect(stats().connections.open).toBe(3);
    expect(stats().connections.responding).toBe(3);
    expect(running.app.get(ChannelService).channel('limited').count()).toBe(3);
    expect(stats().refusedConnections).toBe(1);

    first.close();
    await waitFor(
      () => stats().connections.open === 2,
      `the closed client to be noticed (${stats().connections.open} open)`,
    );
    const admitted = await readRaw(`${running.url}${LIMITED}&probe=admitted`, {
      until: (body) => body.includes('event: ready'),
    });
    expect(admitted.status).toBe(200);
    expect(admitted.body).toBe(
      `\nevent: ready\nid: ${idAt(running.app)}\ndata: limited\n\n`,
    );
    expect(probe.connections.has('admitted')).toBe(true);
    expect(runs.count).toBe(4);
    expect(stats().refusedConnections).toBe(1);
  });

  it('sends a refused EventSource back later (a stream that ends, not an error status) and admits it once there is room', async () => {
    running = await startApp(
      ProbeModule.with({ maxConnections: 2, retryMs: 200, heartbeatMs: 0 }),
      createAdapter,
    );
    const runs = running.app.get(HandlerRuns);
    const first = await hold('first');
    await hold('second');

    const retry = expectRefusal(
      await readRaw(`${running.url}${LIMITED}`),
      /maxConnections \(2\)/,
    );
    expect(retry).toBeGreaterThanOrEqual(200);
    expect(retry).toBeLessThanOrEqual(300);

    const late = await connectEventSource('late');
    // The refused EventSource comes back and is refused again.
    await late.waitForError(2);
    // Told to come back, not to give up: a 429 or 503 would have closed it for good.
    expect(late.readyState).not.toBe('closed');
    expect(late.events).toEqual([]);
    expect(runs.count).toBe(2);
    expect(stats().connections.open).toBe(2);
    expect(stats().refusedConnections).toBeGreaterThanOrEqual(3);

    first.close();
    const [event] = await late.waitForEvents(1);
    expect(event).toEqual({
      type: 'ready',
      data: 'limited',
      lastEventId: idAt(running.app),
    });
    expect(late.readyState).toBe('open');
    expect(running.app.get(ConnectionProbe).connections.has('late')).toBe(true);
    expect(runs.count).toBe(3);
    expect(stats().connections.open).toBe(2);
  });

  it('limits each client by clientKey: client A is refused while client B is still admitted', async () => {
    running = await startApp(
      ProbeModule.with({
        maxConnectionsPerClient: 2,
        clientKey: clientFromHeader,
        heartbeatMs: 0,
      }),
      createAdapter,
    );
    const runs = running.app.get(HandlerRuns);
    const a1 = await hold('a1', { 'x-client': 'A' });
    await hold('a2', { 'x-client': 'A' });

    const refused = await readRaw(`${running.url}${LIMITED}&probe=a3`, {
      headers: { 'x-client': 'A' },
    });
    expectRefusal(refused, /^this client has maxConnectionsPerClient \(2\)/);
    expect(runs.count).toBe(2);
    expect(stats().connections.open).toBe(2);
    expect(stats().refusedConnections).toBe(1);

    await hold('b1', { 'x-client': 'B' });
    expect(runs.count).toBe(3);
    expect(stats().connections.open).toBe(3);
    expect(stats().connections.clients).toBe(2);
    expect(stats().refusedConnections).toBe(1);

    // A has room again once one of its streams ends.
    a1.close();
    await waitFor(
      () => stats().connections.open === 2,
      `A's closed stream to be noticed (${stats().connections.open} open)`,
    );
    await hold('a4', { 'x-client': 'A' });
    expect(runs.count).toBe(4);
    expect(stats().refusedConnections).toBe(1);
  });

  it('never writes a client key to the refusal, and logs it only as a digest, on one line', async () => {
    // An API key, with a forged log line after it: CR and LF are allowed in a
    // key decoded from a token.
    const key =
      'sk_live_51HxSECRET\r\n[Nest] 1  - 11/29/2026, 9:00:00 PM   ERROR [Auth] forged';
    const token = `Bearer ${Buffer.from(key).toString('base64')}`;
    const logger = new RecordingLogger();
    running = await startApp(
      ProbeModule.with({
        maxConnectionsPerClient: 1,
        clientKey: clientFromToken,
        heartbeatMs: 0,
      }),
      createAdapter,
      (app) => app.useLogger(logger),
    );
    await hold('first', { authorization: token });

    const refused = await readRaw(`${running.url}${LIMITED}&probe=second`, {
      headers: { authorization: token },
    });
    const retry = expectRefusal(refused, /maxConnectionsPerClient/);
    expect(refused.body).toBe(
      `retry: ${retry}\n: this client has maxConnectionsPerClient (1) streams open\n\n`,
    );
    const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
    expect(logger.at('warn')).toEqual([
      `Refused a connection to ProbeController.dynamicChannels: this client has maxConnectionsPerClient (1) streams open (client #${digest}). The client was told to come back later.`,
    ]);
    expect(logger.at('warn')[0]).not.toMatch(/[\r\n]|SECRET|forged/);
  });

  it('tells clients apart by remote address when no clientKey is given', async () => {
    running = await startApp(
      ProbeModule.with({ maxConnectionsPerClient: 1, heartbeatMs: 0 }),
      createAdapter,
    );
    await hold('only', { 'x-client': 'A' });
    // A different x-client header does not matter: both come from 127.0.0.1.
    const refused = await readRaw(`${running.url}${LIMITED}`, {
      headers: { 'x-client': 'B' },
    });
    expectRefusal(refused, /^this client has maxConnectionsPerClient \(1\)/);
    expect(stats().connections.open).toBe(1);
    expect(stats().refusedConnections).toBe(1);
    expect(running.app.get(HandlerRuns).count).toBe(1);
  });
});
