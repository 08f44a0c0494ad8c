// The reconnect storm (`npm run bench -- --only storm`, see bench/README.md,
// "The reconnect storm"): N clients that missed events all reconnect at once
// with `Last-Event-ID`, beside servers that take N plain connections at once.
//
// Each row starts its own server(s), drives the load generator and reads the
// server's CPU time and RSS from /proc, as the fan-out scenarios do.
import { startNode } from './child-process.mjs';
import { CLK_TCK, cpuTicks, rssBytes, watchPeakRss } from './proc-stats.mjs';
import { sleep, waitForSubscribers } from './server-waits.mjs';

/**
 * The rows of the storm. `connect`: N new clients connect at once, without
 * an id (what a resume is compared with). `resume`: N clients that saw event
 * 0 lose their connection, events 1…missed are sent, and all N reconnect at
 * once with the id of event 0; `restart` says what happens between: nothing
 * (the same process: replay from its memory), a new process without Redis
 * (its history is gone: every client must get a reset), or a new process on
 * the same Redis (replay from Redis, events sent meanwhile by a second
 * instance).
 */
export const STORM_ROWS = [
  {
    key: 'raw',
    label: 'raw node:http: N connect',
    script: 'servers/raw.mjs',
    kind: 'connect',
  },
  {
    key: 'nest-plain',
    label: 'plain Nest @Sse: N connect',
    script: 'servers/nest-plain.mjs',
    kind: 'connect',
  },
  {
    key: 'library',
    label: 'library: N connect',
    script: 'servers/library.mjs',
    kind: 'connect',
    library: true,
  },
  {
    key: 'library-fastify',
    label: 'library on Fastify: N connect',
    script: 'servers/library.mjs',
    args: ['--adapter', 'fastify'],
    kind: 'connect',
    library: true,
  },
  {
    key: 'library-resume',
    label: 'library in memory: resume',
    script: 'servers/library.mjs',
    kind: 'resume',
    restart: 'none',
    library: true,
  },
  {
    key: 'library-restart',
    label: 'library in memory: restart (resets)',
    script: 'servers/library.mjs',
    kind: 'resume',
    restart: 'memory',
    library: true,
  },
  {
    key: 'library-redis-restart',
    label: 'library Redis: restart (resume)',
    script: 'servers/library.mjs',
    kind: 'resume',
    restart: 'redis',
    library: true,
    redis: true,
  },
];

/** The storm's rows by key, checked: `keys` undefined gives every row. */
export function stormRows(keys) {
  if (!keys) return STORM_ROWS;
  for (const key of keys)
    if (!STORM_ROWS.some((row) => row.key === key))
      throw new Error(
        `--storm-rows: unknown row ${key} (known: ${STORM_ROWS.map((row) => row.key).join(', ')})`,
      );
  return STORM_ROWS.filter((row) => keys.includes(row.key));
}

const PATH = '/sse';

/**
 * Runs one row of the storm: `{ n, missed, delivery, backlog, stallMs, profilePath }`
 * from the options (with a profile path, a CPU profile of the server over the
 * storm is written there); `redis` is `{ probe, prefix, url }` for the Redis row.
 */
export async function runStormRow(row, options, generator, redis) {
  const args = [...(row.args ?? [])];
  if (row.library && options.delivery)
    args.push('--delivery', options.delivery);
  if (options.backlog !== undefined && row.key !== 'library-fastify')
    args.push('--backlog', String(options.backlog));
  if (row.redis) args.push('--redis', redis.prefix, '--redis-url', redis.url);
  const processes = [];
  const start = (extra = []) => {
    const p = startNode(row.script, [...args, ...extra], ['--expose-gc']);
    processes.push(p);
    return p;
  };
  try {
    return row.kind === 'connect'
      ? await connectStorm(start, options, generator)
      : await resumeStorm(row, start, options, generator, redis);
  } finally {
    for (const p of processes) await p.stop();
    await generator.call('disconnect');
  }
}

/** N new clients at once, no id: the cost of opening a connection. */
async function connectStorm(start, { n, stallMs, profilePath }, generator) {
  const server = start();
  const { port } = await server.ready;
  const before = await server.call('memory');
  const measure = await measureServer(server, profilePath);
  const connected = await generator.call('storm-connect', {
    port,
    path: PATH,
    count: n,
    resume: false,
  });
  await waitForSubscribers(server, connected.open);
  const storm = await measure.stop(n);
  const live = await liveEvent(server, generator, 0, stallMs, n);
  const after = await server.call('memory');
  return {
    n,
    failed: connected.failed,
    errors: connected.errors,
    connectMs: connected.lastOpen - connected.firstConnect,
    caughtUpMs: connected.lastOpen - connected.firstConnect,
    ...storm,
    live,
    keptRssPerConnectionBytes: (after.rss - before.rss) / n,
    keptHeapPerConnectionBytes: (after.heapUsed - before.heapUsed) / n,
  };
}

/**
 * N clients see event 0, lose their connection, miss events 1…missed, and
 * reconnect all at once with event 0's id.
 */
async function resumeStorm(
  row,
  start,
  { n, missed, stallMs, profilePath },
  generator,
  redis,
) {
  let server = start();
  // With Redis, a second instance sends: it stays up while the clients' instance restarts.
  const producer =
    row.restart === 'redis' ? start(['--no-loop-monitor']) : null;
  const [{ port }] = await Promise.all(
    [server, producer].filter(Boolean).map((p) => p.ready),
  );
  const sender = () => producer ?? server;
  const opened = await generator.call('connect', {
    port,
    path: PATH,
    count: n,
  });
  if (opened.failed > 0)
    throw new Error(
      `storm: ${opened.failed} of ${n} first connections failed: ${JSON.stringify(opened.errors)}`,
    );
  await waitForSubscribers(server, n);

  // Event 0: every client has an id to come back with.
  await generator.call('expect', {
    eventsPerConnection: 1,
    firstSeq: 0,
    trackIds: true,
  });
  await sender().call('round', {
    pattern: 'burst',
    events: 1,
    seq: 0,
    payloadBytes: 128,
  });
  const primed = await generator.call('wait', { total: n, stallMs });
  if (primed.received !== n)
    throw new Error(
      `storm: event 0 reached ${primed.received} of ${n} clients`,
    );

  // The clients lose their connection; events 1…missed are sent meanwhile.
  if (row.restart === 'redis') {
    await server.kill();
    await generator.call('wait-closed', {});
  } else {
    await server.call('drop-clients');
    await generator.call('wait-closed', {});
    await waitForSubscribers(server, 0);
  }
  await sender().call('round', {
    pattern: 'burst',
    events: missed,
    seq: 1,
    payloadBytes: 128,
  });
  if (row.restart === 'memory') await server.kill();
  if (row.restart !== 'none') {
    server = start(['--port', String(port)]);
    await server.ready;
  }

  // The storm.
  const before = await server.call('memory');
  await generator.call('expect', {
    eventsPerConnection: missed,
    firstSeq: 1,
    trackIds: true,
  });
  const redisCpuBefore = redis ? await redis.probe.cpuSeconds() : 0;
  const measure = await measureServer(server, profilePath);
  const connected = await generator.call('storm-connect', {
    port,
    path: PATH,
    resume: true,
  });
  const caughtUp = await generator.call('wait-caught-up', {
    total: connected.open,
    stallMs,
  });
  const storm = await measure.stop(n);
  const redisCpuUsPerResume = redis
    ? (((await redis.probe.cpuSeconds()) - redisCpuBefore) * 1e6) / n
    : null;
  const replay = await generator.call('report');
  await waitForSubscribers(server, connected.open);
  const live = await liveEvent(sender(), generator, missed + 1, stallMs, n);
  const after = await server.call('memory');
  return {
    n,
    missed,
    failed: connected.failed,
    errors: connected.errors,
    connectMs: connected.lastOpen - connected.firstConnect,
    caughtUpMs: caughtUp.lastCaughtUp - connected.firstConnect,
    caughtUpP50Ms: replay.caughtUpAt.p50 - connected.firstConnect,
    caughtUpP99Ms: replay.caughtUpAt.p99 - connected.firstConnect,
    timedOut: caughtUp.timedOut,
    caughtUp: replay.caughtUp,
    replayed: replay.received,
    lost: replay.lost,
    duplicates: replay.duplicates,
    unexpected: replay.unexpected,
    resets: replay.resets,
    closedConnections: replay.closedConnections,
    ...storm,
    redisCpuUsPerResume,
    live,
    keptRssPerConnectionBytes: (after.rss - before.rss) / n,
    keptHeapPerConnectionBytes: (after.heapUsed - before.heapUsed) / n,
  };
}

/**
 * CPU time and peak RSS of `server` from now until `stop(n)`, which gives
 * them per connection; with `profilePath`, a CPU profile of that span too.
 */
async function measureServer(server, profilePath) {
  if (profilePath) await server.call('profile-start');
  const rssBefore = rssBytes(server.pid);
  const stopPeak = watchPeakRss(server.pid);
  const cpuBefore = cpuTicks(server.pid);
  return {
    async stop(n) {
      const ticks = cpuTicks(server.pid) - cpuBefore;
      const peak = stopPeak();
      if (profilePath) await server.call('profile-stop', { path: profilePath });
      return {
        cpuMs: ticks * (1000 / CLK_TCK),
        cpuUsPerConnection: (ticks * (1e6 / CLK_TCK)) / n,
        peakRssMB: peak / 2 ** 20,
        peakGrowthMB: (peak - rssBefore) / 2 ** 20,
      };
    },
  };
}

/** The first live event after the storm (sequence number `seq`): its latency to every client. */
async function liveEvent(sender, generator, seq, stallMs, n) {
  await generator.call('expect', {
    eventsPerConnection: 1,
    firstSeq: seq,
    trackIds: true,
  });
  // The clients' instance has settled: the event is not sent into the storm's tail.
  await sleep(100);
  await sender.call('round', {
    pattern: 'burst',
    events: 1,
    seq,
    payloadBytes: 128,
  });
  const got = await generator.call('wait', { total: n, stallMs });
  const report = await generator.call('report');
  return {
    received: report.received,
    lost: report.lost,
    duplicates: report.duplicates,
    closedConnections: report.closedConnections,
    timedOut: got.timedOut,
    latencyMs: report.latencyMs,
  };
}

/** What makes a storm row fail the run: a lost, duplicated or unexpected event, a dropped client, a wrong number of resets. */
export function stormProblems(runs) {
  const problems = [];
  for (const r of runs) {
    const row = STORM_ROWS.find((x) => x.key === r.row);
    const why = [];
    if (r.failed) why.push(`${r.failed} clients could not reconnect`);
    if (r.lost) why.push(`${r.lost} lost`);
    if (r.duplicates) why.push(`${r.duplicates} duplicated`);
    if (r.unexpected) why.push(`${r.unexpected} unexpected`);
    if (r.closedConnections)
      why.push(`${r.closedConnections} connections closed`);
    if (r.timedOut) why.push('timed out');
    if (row?.kind === 'resume') {
      const resets = row.restart === 'memory' ? r.n : 0;
      if (r.resets !== resets)
        why.push(`${r.resets} reset events, expected ${resets}`);
      if (r.caughtUp !== r.n) why.push(`${r.caughtUp}/${r.n} caught up`);
    }
    const live = r.live;
    if (
      live &&
      (live.lost || live.duplicates || live.timedOut || live.received !== r.n)
    )
      why.push(
        `live event: ${live.received}/${r.n} received, ${live.lost} lost, ${live.duplicates} duplicated`,
      );
    if (why.length > 0)
      problems.push(
        `storm ${r.row} N=${r.n} rep ${r.rep + 1}: ${why.join(', ')}`,
      );
  }
  return problems;
}
