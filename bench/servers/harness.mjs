// What every server under test shares: the IPC commands the driver sends, the
// producer patterns, the payload, and the event-loop monitor. Each server file
// only says how to start its HTTP server, how many subscribers it has, and how
// to send one event to all of them, so the servers differ in nothing else.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

// Same clock in every process: wall-clock milliseconds with sub-millisecond
// precision (the load generator computes latency with the same expression).
const origin = performance.timeOrigin;
const now = () => origin + performance.now();

/** How long `close` waits for the server's own shutdown before it calls it hung. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The port to listen on: `--port <p>` (the reconnect storm starts a new
 * instance on the port of the one it killed), else 0 (any free port).
 */
export function listenPort() {
  const at = process.argv.indexOf('--port');
  if (at === -1) return 0;
  const port = Number(process.argv[at + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${process.argv[at + 1]}: not a port number`);
  return port;
}

/**
 * The listen backlog: `--backlog <n>` (the reconnect storm's `--storm-backlog`),
 * else `undefined`: Node's default, 511.
 */
export function listenBacklog() {
  const at = process.argv.indexOf('--backlog');
  if (at === -1) return undefined;
  const backlog = Number(process.argv[at + 1]);
  if (!Number.isInteger(backlog) || backlog < 1)
    throw new Error(
      `--backlog ${process.argv[at + 1]}: not a positive whole number`,
    );
  return backlog;
}

/**
 * @param {() => Promise<{ port: number, subscribers: () => number, send: (event: { type: string, data: object }) => void, close?: () => Promise<void>, dropClients?: () => void }>} start
 */
export async function serve(start) {
  if (!process.send)
    throw new Error(
      'Start this file through bench/run.mjs (it talks to the driver over IPC).',
    );
  const server = await start();

  // A 1 ms timer measures how late the loop runs it: the longest delay is the
  // longest stall, e.g. one synchronous fan-out to every connection. It costs
  // an idle server about 3 % of a core, so the Redis mode's sender, whose CPU
  // is reported but not its stalls, runs without it (`--no-loop-monitor`).
  const loopDelay = process.argv.includes('--no-loop-monitor')
    ? null
    : monitorEventLoopDelay({ resolution: 1 });
  loopDelay?.enable();

  const reply = (id, body = {}) => process.send({ id, ...body });

  process.on('message', (msg) => {
    switch (msg.cmd) {
      case 'subscribers':
        return reply(msg.id, { subscribers: server.subscribers() });
      case 'memory':
        // A full GC first, so that garbage left by the connection phase does
        // not count as memory held per connection.
        globalThis.gc?.();
        globalThis.gc?.();
        return setTimeout(
          () => reply(msg.id, { ...process.memoryUsage() }),
          50,
        );
      case 'loop-reset':
        loopDelay?.reset();
        // After reset() the monitor ignores its next sample (it has no
        // previous one to compare with): a stall right after it would go
        // unseen. Answer once it has sampled again.
        return setTimeout(() => reply(msg.id), 10);
      case 'loop-max':
        return reply(msg.id, {
          loopMaxMs: loopDelay ? loopDelay.max / 1e6 : null,
        });
      case 'profile-start':
        return startProfile().then(() => reply(msg.id));
      case 'profile-stop':
        return stopProfile(msg.path).then(() => reply(msg.id));
      case 'round':
        return round(server, msg, (body) => reply(msg.id, body));
      case 'drop-clients':
        // The reconnect storm: every client loses its connection at once (a
        // proxy or network blip), the server staying up.
        if (!server.dropClients)
          throw new Error('this server cannot drop its clients');
        server.dropClients();
        return reply(msg.id);
      case 'overload':
        return overload(server, msg, (body) => reply(msg.id, body));
      case 'exit':
        // process.exit (not app.close): nothing to drain, and --cpu-prof
        // writes its profile on a normal exit. The kernel closes the sockets.
        return process.exit(0);
      case 'close':
        // The server's own shutdown (app.close() for the Redis servers, whose
        // transport must flush, leave and quit), timed, then exit.
        // Exits once the answer is on its way (process.send is asynchronous).
        return closeServer(server).then((body) =>
          process.send({ id: msg.id, ...body }, () => process.exit(0)),
        );
      default:
        throw new Error(`unknown command ${msg.cmd}`);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, port: server.port });
}

/**
 * Runs `server.close()` if it has one: `{ closeMs, hung, error }`, hung when
 * it had not finished after CLOSE_TIMEOUT_MS, error when it threw.
 */
async function closeServer(server) {
  if (!server.close) return { closeMs: 0, hung: false };
  const started = now();
  let timer;
  const outcome = await Promise.race([
    server.close().then(
      () => ({ hung: false }),
      (error) => ({ hung: false, error: String(error?.stack ?? error) }),
    ),
    new Promise(
      (resolve) =>
        (timer = setTimeout(() => resolve({ hung: true }), CLOSE_TIMEOUT_MS)),
    ),
  ]);
  clearTimeout(timer);
  return { closeMs: now() - started, ...outcome };
}

// `--profile`: a CPU profile of each send phase only (not of start-up or of
// the connections), written where the driver says.
let profiler = null;

async function startProfile() {
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  }
  await profiler.post('Profiler.start');
}

async function stopProfile(path) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(path, JSON.stringify(profile));
}

/** A padding string that brings `{"seq":…,"ts":…,"pad":"…"}` to about `bytes` of JSON. */
function padFor(bytes) {
  const bare = JSON.stringify({ seq: 100000, ts: now(), pad: '' }).length;
  return 'x'.repeat(Math.max(0, bytes - bare));
}

function event(seq, pad) {
  // Rounded to the microsecond: the same JSON length for every event.
  return {
    type: 'tick',
    data: { seq, ts: Math.round(now() * 1000) / 1000, pad },
  };
}

/**
 * One round: `events` events with consecutive sequence numbers from `seq`.
 * "tick": one event per turn of the event loop (setImmediate), so that I/O
 * runs between two fan-outs. "burst": all of them in one synchronous loop.
 */
function round(server, { pattern, events, seq, payloadBytes }, done) {
  const pad = padFor(payloadBytes);
  const firstSend = now();
  if (pattern === 'burst') {
    for (let i = 0; i < events; i++) server.send(event(seq + i, pad));
    return done({ firstSend, lastSend: now() });
  }
  let i = 0;
  const step = () => {
    server.send(event(seq + i, pad));
    if (++i < events) setImmediate(step);
    else done({ firstSend, lastSend: now() });
  };
  step();
}

/**
 * A producer that keeps to a rate whatever the server manages: every
 * millisecond it sends all the events due since it started (`events` spread
 * evenly over `durationMs`), so that a server that falls behind builds up a
 * backlog instead of slowing the producer down.
 */
function overload(server, { events, durationMs, payloadBytes }, done) {
  const pad = padFor(payloadBytes);
  const eventsPerMs = events / durationMs;
  const start = now();
  let sent = 0;
  const timer = setInterval(() => {
    const due = Math.min(events, Math.floor((now() - start) * eventsPerMs) + 1);
    while (sent < due) server.send(event(sent++, pad));
    if (sent === events) {
      clearInterval(timer);
      done({ firstSend: start, lastSend: now() });
    }
  }, 1);
}
