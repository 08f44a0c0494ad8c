#!/usr/bin/env node
// The fan-out benchmark's driver (`npm run bench`, see bench/README.md).
//
// It builds the library, starts the load generator in its own process, then,
// one at a time, each server under test in its own process; it tells the server
// when to produce and the generator what to expect, both over IPC, and reads
// the server's CPU time and memory from /proc. Everything listens on 127.0.0.1.
// For the Redis mode it also opens a connection to Redis (redis-probe.mjs):
// two servers share a key prefix, one sends and the clients are on the other.
import { execSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FD_LIMIT, startNode } from './child-process.mjs';
import { CLK_TCK, cpuTicks, rssBytes, watchPeakRss } from './proc-stats.mjs';
import { connectRedisProbe } from './redis-probe.mjs';
import { sleep, waitForSubscribers } from './server-waits.mjs';
import { runStormRow, stormProblems, stormRows } from './storm.mjs';
import { renderStorm } from './storm-report.mjs';
import {
  aggregate,
  findProblems,
  renderReport,
  writeJson,
  writeSvg,
} from './report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');

// ---------------------------------------------------------------- options

const HELP = `Usage: npm run bench -- [options]

  --quick                 CI smoke run: N=200, 128 B, both patterns, 1 rep, every server,
                          no overload; exits 1 if any event was lost or duplicated (and,
                          with CI=true, if the Redis servers were skipped for want of Redis)
  --reps <k>              repetitions of every scenario (default 3)
  --n <list>              connection counts (default 1000,5000,10000)
  --payload <list>        JSON size of each event's data in bytes (default 128,1024)
  --pattern <list>        tick (one event per event-loop turn), burst (a round in one
                          synchronous loop) (default tick,burst)
  --servers <list>        raw,better-sse,nest-plain,library,library-<mode>,
                          library-redis,library-redis-<mode>: two instances on Redis,
                          clients on one, sends on the other;
                          library-redis-single,library-redis-single-<mode>: one instance
                          on Redis; library-fastify: the library on Fastify (default:
                          all but the library-redis-single ones and library-fastify)
  --redis-url <url>       the Redis of the library-redis servers; their keys go under
                          sse-bench:<random>: and are deleted at the end
                          (default redis://127.0.0.1:6379)
  --events <k>            events per round (default 20)
  --deliveries <k>        deliveries per scenario at least, in rounds of N×events (default 100000;
                          at least one round: 200000 at N=10000)
  --no-overload           skip the overload scenario (run at the largest N)
  --overload-rate <k>     deliveries per second asked of the producer (default 200000)
  --overload-seconds <s>  how long it produces (default 3)
  --overload-payload <b>  (default 128)
  --overload-reps <k>     in how many of the repetitions it runs (default 1: it takes long
                          for the servers that fall far behind)
  --profile               write a CPU profile of every send phase of every server, and
                          of every storm, to <out>/profiles/ (read them with
                          bench/profile-summary.mjs);
                          profiling slows the servers: do not compare its timings
  --only <fanout|storm>   run only the fan-out scenarios (tick, burst, idle memory,
                          overload) or only the reconnect storm (default: both)
  --no-storm              the same as --only fanout
  --storm-n <k>           clients of the reconnect storm (default 10000; --quick: 200)
  --storm-missed <k>      events each client misses before it reconnects (default 100)
  --storm-reps <k>        repetitions of the storm (default 1)
  --storm-rows <list>     raw,nest-plain,library,library-fastify (N plain connections
                          at once), library-resume (in memory, same process), library-restart
                          (in memory, new process: resets), library-redis-restart
                          (new process on the same Redis) (default: all; --quick:
                          library-restart,library-redis-restart)
  --storm-delivery <mode> the library's delivery in the storm (default: the module's)
  --storm-backlog <k>     the listen backlog of the storm's servers (not library-fastify)
                          (default: Node's, 511; the kernel caps it at net.core.somaxconn)
  --no-build              use dist/ as it is (default: npm run build first)
  --out <dir>             where latest.json and latest.svg go (default bench/results)
`;

function parseOptions(argv) {
  const o = {
    quick: false,
    reps: 3,
    n: [1000, 5000, 10000],
    payload: [128, 1024],
    pattern: ['tick', 'burst'],
    servers: null,
    events: 20,
    deliveries: 100_000,
    overload: true,
    overloadRate: 200_000,
    overloadSeconds: 3,
    overloadPayload: 128,
    overloadReps: 1,
    profile: false,
    build: true,
    out: join(benchDir, 'results'),
    redisUrl: 'redis://127.0.0.1:6379',
    stallMs: 10_000,
    only: null,
    stormN: 10_000,
    stormMissed: 100,
    // One: a storm at N=10 000 with the default delivery replays a million
    // events through Nest's pipeline, about 6 minutes here.
    stormReps: 1,
    stormRows: null,
    stormDelivery: undefined,
  };
  const given = new Set();
  const list = (v) =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const numbers = (v) => list(v).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    given.add(arg);
    switch (arg) {
      case '--quick':
        o.quick = true;
        break;
      case '--reps':
        o.reps = Number(value());
        break;
      case '--n':
        o.n = numbers(value());
        break;
      case '--payload':
        o.payload = numbers(value());
        break;
      case '--pattern':
        o.pattern = list(value());
        break;
      case '--servers':
        o.servers = list(value());
        break;
      case '--events':
        o.events = Number(value());
        break;
      case '--deliveries':
        o.deliveries = Number(value());
        break;
      case '--overload':
        o.overload = true;
        break;
      case '--no-overload':
        o.overload = false;
        break;
      case '--overload-rate':
        o.overloadRate = Number(value());
        break;
      case '--overload-seconds':
        o.overloadSeconds = Number(value());
        break;
      case '--overload-payload':
        o.overloadPayload = Number(value());
        break;
      case '--overload-reps':
        o.overloadReps = Number(value());
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--out':
        o.out = value();
        break;
      case '--redis-url':
        o.redisUrl = value();
        break;
      case '--only':
        o.only = value();
        if (o.only !== 'fanout' && o.only !== 'storm')
          throw new Error(`--only ${o.only}: fanout or storm`);
        break;
      case '--no-storm':
        o.only = 'fanout';
        break;
      case '--storm-n':
        o.stormN = Number(value());
        break;
      case '--storm-missed':
        o.stormMissed = Number(value());
        break;
      case '--storm-reps':
        o.stormReps = Number(value());
        break;
      case '--storm-rows':
        o.stormRows = list(value());
        break;
      case '--storm-delivery':
        o.stormDelivery = value();
        break;
      case '--storm-backlog':
        o.stormBacklog = Number(value());
        if (!Number.isInteger(o.stormBacklog) || o.stormBacklog < 1)
          throw new Error(
            `--storm-backlog ${o.stormBacklog}: must be at least 1`,
          );
        break;
      case '-h':
      case '--help':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${HELP}`);
    }
  }
  // The rows the user named (not --quick's choice): naming the Redis row without Redis fails.
  o.stormRowsNamed = given.has('--storm-rows') ? o.stormRows : null;
  if (o.quick) {
    // Small enough for CI; explicit options still win.
    if (!given.has('--reps')) o.reps = 1;
    if (!given.has('--n')) o.n = [200];
    if (!given.has('--payload')) o.payload = [128];
    if (!given.has('--deliveries')) o.deliveries = 2 * 200 * o.events; // two rounds
    if (!given.has('--overload')) o.overload = false;
    if (!given.has('--storm-n')) o.stormN = 200;
    if (!given.has('--storm-reps')) o.stormReps = 1;
    // The two rows that check what arrives after a restart: the resets of a
    // history that is gone, the replay from Redis (the cursor's path of the
    // in-memory resume too). The connect rows' timings mean nothing at N=200,
    // and each row costs 1–2 s of process start-ups.
    if (!given.has('--storm-rows'))
      o.stormRows = ['library-restart', 'library-redis-restart'];
    o.stallMs = 5_000;
  }
  if (!Number.isInteger(o.stormN) || o.stormN < 1 || o.stormN > FD_LIMIT - 500)
    throw new Error(
      `--storm-n ${o.stormN}: must be a whole number between 1 and ${FD_LIMIT - 500} (fd limit ${FD_LIMIT})`,
    );
  if (!Number.isInteger(o.stormMissed) || o.stormMissed < 1)
    throw new Error(`--storm-missed ${o.stormMissed}: must be at least 1`);
  if (o.stormRows) stormRows(o.stormRows); // throws on an unknown row, before the build
  if (!Number.isInteger(o.stormReps) || o.stormReps < 1)
    throw new Error(`--storm-reps ${o.stormReps}: must be at least 1`);
  for (const p of o.pattern)
    if (p !== 'tick' && p !== 'burst') throw new Error(`unknown pattern ${p}`);
  for (const n of o.n) {
    if (!(n > 0) || n > FD_LIMIT - 500)
      throw new Error(
        `--n ${n}: must be between 1 and ${FD_LIMIT - 500} (fd limit ${FD_LIMIT})`,
      );
  }
  if (!(o.reps >= 1)) throw new Error('--reps must be at least 1');
  return o;
}

// ---------------------------------------------------------------- servers

/**
 * The library's delivery modes, as the built package exports them
 * (`SSE_DELIVERY_MODES`, `DEFAULT_SSE_DELIVERY_MODE`): every mode other than
 * the default gets its own server in the comparison.
 */
async function libraryDeliveryModes() {
  const library = await import('../dist/src/sse/index.js').catch((error) => {
    throw new Error(
      `the library is not built (dist/src/sse/index.js): run npm run build, or drop --no-build (${error.message})`,
    );
  });
  return {
    modes: [...library.SSE_DELIVERY_MODES],
    defaultMode: library.DEFAULT_SSE_DELIVERY_MODE,
  };
}

function serversUnderTest(selected, { modes, defaultMode }) {
  const servers = [
    { key: 'raw', label: 'raw node:http', script: 'servers/raw.mjs', args: [] },
    {
      key: 'better-sse',
      label: 'better-sse',
      script: 'servers/better-sse.mjs',
      args: [],
    },
    {
      key: 'nest-plain',
      label: 'plain Nest @Sse',
      script: 'servers/nest-plain.mjs',
      args: [],
    },
    {
      key: 'library',
      label: 'library (default)',
      script: 'servers/library.mjs',
      args: [],
      library: true,
    },
  ];
  const notes = [];
  // On request only: the same on Fastify, for its idle memory per connection.
  servers.push({
    key: 'library-fastify',
    label: 'library on Fastify (default)',
    script: 'servers/library.mjs',
    args: ['--adapter', 'fastify'],
    library: true,
    optIn: true,
  });
  const extra = modes.filter((mode) => mode !== defaultMode);
  for (const mode of extra) {
    servers.push({
      key: `library-${mode}`,
      label: `library (${mode})`,
      script: 'servers/library.mjs',
      args: ['--delivery', mode],
      library: true,
    });
  }
  // The Redis mode, for the default delivery and every other mode: two
  // instances (sent on A, delivered by B) and, on request only, one instance
  // on Redis. Each is compared with the single instance of the same delivery.
  const deliveries = [
    { suffix: '', name: 'default', args: [], compareWith: 'library' },
  ];
  for (const mode of extra)
    deliveries.push({
      suffix: `-${mode}`,
      name: mode,
      args: ['--delivery', mode],
      compareWith: `library-${mode}`,
    });
  for (const [redis, infix, label, optIn] of [
    ['pair', '', 'Redis A→B', false],
    ['single', '-single', 'Redis ×1', true],
  ]) {
    for (const d of deliveries) {
      servers.push({
        key: `library-redis${infix}${d.suffix}`,
        label: `library ${label} (${d.name})`,
        script: 'servers/library.mjs',
        args: d.args,
        library: true,
        redis,
        compareWith: d.compareWith,
        optIn,
      });
    }
  }
  if (!extra.includes('direct')) {
    notes.push(
      "library (direct): skipped, the library's SSE_DELIVERY_MODES has no 'direct'",
    );
  }
  if (!selected) return { servers: servers.filter((s) => !s.optIn), notes };
  const directKeys = [
    'library-direct',
    'library-redis-direct',
    'library-redis-single-direct',
  ];
  for (const key of selected) {
    if (
      !servers.some((s) => s.key === key) &&
      !(directKeys.includes(key) && !extra.includes('direct'))
    ) {
      throw new Error(
        `unknown server ${key} (known: ${servers.map((s) => s.key).join(', ')})`,
      );
    }
  }
  return { servers: servers.filter((s) => selected.includes(s.key)), notes };
}

/**
 * Drops the Redis servers when no Redis answers at `url`, with a note saying
 * so; fails instead when the user named one of them. Resolves to the probe
 * (null without Redis servers or Redis) and why the Redis mode was skipped.
 */
async function redisForServers(servers, selected, url) {
  const redisServers = servers.filter((s) => s.redis);
  if (redisServers.length === 0) return { probe: null, skipped: null, servers };
  try {
    return { probe: await connectRedisProbe(url), skipped: null, servers };
  } catch (error) {
    const names = redisServers.map((s) => s.key).join(', ');
    const reason =
      `no Redis answers at ${url} (${error.code ?? error.message}). ` +
      'Start one, e.g.: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';
    if (selected?.some((key) => redisServers.some((s) => s.key === key)))
      throw new Error(`${names} cannot run: ${reason}`, { cause: error });
    const why = `Redis mode skipped (${names}): ${reason}`;
    return {
      probe: null,
      skipped: why,
      servers: servers.filter((s) => !s.redis),
    };
  }
}

// ---------------------------------------------------------------- scenarios

/**
 * What one server under test is made of: `server`, the process the clients
 * connect to, whose CPU, memory and event loop are measured; `producer`, the
 * one told to send (the same process, but for the Redis pair: instance A);
 * with Redis, the key prefix of this opening and the driver's probe.
 */
function startTarget(def, options, redis) {
  if (!def.redis) {
    const server = startNode(def.script, def.args, ['--expose-gc']);
    return {
      server,
      producer: server,
      processes: [server],
      redis: null,
      prefix: null,
    };
  }
  const prefix = `${redis.runPrefix}${++redis.openings}:`;
  const args = [
    ...def.args,
    '--redis',
    prefix,
    '--redis-url',
    options.redisUrl,
  ];
  const server = startNode(def.script, args, ['--expose-gc']);
  const producer =
    def.redis === 'pair'
      ? startNode(def.script, [...args, '--no-loop-monitor'], ['--expose-gc'])
      : server;
  return {
    server,
    producer,
    processes: [...new Set([server, producer])],
    redis: redis.probe,
    prefix,
  };
}

/**
 * Ends a target's processes. The Redis servers close themselves
 * (`app.close()`, so that the transport's shutdown runs, timed), all at
 * once; then their keys are deleted. The others exit at once.
 */
async function stopTarget(target) {
  if (!target.redis) {
    await target.server.stop();
    return null;
  }
  const { server, producer } = target;
  const [serverClose, producerClose] = await Promise.all([
    server.close(),
    producer === server ? null : producer.close(),
  ]);
  const keysDeleted = await target.redis.deleteKeys(target.prefix);
  return { serverClose, producerClose, keysDeleted };
}

/** Starts a server, measures its RSS before and after N clients connect. */
async function openServer(target, def, generator, n) {
  const { server } = target;
  const [{ port }] = await Promise.all(target.processes.map((p) => p.ready));
  const before = await server.call('memory');
  const started = Date.now();
  const connected = await generator.call('connect', {
    port,
    path: '/sse',
    count: n,
  });
  if (connected.failed > 0) {
    throw new Error(
      `${def.label}: ${connected.failed} of ${n} connections failed: ${JSON.stringify(connected.errors)}`,
    );
  }
  await waitForSubscribers(server, n);
  const connectMs = Date.now() - started;
  await sleep(200);
  const after = await server.call('memory');
  return {
    connectMs,
    rssBeforeMB: before.rss / 2 ** 20,
    rssConnectedMB: after.rss / 2 ** 20,
    rssPerConnectionBytes: (after.rss - before.rss) / n,
    heapPerConnectionBytes: (after.heapUsed - before.heapUsed) / n,
  };
}

/**
 * CPU time of the producer, when it is a process of its own, and of Redis,
 * when there is one, over a send phase: `stop(deliveries)` gives each per delivery.
 */
async function watchOtherCpu(target) {
  const producer = target.producer === target.server ? null : target.producer;
  const producerBefore = producer ? cpuTicks(producer.pid) : 0;
  const redisBefore = target.redis ? await target.redis.cpuSeconds() : 0;
  return async (deliveries) => ({
    producerCpuUsPerDelivery: producer
      ? ((cpuTicks(producer.pid) - producerBefore) * (1e6 / CLK_TCK)) /
        deliveries
      : null,
    redisCpuUsPerDelivery: target.redis
      ? (((await target.redis.cpuSeconds()) - redisBefore) * 1e6) / deliveries
      : null,
  });
}

/**
 * One scenario on connections already open: `rounds` rounds of `events`
 * events. The next round starts once every connection received the last one,
 * so that peak memory is that of one round (for a burst: one burst).
 */
async function runScenario(
  target,
  generator,
  { n, payloadBytes, pattern, events, rounds, stallMs, profilePath },
) {
  const { server, producer } = target;
  const perConnection = events * rounds;
  await generator.call('expect', { eventsPerConnection: perConnection });
  // A full GC first: garbage of the previous scenario must not count here.
  await server.call('memory');
  const rssBefore = rssBytes(server.pid);
  if (profilePath) {
    await server.call('profile-start');
    if (producer !== server) await producer.call('profile-start');
  }
  await server.call('loop-reset');
  const stopPeak = watchPeakRss(server.pid);
  const stopOtherCpu = await watchOtherCpu(target);
  const cpuBefore = cpuTicks(server.pid);
  let activeMs = 0;
  let timedOut = false;
  let arrived = 0;
  for (let r = 0; r < rounds; r++) {
    const sent = await producer.call('round', {
      pattern,
      events,
      seq: r * events,
      payloadBytes,
    });
    // A lost event makes this wait until nothing arrived for stallMs; the
    // next rounds still run (each waits for its own n × events), so that the
    // report counts exactly what was lost.
    const got = await generator.call('wait', {
      total: arrived + n * events,
      stallMs,
    });
    arrived = got.received;
    timedOut ||= got.timedOut;
    activeMs += Math.max(got.lastReceive, sent.lastSend) - sent.firstSend;
  }
  const cpuAfter = cpuTicks(server.pid);
  const deliveries = n * perConnection;
  const otherCpu = await stopOtherCpu(deliveries);
  const peak = stopPeak();
  const { loopMaxMs } = await server.call('loop-max');
  if (profilePath) {
    await server.call('profile-stop', { path: profilePath });
    if (producer !== server)
      await producer.call('profile-stop', {
        path: profilePath.replace(/\.cpuprofile$/, '-producer.cpuprofile'),
      });
  }
  const received = await generator.call('report');
  return {
    deliveries,
    received: received.received,
    lost: received.lost,
    duplicates: received.duplicates,
    unexpected: received.unexpected,
    otherData: received.otherData,
    closedConnections: received.closedConnections,
    timedOut,
    deliveriesPerSecond: received.received / (activeMs / 1000),
    latencyMs: received.latencyMs,
    cpuUsPerDelivery: ((cpuAfter - cpuBefore) * (1e6 / CLK_TCK)) / deliveries,
    cpuTicks: cpuAfter - cpuBefore,
    ...otherCpu,
    peakRssMB: peak / 2 ** 20,
    peakGrowthMB: (peak - rssBefore) / 2 ** 20,
    loopMaxMs,
  };
}

/** The producer is asked for more than it may manage; what matters is p99 and peak memory. */
async function runOverload(
  target,
  generator,
  { n, deliveriesPerSecond, seconds, payloadBytes, stallMs },
) {
  const { server, producer } = target;
  const events = Math.max(1, Math.round((deliveriesPerSecond / n) * seconds));
  await generator.call('expect', { eventsPerConnection: events });
  await server.call('loop-reset');
  const rssBefore = rssBytes(server.pid);
  const stopPeak = watchPeakRss(server.pid);
  const stopOtherCpu = await watchOtherCpu(target);
  const cpuBefore = cpuTicks(server.pid);
  const sent = await producer.call('overload', {
    events,
    durationMs: seconds * 1000,
    payloadBytes,
  });
  const got = await generator.call('wait', { total: n * events, stallMs });
  const cpuAfter = cpuTicks(server.pid);
  const otherCpu = await stopOtherCpu(n * events);
  const peak = stopPeak();
  const { loopMaxMs } = await server.call('loop-max');
  const received = await generator.call('report');
  return {
    deliveries: n * events,
    received: received.received,
    lost: received.lost,
    duplicates: received.duplicates,
    closedConnections: received.closedConnections,
    timedOut: got.timedOut,
    askedPerSecond: deliveriesPerSecond,
    producedPerSecond: (n * events) / ((sent.lastSend - sent.firstSend) / 1000),
    deliveriesPerSecond:
      received.received /
      ((Math.max(got.lastReceive, sent.lastSend) - sent.firstSend) / 1000),
    latencyMs: received.latencyMs,
    cpuUsPerDelivery: ((cpuAfter - cpuBefore) * (1e6 / CLK_TCK)) / (n * events),
    ...otherCpu,
    peakRssMB: peak / 2 ** 20,
    peakGrowthMB: (peak - rssBefore) / 2 ** 20,
    loopMaxMs,
  };
}

// ---------------------------------------------------------------- progress

/** A one-line progress bar on stderr, redrawn with \r (plain lines when stderr is not a terminal, as in CI). */
function progressBar(totalWeight) {
  const started = Date.now();
  let done = 0;
  let lastPlain = 0;
  const format = (s) =>
    s < 60
      ? `${Math.round(s)}s`
      : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return {
    step(label) {
      const fraction = Math.min(1, done / totalWeight);
      const elapsed = (Date.now() - started) / 1000;
      const eta =
        fraction > 0.02 ? format((elapsed / fraction) * (1 - fraction)) : '?';
      const width = 28;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
      const line = `${bar} ${format(elapsed)} elapsed, ETA ${eta} | ${label}`;
      if (process.stderr.isTTY) {
        const columns = process.stderr.columns || 120;
        process.stderr.write(
          `\r${line.slice(0, columns - 1).padEnd(columns - 1)}`,
        );
      } else if (Date.now() - lastPlain > 5_000 || done === 0) {
        lastPlain = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    advance(weight) {
      done += weight;
    },
    end() {
      if (process.stderr.isTTY)
        process.stderr.write(
          `\r${' '.repeat((process.stderr.columns || 120) - 1)}\r`,
        );
      process.stderr.write(
        `done in ${format((Date.now() - started) / 1000)}\n`,
      );
    },
  };
}

// ---------------------------------------------------------------- main

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: Number(execSync('nproc').toString().trim()),
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    memory: execSync('free -h').toString().trim(),
    node: process.version,
    clockTicksPerSecond: CLK_TCK,
    fdLimit: FD_LIMIT,
  };
}

function build() {
  process.stderr.write('building the library (npm run build)…\n');
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: rootDir,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(
      'npm run build failed: the library server needs dist/src/sse/index.js',
    );
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  // The library is built first: which servers run depends on its delivery modes.
  if (options.build) build();
  const selected = serversUnderTest(
    options.servers,
    await libraryDeliveryModes(),
  );
  const notes = selected.notes;
  const fanOut = options.only !== 'storm';
  let {
    probe,
    skipped: redisSkipped,
    servers,
  } = await redisForServers(
    fanOut ? selected.servers : [],
    options.servers,
    options.redisUrl,
  );
  let storm = options.only === 'fanout' ? [] : stormRows(options.stormRows);
  if (storm.some((row) => row.redis) && !probe) {
    // The storm's Redis row, when no fan-out server asked for Redis (or it did not answer).
    ({ probe, skipped: redisSkipped } = redisSkipped
      ? { probe: null, skipped: redisSkipped }
      : await redisForServers(
          [{ key: 'library-redis-restart (storm)', redis: 'storm' }],
          options.stormRowsNamed?.includes('library-redis-restart')
            ? ['library-redis-restart (storm)']
            : null,
          options.redisUrl,
        ));
    if (!probe) storm = storm.filter((row) => !row.redis);
  }
  if (redisSkipped) notes.push(redisSkipped);
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  if (fanOut && servers.length === 0) throw new Error('no server left to run');
  if (!fanOut) servers = [];
  // Every key of this run starts with runPrefix; each opening of a Redis server gets a prefix below it.
  const redis = probe && {
    probe,
    runPrefix: `sse-bench:${randomBytes(6).toString('hex')}:`,
    openings: 0,
  };

  const scenarios = [];
  for (const payloadBytes of options.payload)
    for (const pattern of options.pattern)
      scenarios.push({ payloadBytes, pattern });
  const maxN = Math.max(...options.n);
  const overloadAt = (n, rep) =>
    options.overload && n === maxN && rep < options.overloadReps;

  // Weights for the progress bar: about proportional to the work of each step.
  let totalWeight = 0;
  for (let rep = 0; rep < options.reps; rep++) {
    for (const n of options.n)
      totalWeight +=
        servers.length *
        n *
        (1 + scenarios.length + (overloadAt(n, rep) ? 2 : 0));
  }
  // A storm row costs about three openings of N connections.
  totalWeight += storm.length * options.stormReps * options.stormN * 3;
  const progress = progressBar(totalWeight);

  if (options.profile)
    mkdirSync(join(options.out, 'profiles'), { recursive: true });
  const generator = startNode('load-generator.mjs');
  await generator.ready;
  const runs = [];
  const stormRuns = [];
  const started = new Date();
  let current = null;
  const cleanUp = async () => {
    await Promise.all(current?.processes.map((p) => p.stop()) ?? []);
    await generator.stop();
    if (redis) {
      await redis.probe.deleteKeys(redis.runPrefix).catch(() => undefined);
      await redis.probe.close();
    }
  };
  process.on('SIGINT', () => cleanUp().finally(() => process.exit(130)));

  try {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const n of options.n) {
        // Servers run in a different order in each repetition, so that a
        // slow spell of the machine does not always hit the same one.
        const order = servers.map(
          (_, i) => servers[(i + rep) % servers.length],
        );
        for (const def of order) {
          const where = `rep ${rep + 1}/${options.reps} N=${n} ${def.label}`;
          progress.step(`${where}: connecting`);
          current = startTarget(def, options, redis);
          const idle = await openServer(current, def, generator, n);
          progress.advance(n);
          runs.push({ kind: 'idle', server: def.key, n, rep, ...idle });

          for (const { payloadBytes, pattern } of scenarios) {
            progress.step(`${where}: ${pattern}, ${payloadBytes} B`);
            const rounds = Math.max(
              1,
              Math.ceil(options.deliveries / (n * options.events)),
            );
            const profilePath = options.profile
              ? join(
                  options.out,
                  'profiles',
                  `${def.key}-n${n}-${payloadBytes}B-${pattern}-rep${rep + 1}.cpuprofile`,
                )
              : undefined;
            const result = await runScenario(current, generator, {
              n,
              payloadBytes,
              pattern,
              events: options.events,
              rounds,
              stallMs: options.stallMs,
              profilePath,
            });
            runs.push({
              kind: 'scenario',
              server: def.key,
              n,
              payloadBytes,
              pattern,
              rep,
              rounds,
              events: options.events,
              ...result,
            });
            progress.advance(n);
          }
          if (overloadAt(n, rep)) {
            progress.step(`${where}: overload`);
            const result = await runOverload(current, generator, {
              n,
              deliveriesPerSecond: options.overloadRate,
              seconds: options.overloadSeconds,
              payloadBytes: options.overloadPayload,
              stallMs: options.stallMs,
            });
            runs.push({
              kind: 'overload',
              server: def.key,
              n,
              payloadBytes: options.overloadPayload,
              rep,
              ...result,
            });
            progress.advance(2 * n);
          }
          // The server goes first, so that the closing handshakes leave no
          // client port in TIME_WAIT for the next 10 000 connections.
          const shutdown = await stopTarget(current);
          if (shutdown)
            runs.push({
              kind: 'shutdown',
              server: def.key,
              n,
              rep,
              ...shutdown,
            });
          current = null;
          await generator.call('disconnect');
        }
      }
    }
    for (let rep = 0; rep < options.stormReps; rep++) {
      // Rows in a different order in each repetition, as the servers above.
      const order = storm.map((_, i) => storm[(i + rep) % storm.length]);
      for (const row of order) {
        progress.step(
          `storm rep ${rep + 1}/${options.stormReps} N=${options.stormN}: ${row.label}`,
        );
        const result = await runStormRow(
          row,
          {
            n: options.stormN,
            missed: options.stormMissed,
            delivery: options.stormDelivery,
            backlog: options.stormBacklog,
            stallMs: options.stallMs,
            profilePath: options.profile
              ? join(
                  options.out,
                  'profiles',
                  `storm-${row.key}-n${options.stormN}-rep${rep + 1}.cpuprofile`,
                )
              : undefined,
          },
          generator,
          row.redis && {
            probe: redis.probe,
            url: options.redisUrl,
            prefix: `${redis.runPrefix}storm-${++redis.openings}:`,
          },
        );
        stormRuns.push({ row: row.key, rep, ...result });
        if (row.redis)
          await redis.probe.deleteKeys(
            `${redis.runPrefix}storm-${redis.openings}:`,
          );
        progress.advance(options.stormN * 3);
      }
    }
  } finally {
    progress.end();
    await cleanUp();
  }

  const summary = fanOut ? aggregate(runs, servers) : null;
  const result = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machine(),
    options: { ...options, out: undefined },
    servers: servers.map(({ key, label, args, redis: mode, compareWith }) => ({
      key,
      label,
      args,
      redis: mode,
      compareWith,
    })),
    redis: probe
      ? { url: options.redisUrl, version: probe.version, pid: probe.pid }
      : { url: options.redisUrl, skipped: redisSkipped },
    notes,
    summary,
    runs,
    storm: {
      n: options.stormN,
      missed: options.stormMissed,
      reps: options.stormReps,
      delivery: options.stormDelivery,
      loadAverage: loadavg(),
      runs: stormRuns,
    },
  };
  const text = [
    fanOut ? renderReport(result) : '',
    stormRuns.length > 0 ? renderStorm(result.storm) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  process.stdout.write(`\n${text}\n`);
  writeJson(join(options.out, 'latest.json'), result);
  if (fanOut) writeSvg(join(options.out, 'latest.svg'), result);
  writeFileSync(join(options.out, 'latest.txt'), `${text}\n`);
  process.stdout.write(
    `\nwrote ${join(options.out, 'latest.json')}, latest.txt${fanOut ? ' and latest.svg' : ''}\n`,
  );

  // Losses and duplicates fail the run, timings never do (CI runs --quick).
  const problems = [...findProblems(runs), ...stormProblems(stormRuns)];
  if (problems.length > 0) {
    process.stderr.write(
      `\nFAILED: ${problems.length} run(s) lost or duplicated events:\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
    );
    process.exitCode = 1;
  }
  for (const warning of shutdownWarnings(runs))
    process.stderr.write(`\nwarning: ${warning}\n`);
  if (redisSkipped) {
    // CI starts a Redis: there, a skipped Redis mode is a broken set-up, not a choice.
    const inCi = process.env.CI === 'true';
    process.stderr.write(
      `\n${inCi ? 'FAILED (CI=true, where Redis is expected)' : 'NOTE'}: ${redisSkipped}\n`,
    );
    if (inCi) process.exitCode = 1;
  }
}

/** Redis servers whose app.close() hung or threw: a library problem worth seeing, not a failed run. */
function shutdownWarnings(runs) {
  const warnings = [];
  for (const r of runs.filter((x) => x.kind === 'shutdown')) {
    for (const [field, role] of [
      ['serverClose', 'B (clients)'],
      ['producerClose', 'A (sender)'],
    ]) {
      const s = r[field];
      if (!s) continue;
      const who = `${r.server} N=${r.n} rep ${r.rep + 1} ${role}`;
      if (s.hung)
        warnings.push(`${who}: app.close() had not finished after 10 s`);
      if (s.error) warnings.push(`${who}: app.close() failed: ${s.error}`);
    }
  }
  return warnings;
}

main().catch((error) => {
  process.stderr.write(`\nbench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
