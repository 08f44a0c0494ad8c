#!/usr/bin/env node
// The fan-out benchmark's driver (`npm run bench`, see bench/README.md).
//
// It builds the library, starts the load generator in its own process, then,
// one at a time, each server under test in its own process; it tells the server
// when to produce and the generator what to expect, both over IPC, and reads
// the server's CPU time and memory from /proc. Everything listens on 127.0.0.1.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregate, findProblems, printReport, writeJson, writeSvg, writeText } from './report.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = join(benchDir, '..');
const FD_LIMIT = 20_000;

// ---------------------------------------------------------------- options

const HELP = `Usage: npm run bench -- [options]

  --quick                 CI smoke run: N=200, 128 B, both patterns, 1 rep, every server,
                          no overload; exits 1 if any event was lost or duplicated
  --reps <k>              repetitions of every scenario (default 3)
  --n <list>              connection counts (default 1000,5000,10000)
  --payload <list>        JSON size of each event's data in bytes (default 128,1024)
  --pattern <list>        tick (one event per event-loop turn), burst (a round in one
                          synchronous loop) (default tick,burst)
  --servers <list>        raw,better-sse,nest-plain,library,library-<mode> (default: all)
  --events <k>            events per round (default 20)
  --deliveries <k>        deliveries per scenario at least, in rounds of N×events (default 100000;
                          at least one round: 200000 at N=10000)
  --no-overload           skip the overload scenario (run at the largest N)
  --overload-rate <k>     deliveries per second asked of the producer (default 200000)
  --overload-seconds <s>  how long it produces (default 3)
  --overload-payload <b>  (default 128)
  --overload-reps <k>     in how many of the repetitions it runs (default 1: it takes long
                          for the servers that fall far behind)
  --profile               write a CPU profile of every send phase of every server to
                          <out>/profiles/ (read them with bench/profile-summary.mjs);
                          profiling slows the servers: do not compare its timings
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
    stallMs: 10_000,
  };
  const given = new Set();
  const list = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);
  const numbers = (v) => list(v).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    given.add(arg);
    switch (arg) {
      case '--quick': o.quick = true; break;
      case '--reps': o.reps = Number(value()); break;
      case '--n': o.n = numbers(value()); break;
      case '--payload': o.payload = numbers(value()); break;
      case '--pattern': o.pattern = list(value()); break;
      case '--servers': o.servers = list(value()); break;
      case '--events': o.events = Number(value()); break;
      case '--deliveries': o.deliveries = Number(value()); break;
      case '--overload': o.overload = true; break;
      case '--no-overload': o.overload = false; break;
      case '--overload-rate': o.overloadRate = Number(value()); break;
      case '--overload-seconds': o.overloadSeconds = Number(value()); break;
      case '--overload-payload': o.overloadPayload = Number(value()); break;
      case '--overload-reps': o.overloadReps = Number(value()); break;
      case '--profile': o.profile = true; break;
      case '--no-build': o.build = false; break;
      case '--out': o.out = value(); break;
      case '-h': case '--help': process.stdout.write(HELP); process.exit(0);
      default: throw new Error(`unknown option ${arg}\n\n${HELP}`);
    }
  }
  if (o.quick) {
    // Small enough for CI; explicit options still win.
    if (!given.has('--reps')) o.reps = 1;
    if (!given.has('--n')) o.n = [200];
    if (!given.has('--payload')) o.payload = [128];
    if (!given.has('--deliveries')) o.deliveries = 2 * 200 * o.events; // two rounds
    if (!given.has('--overload')) o.overload = false;
    o.stallMs = 5_000;
  }
  for (const p of o.pattern) if (p !== 'tick' && p !== 'burst') throw new Error(`unknown pattern ${p}`);
  for (const n of o.n) {
    if (!(n > 0) || n > FD_LIMIT - 500) throw new Error(`--n ${n}: must be between 1 and ${FD_LIMIT - 500} (fd limit ${FD_LIMIT})`);
  }
  if (!(o.reps >= 1)) throw new Error('--reps must be at least 1');
  return o;
}

// ---------------------------------------------------------------- servers

/**
 * The library's delivery modes, read from the options interface the other
 * side of the project is editing: every string literal of `delivery?:`, and
 * which one its JSDoc says is the default. None when the option does not exist.
 */
function libraryDeliveryModes() {
  const file = join(rootDir, 'src/sse/sse-module-options.interface.ts');
  const source = readFileSync(file, 'utf8');
  const match = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?\bdelivery\??\s*:\s*([^;]+);/.exec(source);
  if (!match) return { modes: [], defaultMode: undefined };
  const modes = [...match[2].matchAll(/'([^']+)'|"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
  const defaultMode = /@default\s+['"]([^'"]+)['"]/.exec(match[1] ?? '')?.[1];
  return { modes, defaultMode };
}

function serversUnderTest(selected) {
  const servers = [
    { key: 'raw', label: 'raw node:http', script: 'servers/raw.mjs', args: [] },
    { key: 'better-sse', label: 'better-sse', script: 'servers/better-sse.mjs', args: [] },
    { key: 'nest-plain', label: 'plain Nest @Sse', script: 'servers/nest-plain.mjs', args: [] },
    { key: 'library', label: 'library (default)', script: 'servers/library.mjs', args: [], library: true },
  ];
  const notes = [];
  const { modes, defaultMode } = libraryDeliveryModes();
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
  if (!extra.includes('direct')) {
    notes.push("library (direct): skipped, SseModuleOptions has no delivery: 'direct' yet (src/sse/sse-module-options.interface.ts)");
  }
  if (!selected) return { servers, notes };
  for (const key of selected) {
    if (!servers.some((s) => s.key === key) && !(key === 'library-direct' && !extra.includes('direct'))) {
      throw new Error(`unknown server ${key} (known: ${servers.map((s) => s.key).join(', ')})`);
    }
  }
  return { servers: servers.filter((s) => selected.includes(s.key)), notes };
}

// ---------------------------------------------------------------- child processes

/**
 * Starts `node <script>` under bash with the fd limit raised (Node cannot
 * raise its own), with an IPC channel; `exec` keeps the pid, so /proc/<pid>
 * is the server's own.
 */
function startNode(script, args = [], nodeFlags = []) {
  const shell = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec node "$@"`;
  const child = spawn('bash', ['-c', shell, 'bash', ...nodeFlags, join(benchDir, script), ...args], {
    cwd: benchDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code, signal) => reject(new Error(`${script} exited (${signal ?? code}) before it was ready`)));
  });
  child.on('message', (msg) => {
    if (msg.ready) return onReady(msg);
    pending.get(msg.id)?.resolve(msg);
    pending.delete(msg.id);
  });
  child.on('exit', (code, signal) => {
    for (const { reject } of pending.values()) reject(new Error(`${script} exited (${signal ?? code})`));
    pending.clear();
  });
  return {
    child,
    pid: child.pid,
    ready,
    call(cmd, params = {}) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, ...params });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        child.send({ cmd: 'exit' });
      } catch {
        // the channel is already closed: the kill below does it
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- /proc

const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim());
const PAGE_SIZE = Number(execSync('getconf PAGESIZE').toString().trim());

/** utime + stime of the whole process (every thread, also the ones that ended), in clock ticks. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count from the ")" after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
}

function rssBytes(pid) {
  return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE;
}

/** Samples RSS every 20 ms; the returned function stops and gives the peak. */
function watchPeakRss(pid) {
  let peak = rssBytes(pid);
  const sample = () => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process is gone; the scenario reports it
    }
  };
  const timer = setInterval(sample, 20);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

// ---------------------------------------------------------------- scenarios

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForSubscribers(server, n, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { subscribers } = await server.call('subscribers');
    if (subscribers === n) return;
    if (Date.now() > deadline) throw new Error(`the server has ${subscribers} subscribers, expected ${n}`);
    await sleep(50);
  }
}

/** Starts a server, measures its RSS before and after N clients connect. */
async function openServer(def, generator, n, options) {
  const server = startNode(def.script, def.args, ['--expose-gc']);
  const { port } = await server.ready;
  const before = await server.call('memory');
  const started = Date.now();
  const connected = await generator.call('connect', { port, path: '/sse', count: n });
  if (connected.failed > 0) {
    throw new Error(`${def.label}: ${connected.failed} of ${n} connections failed: ${JSON.stringify(connected.errors)}`);
  }
  await waitForSubscribers(server, n);
  const connectMs = Date.now() - started;
  await sleep(200);
  const after = await server.call('memory');
  return {
    server,
    idle: {
      connectMs,
      rssBeforeMB: before.rss / 2 ** 20,
      rssConnectedMB: after.rss / 2 ** 20,
      rssPerConnectionBytes: (after.rss - before.rss) / n,
      heapPerConnectionBytes: (after.heapUsed - before.heapUsed) / n,
    },
  };
}

/**
 * One scenario on connections already open: `rounds` rounds of `events`
 * events. The next round starts once every connection received the last one,
 * so that peak memory is that of one round (for a burst: one burst).
 */
async function runScenario(server, generator, { n, payloadBytes, pattern, events, rounds, stallMs, profilePath }) {
  const perConnection = events * rounds;
  await generator.call('expect', { eventsPerConnection: perConnection });
  // A full GC first: garbage of the previous scenario must not count here.
  await server.call('memory');
  const rssBefore = rssBytes(server.pid);
  if (profilePath) await server.call('profile-start');
  await server.call('loop-reset');
  const stopPeak = watchPeakRss(server.pid);
  const cpuBefore = cpuTicks(server.pid);
  let activeMs = 0;
  let timedOut = false;
  let arrived = 0;
  for (let r = 0; r < rounds; r++) {
    const sent = await server.call('round', { pattern, events, seq: r * events, payloadBytes });
    // A lost event makes this wait until nothing arrived for stallMs; the
    // next rounds still run (each waits for its own n × events), so that the
    // report counts exactly what was lost.
    const got = await generator.call('wait', { total: arrived + n * events, stallMs });
    arrived = got.received;
    timedOut ||= got.timedOut;
    activeMs += Math.max(got.lastReceive, sent.lastSend) - sent.firstSend;
  }
  const cpuAfter = cpuTicks(server.pid);
  const peak = stopPeak();
  const { loopMaxMs } = await server.call('loop-max');
  if (profilePath) await server.call('profile-stop', { path: profilePath });
  const received = await generator.call('report');
  const deliveries = n * perConnection;
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
    peakRssMB: peak / 2 ** 20,
    peakGrowthMB: (peak - rssBefore) / 2 ** 20,
    loopMaxMs,
  };
}

/** The producer is asked for more than it may manage; what matters is p99 and peak memory. */
async function runOverload(server, generator, { n, deliveriesPerSecond, seconds, payloadBytes, stallMs }) {
  const events = Math.max(1, Math.round((deliveriesPerSecond / n) * seconds));
  await generator.call('expect', { eventsPerConnection: events });
  await server.call('loop-reset');
  const rssBefore = rssBytes(server.pid);
  const stopPeak = watchPeakRss(server.pid);
  const cpuBefore = cpuTicks(server.pid);
  const sent = await server.call('overload', { events, durationMs: seconds * 1000, payloadBytes });
  const got = await generator.call('wait', { total: n * events, stallMs });
  const cpuAfter = cpuTicks(server.pid);
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
    deliveriesPerSecond: received.received / ((Math.max(got.lastReceive, sent.lastSend) - sent.firstSend) / 1000),
    latencyMs: received.latencyMs,
    cpuUsPerDelivery: ((cpuAfter - cpuBefore) * (1e6 / CLK_TCK)) / (n * events),
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
  const format = (s) => (s < 60 ? `${Math.round(s)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);
  return {
    step(label) {
      const fraction = Math.min(1, done / totalWeight);
      const elapsed = (Date.now() - started) / 1000;
      const eta = fraction > 0.02 ? format((elapsed / fraction) * (1 - fraction)) : '?';
      const width = 28;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
      const line = `${bar} ${format(elapsed)} elapsed, ETA ${eta} | ${label}`;
      if (process.stderr.isTTY) {
        const columns = process.stderr.columns || 120;
        process.stderr.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
      } else if (Date.now() - lastPlain > 5_000 || done === 0) {
        lastPlain = Date.now();
        process.stderr.write(`${line}\n`);
      }
    },
    advance(weight) {
      done += weight;
    },
    end() {
      if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat((process.stderr.columns || 120) - 1)}\r`);
      process.stderr.write(`done in ${format((Date.now() - started) / 1000)}\n`);
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
  const result = spawnSync('npm', ['run', 'build'], { cwd: rootDir, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error('npm run build failed: the library server needs dist/src/sse/index.js');
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const { servers, notes } = serversUnderTest(options.servers);
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  if (options.build && servers.some((s) => s.library)) build();

  const scenarios = [];
  for (const payloadBytes of options.payload) for (const pattern of options.pattern) scenarios.push({ payloadBytes, pattern });
  const maxN = Math.max(...options.n);
  const overloadAt = (n, rep) => options.overload && n === maxN && rep < options.overloadReps;

  // Weights for the progress bar: about proportional to the work of each step.
  let totalWeight = 0;
  for (let rep = 0; rep < options.reps; rep++) {
    for (const n of options.n) totalWeight += servers.length * n * (1 + scenarios.length + (overloadAt(n, rep) ? 2 : 0));
  }
  const progress = progressBar(totalWeight);

  if (options.profile) mkdirSync(join(options.out, 'profiles'), { recursive: true });
  const generator = startNode('load-generator.mjs');
  await generator.ready;
  const runs = [];
  const started = new Date();
  let current = null;
  const cleanUp = async () => {
    await current?.stop();
    await generator.stop();
  };
  process.on('SIGINT', () => cleanUp().finally(() => process.exit(130)));

  try {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const n of options.n) {
        // Servers run in a different order in each repetition, so that a
        // slow spell of the machine does not always hit the same one.
        const order = servers.map((_, i) => servers[(i + rep) % servers.length]);
        for (const def of order) {
          const where = `rep ${rep + 1}/${options.reps} N=${n} ${def.label}`;
          progress.step(`${where}: connecting`);
          const opened = await openServer(def, generator, n, options);
          current = opened.server;
          progress.advance(n);
          runs.push({ kind: 'idle', server: def.key, n, rep, ...opened.idle });

          for (const { payloadBytes, pattern } of scenarios) {
            progress.step(`${where}: ${pattern}, ${payloadBytes} B`);
            const rounds = Math.max(1, Math.ceil(options.deliveries / (n * options.events)));
            const profilePath = options.profile
              ? join(options.out, 'profiles', `${def.key}-n${n}-${payloadBytes}B-${pattern}-rep${rep + 1}.cpuprofile`)
              : undefined;
            const result = await runScenario(current, generator, {
              n, payloadBytes, pattern, events: options.events, rounds, stallMs: options.stallMs, profilePath,
            });
            runs.push({ kind: 'scenario', server: def.key, n, payloadBytes, pattern, rep, rounds, events: options.events, ...result });
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
            runs.push({ kind: 'overload', server: def.key, n, payloadBytes: options.overloadPayload, rep, ...result });
            progress.advance(2 * n);
          }
          // The server goes first, so that the closing handshakes leave no
          // client port in TIME_WAIT for the next 10 000 connections.
          await current.stop();
          current = null;
          await generator.call('disconnect');
        }
      }
    }
  } finally {
    progress.end();
    await cleanUp();
  }

  const summary = aggregate(runs, servers);
  const result = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machine(),
    options: { ...options, out: undefined },
    servers: servers.map(({ key, label, args }) => ({ key, label, args })),
    notes,
    summary,
    runs,
  };
  printReport(result);
  writeJson(join(options.out, 'latest.json'), result);
  writeSvg(join(options.out, 'latest.svg'), result);
  writeText(join(options.out, 'latest.txt'), result);
  process.stdout.write(`\nwrote ${join(options.out, 'latest.json')}, latest.txt and latest.svg\n`);

  // Losses and duplicates fail the run, timings never do (CI runs --quick).
  const problems = findProblems(runs);
  if (problems.length > 0) {
    process.stderr.write(`\nFAILED: ${problems.length} run(s) lost or duplicated events:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`\nbench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
