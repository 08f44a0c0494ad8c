import { spawn, type ChildProcess } from 'node:child_process';
import { RawConnections } from '../support/raw-connections.js';
import { waitFor } from '../support/wait-for.js';

// `npm start` as a user runs it: the compiled sample app in its own process
// (built once per jest run by test/global-setup.ts).
describe('the sample app as a process (npm run build, then node dist/sample-app/main.js)', () => {
  let child: ChildProcess;
  let url = '';
  let output = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  beforeAll(async () => {
    child = spawn(process.execPath, ['dist/sample-app/main.js'], {
      env: {
        ...process.env,
        PORT: '0',
        SSE_DELIVERY: process.env.SSE_TEST_DELIVERY ?? 'pipeline',
      },
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    child.on('exit', (code, signal) => (exit = { code, signal }));
    await waitFor(
      () => /Sample app on (http:\/\/\S+)/.test(output) || exit !== undefined,
      'the sample app to listen',
      20_000,
    );
    url = /Sample app on (http:\/\/\S+)/
      .exec(output)![1]
      .replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(() => {
    if (!exit) child.kill('SIGKILL');
  });

  it('serves the page and the seed endpoints', async () => {
    expect(await (await fetch(`${url}/`)).text()).toContain('<html');
    const events = await (await fetch(`${url}/events`)).text();
    expect(events).toMatch(
      /event: update\nid: [0-9a-f]{12}-0\ndata: tick 9\n\n$/,
    );
  });

  it('serves nestjs-sse-channels/client as ES modules a page can import, every file it imports included', async () => {
    const served = new Map<string, string>();
    const pending = ['index.js'];
    while (pending.length > 0) {
      const file = pending.shift()!;
      if (served.has(file)) continue;
      const response = await fetch(`${url}/sse-client/${file}`);
      expect([file, response.status]).toEqual([file, 200]);
      expect(response.headers.get('content-type')).toBe(
        'text/javascript; charset=utf-8',
      );
      const text = await response.text();
      served.set(file, text);
      for (const [, specifier] of text.matchAll(/from '([^']+)'/g)) {
        // A module the browser can resolve from /sse-client/: a sibling.
        expect(specifier).toMatch(/^\.\/[a-z.-]+\.js$/);
        pending.push(specifier.slice(2));
      }
    }
    expect(served.get('index.js')).toContain('openSseStream');
    expect(served.size).toBeGreaterThan(1);
    expect((await fetch(`${url}/sse-client/..%2Fpackage.json`)).status).toBe(
      404,
    );
    expect((await fetch(`${url}/sse-client/nothing.js`)).status).toBe(404);
  });

  it('ends every open stream on SIGTERM and exits by itself', async () => {
    const clients = new RawConnections();
    await clients.open(`${url}/activity`, 200);
    child.kill('SIGTERM');
    await waitFor(() => exit !== undefined, 'the process to exit', 15_000);
    expect(exit!.code === 0 || exit!.signal === 'SIGTERM').toBe(true);
    await clients.until(
      () => clients.ended.every(Boolean),
      'every stream to end',
    );
    // Each stream was greeted, and told when to come back before it ended.
    for (const body of clients.bodies) {
      expect(body).toMatch(
        /^\nevent: init\nid: [0-9a-f]{12}-\d+\ndata: Connected to activity feed\n\nid: [0-9a-f]{12}-\d+\nretry: \d+\n\n$/,
      );
    }
    expect(output).not.toMatch(/error/i);
    clients.destroyAll();
  });
});
