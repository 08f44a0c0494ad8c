// Turns the driver's raw measurements into medians with ranges, ratios, the
// terminal tables, bench/results/latest.json and the SVG chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const RAW = 'raw';
const NEST = 'nest-plain';

// ---------------------------------------------------------------- statistics

/** Median, min, max and count of the numbers in `values` (others are left out); `null` if none. */
export function stats(values) {
  const v = values
    .filter((x) => typeof x === 'number' && Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

const sum = (values) => values.reduce((a, b) => a + (b || 0), 0);

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

const ratio = (a, b) => (a && b ? a.median / b.median : null);

/** Medians and ranges over repetitions, and the ratios the issue asks for. */
export function aggregate(runs, servers) {
  const serverKeys = servers.map((s) => s.key);
  const redisServers = servers.filter((s) => s.redis);
  const scenarios = [];
  const byScenario = groupBy(
    runs.filter((r) => r.kind === 'scenario'),
    (r) => `${r.n}|${r.payloadBytes}|${r.pattern}`,
  );
  for (const group of byScenario.values()) {
    const { n, payloadBytes, pattern, events, rounds, deliveries } = group[0];
    const rows = {};
    for (const [server, reps] of groupBy(group, (r) => r.server)) {
      rows[server] = {
        reps: reps.length,
        deliveriesPerSecond: stats(reps.map((r) => r.deliveriesPerSecond)),
        latencyP50Ms: stats(reps.map((r) => r.latencyMs.p50)),
        latencyP99Ms: stats(reps.map((r) => r.latencyMs.p99)),
        latencyMaxMs: stats(reps.map((r) => r.latencyMs.max)),
        cpuUsPerDelivery: stats(reps.map((r) => r.cpuUsPerDelivery)),
        producerCpuUsPerDelivery: stats(
          reps.map((r) => r.producerCpuUsPerDelivery),
        ),
        redisCpuUsPerDelivery: stats(reps.map((r) => r.redisCpuUsPerDelivery)),
        peakRssMB: stats(reps.map((r) => r.peakRssMB)),
        peakGrowthMB: stats(reps.map((r) => r.peakGrowthMB)),
        loopMaxMs: stats(reps.map((r) => r.loopMaxMs)),
        lost: sum(reps.map((r) => r.lost)),
        duplicates: sum(reps.map((r) => r.duplicates)),
        unexpected: sum(reps.map((r) => r.unexpected)),
        closedConnections: sum(reps.map((r) => r.closedConnections)),
        timedOut: reps.filter((r) => r.timedOut).length,
      };
    }
    for (const row of Object.values(rows)) {
      row.cpuVsRaw = ratio(row.cpuUsPerDelivery, rows[RAW]?.cpuUsPerDelivery);
      row.cpuVsNest = ratio(row.cpuUsPerDelivery, rows[NEST]?.cpuUsPerDelivery);
    }
    for (const def of redisServers) {
      const row = rows[def.key];
      if (row)
        Object.assign(
          row,
          redisComparison(
            group.filter((r) => r.server === def.key),
            row,
            rows[def.compareWith],
          ),
        );
    }
    scenarios.push({
      n,
      payloadBytes,
      pattern,
      events,
      rounds,
      deliveries,
      servers: rows,
    });
  }
  scenarios.sort(
    (a, b) =>
      a.n - b.n ||
      a.payloadBytes - b.payloadBytes ||
      a.pattern.localeCompare(b.pattern) * -1,
  );

  const idle = [];
  for (const group of groupBy(
    runs.filter((r) => r.kind === 'idle'),
    (r) => r.n,
  ).values()) {
    const rows = {};
    for (const [server, reps] of groupBy(group, (r) => r.server)) {
      rows[server] = {
        rssPerConnectionBytes: stats(reps.map((r) => r.rssPerConnectionBytes)),
        heapPerConnectionBytes: stats(
          reps.map((r) => r.heapPerConnectionBytes),
        ),
        rssConnectedMB: stats(reps.map((r) => r.rssConnectedMB)),
        connectMs: stats(reps.map((r) => r.connectMs)),
      };
    }
    for (const row of Object.values(rows)) {
      row.rssVsRaw = ratio(
        row.rssPerConnectionBytes,
        rows[RAW]?.rssPerConnectionBytes,
      );
      row.rssVsNest = ratio(
        row.rssPerConnectionBytes,
        rows[NEST]?.rssPerConnectionBytes,
      );
    }
    idle.push({ n: group[0].n, servers: rows });
  }
  idle.sort((a, b) => a.n - b.n);

  const overloadRuns = runs.filter((r) => r.kind === 'overload');
  let overload = null;
  if (overloadRuns.length > 0) {
    const rows = {};
    for (const [server, reps] of groupBy(overloadRuns, (r) => r.server)) {
      rows[server] = {
        producedPerSecond: stats(reps.map((r) => r.producedPerSecond)),
        deliveriesPerSecond: stats(reps.map((r) => r.deliveriesPerSecond)),
        latencyP99Ms: stats(reps.map((r) => r.latencyMs.p99)),
        latencyMaxMs: stats(reps.map((r) => r.latencyMs.max)),
        peakRssMB: stats(reps.map((r) => r.peakRssMB)),
        peakGrowthMB: stats(reps.map((r) => r.peakGrowthMB)),
        loopMaxMs: stats(reps.map((r) => r.loopMaxMs)),
        cpuUsPerDelivery: stats(reps.map((r) => r.cpuUsPerDelivery)),
        lost: sum(reps.map((r) => r.lost)),
        duplicates: sum(reps.map((r) => r.duplicates)),
        closedConnections: sum(reps.map((r) => r.closedConnections)),
      };
    }
    const { n, payloadBytes, askedPerSecond, deliveries } = overloadRuns[0];
    overload = { n, payloadBytes, askedPerSecond, deliveries, servers: rows };
  }

  // Cost per delivery at the largest N over the smallest, per server.
  const growth = [];
  const ns = [...new Set(scenarios.map((s) => s.n))].sort((a, b) => a - b);
  if (ns.length > 1) {
    const [low, high] = [ns[0], ns[ns.length - 1]];
    for (const first of scenarios.filter((s) => s.n === low)) {
      const last = scenarios.find(
        (s) =>
          s.n === high &&
          s.payloadBytes === first.payloadBytes &&
          s.pattern === first.pattern,
      );
      if (!last) continue;
      const rows = {};
      for (const key of serverKeys) {
        const r = ratio(
          last.servers[key]?.cpuUsPerDelivery,
          first.servers[key]?.cpuUsPerDelivery,
        );
        if (r !== null) rows[key] = r;
      }
      growth.push({
        fromN: low,
        toN: high,
        payloadBytes: first.payloadBytes,
        pattern: first.pattern,
        servers: rows,
      });
    }
  }

  // The servers' own shutdown (app.close()), measured for the Redis servers only.
  const shutdown = {};
  for (const [server, reps] of groupBy(
    runs.filter((r) => r.kind === 'shutdown'),
    (r) => r.server,
  )) {
    shutdown[server] = {
      serverCloseMs: stats(reps.map((r) => r.serverClose?.closeMs)),
      producerCloseMs: stats(reps.map((r) => r.producerClose?.closeMs)),
      hung: reps.filter((r) => r.serverClose?.hung || r.producerClose?.hung)
        .length,
      failed: reps.filter((r) => r.serverClose?.error || r.producerClose?.error)
        .length,
      keysDeleted: sum(reps.map((r) => r.keysDeleted)),
      runs: reps.length,
    };
  }

  const summary = { scenarios, idle, overload, growth, shutdown };
  summary.goals = goals(
    summary,
    serverKeys.filter((k) => !redisServers.some((s) => s.key === k)),
    redisServers.map((s) => s.key),
  );
  return summary;
}

/**
 * A Redis server's row against the single instance of the same delivery
 * without Redis (`single`, when it ran): throughput and B's CPU as ratios,
 * latency as the difference, and the CPU of A, B and Redis together.
 */
function redisComparison(reps, row, single) {
  const total = stats(
    reps.map(
      (r) =>
        r.cpuUsPerDelivery +
        (r.producerCpuUsPerDelivery ?? 0) +
        (r.redisCpuUsPerDelivery ?? 0),
    ),
  );
  const delta = (a, b) => (a && b ? a.median - b.median : null);
  return {
    totalCpuUsPerDelivery: total,
    vsSingle: single
      ? {
          deliveriesPerSecond: ratio(
            row.deliveriesPerSecond,
            single.deliveriesPerSecond,
          ),
          cpuUsPerDelivery: ratio(
            row.cpuUsPerDelivery,
            single.cpuUsPerDelivery,
          ),
          totalCpuUsPerDelivery: ratio(total, single.cpuUsPerDelivery),
          latencyP50DeltaMs: delta(row.latencyP50Ms, single.latencyP50Ms),
          latencyP99DeltaMs: delta(row.latencyP99Ms, single.latencyP99Ms),
        }
      : null,
  };
}

// ---------------------------------------------------------------- goals of the issue

/** The goals, checked on the medians. Printed only: timings never fail a run. */
function goals(summary, serverKeys, redisKeys) {
  const out = [];
  const add = (who, text, value, ok) => out.push({ who, text, value, ok });
  const libs = serverKeys.filter((k) => k.startsWith('library'));
  const direct = serverKeys.includes('library-direct')
    ? 'library-direct'
    : null;

  for (const s of summary.scenarios) {
    const lib = s.servers.library;
    const where = `N=${s.n}, ${s.payloadBytes} B, ${s.pattern}`;
    if (lib?.cpuVsNest != null && (s.n === 1000 || s.n === 10000)) {
      const bound =
        s.payloadBytes <= 128 ? 0.9 : s.payloadBytes >= 1024 ? 0.75 : null;
      if (bound)
        add(
          'library',
          `CPU/delivery ≤ ${bound}× plain Nest (${where})`,
          `${fmtRatio(lib.cpuVsNest)}`,
          lib.cpuVsNest <= bound,
        );
    }
    if (
      lib &&
      s.n === 10000 &&
      s.pattern === 'burst' &&
      s.events === 20 &&
      s.servers[NEST]
    ) {
      const r =
        lib.peakGrowthMB.median /
        Math.max(1, s.servers[NEST].peakGrowthMB.median);
      add(
        'library',
        `peak memory growth of a 20-event burst ≤ ½ plain Nest's (${where})`,
        `${fmt(lib.peakGrowthMB.median)} vs ${fmt(s.servers[NEST].peakGrowthMB.median)} MB (${fmtRatio(r)})`,
        r <= 0.5,
      );
    }
    const d = direct && s.servers[direct];
    if (d?.cpuVsRaw != null && s.n === 10000) {
      const bound = s.pattern === 'tick' ? 1.3 : 1.5;
      add(
        direct,
        `CPU/delivery ≤ ${bound}× raw (${where})`,
        fmtRatio(d.cpuVsRaw),
        d.cpuVsRaw <= bound,
      );
    }
    if (d && s.servers['better-sse']) {
      const r =
        d.cpuUsPerDelivery.median /
        s.servers['better-sse'].cpuUsPerDelivery.median;
      add(
        direct,
        `CPU/delivery below better-sse's (${where})`,
        fmtRatio(r),
        r < 1,
      );
    }
  }
  for (const i of summary.idle) {
    const lib = i.servers.library;
    if (lib?.rssVsNest != null)
      add(
        'library',
        `idle memory per connection ≤ plain Nest's (N=${i.n})`,
        `${fmtBytes(lib.rssPerConnectionBytes.median)} vs ${fmtBytes(i.servers[NEST].rssPerConnectionBytes.median)}`,
        lib.rssVsNest <= 1,
      );
    const d = direct && i.servers[direct];
    if (d?.rssVsRaw != null)
      add(
        direct,
        `idle memory per connection ≤ 1.5× raw (N=${i.n})`,
        fmtRatio(d.rssVsRaw),
        d.rssVsRaw <= 1.5,
      );
  }
  for (const g of summary.growth) {
    for (const key of libs) {
      if (g.servers[key] == null || g.servers[RAW] == null) continue;
      add(
        key,
        `CPU/delivery growth N=${g.fromN}→${g.toN} ≤ raw's (${g.payloadBytes} B, ${g.pattern})`,
        `${fmtRatio(g.servers[key])} vs ${fmtRatio(g.servers[RAW])}`,
        g.servers[key] <= g.servers[RAW],
      );
    }
  }
  // The goals are on one instance; across instances it asks for exact delivery.
  for (const key of [...libs, ...redisKeys]) {
    let lost = 0;
    let dup = 0;
    for (const s of summary.scenarios) {
      lost += s.servers[key]?.lost ?? 0;
      dup += s.servers[key]?.duplicates ?? 0;
    }
    add(
      key,
      'zero lost, zero duplicated events',
      `${lost} lost, ${dup} duplicated`,
      lost === 0 && dup === 0,
    );
  }
  return out;
}

/** Runs that lost, duplicated or never finished receiving events: these fail `npm run bench`. */
export function findProblems(runs) {
  const problems = [];
  for (const r of runs) {
    if (r.kind === 'scenario') {
      if (
        r.lost ||
        r.duplicates ||
        r.unexpected ||
        r.timedOut ||
        r.closedConnections
      ) {
        problems.push(
          `${r.server} N=${r.n} ${r.payloadBytes} B ${r.pattern} rep ${r.rep + 1}: ${r.received}/${r.deliveries} received, ${r.lost} lost, ${r.duplicates} duplicated, ${r.unexpected} unexpected, ${r.closedConnections} connections closed${r.timedOut ? ', timed out' : ''}`,
        );
      }
    } else if (r.kind === 'overload' && r.duplicates) {
      // Under overload a server may drop a client that falls too far behind
      // (it would reconnect and be replayed what it missed); a duplicate is a bug.
      problems.push(
        `${r.server} overload rep ${r.rep + 1}: ${r.duplicates} duplicated`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------- formatting

function fmt(x, digits) {
  if (x == null || !Number.isFinite(x)) return '–';
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

function fmtRate(x) {
  if (x == null || !Number.isFinite(x)) return '–';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(0)}k`;
  return x.toFixed(0);
}

const fmtRatio = (x) =>
  x == null || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`;
const fmtBytes = (x) =>
  x == null || !Number.isFinite(x)
    ? '–'
    : x >= 1024
      ? `${(x / 1024).toFixed(1)} KiB`
      : `${x.toFixed(0)} B`;

/** "median [min–max]", or only the median when there is one repetition. */
function range(s, f = fmt) {
  if (!s) return '–';
  if (s.n === 1 || s.min === s.max) return f(s.median);
  return `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

/** A plain-text table: the first `alignLeft` columns left-aligned, the others right-aligned. */
export function table(headers, rows, alignLeft = 1) {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => String(r[i]).length)),
  );
  const line = (cells) =>
    cells
      .map((c, i) =>
        i < alignLeft
          ? String(c).padEnd(widths[i])
          : String(c).padStart(widths[i]),
      )
      .join('  ');
  return [
    line(headers),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

const PATTERN_NAMES = {
  tick: 'one event per tick',
  burst: 'burst (one round in one synchronous tick)',
};

/** The whole report as text (terminal and README). */
export function renderReport(result) {
  const { summary, servers, machine, options } = result;
  const label = Object.fromEntries(servers.map((s) => [s.key, s.label]));
  const order = servers.map((s) => s.key);
  const out = [];
  out.push(
    `Fan-out benchmark, ${result.startedAt}: ${machine.cpuModel}, ${machine.nproc} cores, Node ${machine.node}`,
  );
  out.push(
    `${options.reps} repetition(s); each cell: median [min–max]. Ratios compare medians of CPU per delivery.`,
  );
  for (const note of result.notes) out.push(`note: ${note}`);
  if (result.redis?.version)
    out.push(
      `Redis ${result.redis.version} at ${result.redis.url} (pid ${result.redis.pid}), shared with whatever else uses it meanwhile.`,
    );

  for (const s of summary.scenarios) {
    out.push('');
    out.push(
      `N=${s.n} · ${s.payloadBytes} B · ${PATTERN_NAMES[s.pattern]} · ${s.rounds} round(s) of ${s.events} events = ${s.deliveries} deliveries`,
    );
    const rows = order
      .filter((k) => s.servers[k])
      .map((k) => {
        const r = s.servers[k];
        const errors =
          r.lost +
          r.duplicates +
          r.unexpected +
          r.closedConnections +
          r.timedOut;
        return [
          label[k],
          range(r.deliveriesPerSecond, fmtRate),
          fmt(r.latencyP50Ms?.median),
          range(r.latencyP99Ms),
          fmt(r.latencyMaxMs?.median),
          range(r.cpuUsPerDelivery, (x) => fmt(x, 2)),
          fmtRatio(r.cpuVsRaw),
          fmtRatio(r.cpuVsNest),
          fmt(r.peakRssMB?.median, 0),
          fmt(r.peakGrowthMB?.median, 1),
          fmt(r.loopMaxMs?.median, 1),
          errors === 0
            ? 'ok'
            : `${r.lost}/${r.duplicates}${r.timedOut ? ' TIMEOUT' : ''}`,
        ];
      });
    out.push(
      table(
        [
          'server',
          'deliveries/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'CPU µs/delivery',
          '×raw',
          '×Nest',
          'peak MB',
          'Δpeak MB',
          'stall ms',
          'lost/dup',
        ],
        rows,
      ),
    );
  }

  const redisKeys = servers.filter((x) => x.redis).map((x) => x.key);
  if (redisKeys.length > 0) out.push('', renderRedis(summary, servers, label));

  if (summary.idle.length > 0) {
    out.push('');
    out.push(
      'Idle memory per connection: (RSS with N connected − RSS before), after a full GC, / N',
    );
    const rows = [];
    for (const i of summary.idle) {
      for (const k of order.filter((key) => i.servers[key])) {
        const r = i.servers[k];
        rows.push([
          `N=${i.n}`,
          label[k],
          range(r.rssPerConnectionBytes, fmtBytes),
          fmtRatio(r.rssVsRaw),
          fmtRatio(r.rssVsNest),
          fmtBytes(r.heapPerConnectionBytes?.median),
          fmt(r.rssConnectedMB?.median, 0),
          fmt(r.connectMs?.median, 0),
        ]);
      }
    }
    out.push(
      table(
        [
          'N',
          'server',
          'RSS/connection',
          '×raw',
          '×Nest',
          'JS heap/conn',
          'RSS MB',
          'connect ms',
        ],
        rows,
        2,
      ),
    );
  }

  if (summary.overload) {
    const o = summary.overload;
    out.push('');
    const reps = Math.max(
      ...Object.values(o.servers).map((r) => r.latencyP99Ms?.n ?? 0),
    );
    out.push(
      `Overload: N=${o.n}, ${o.payloadBytes} B, the producer asked for ${fmtRate(o.askedPerSecond)} deliveries/s for ${options.overloadSeconds} s (${o.deliveries} deliveries), ${reps} run(s)`,
    );
    out.push(
      'produced/s: what the producer managed (it falls behind when the event loop stalls); dropped conns: closed by the server (slow-client limits)',
    );
    const rows = order
      .filter((k) => o.servers[k])
      .map((k) => {
        const r = o.servers[k];
        return [
          label[k],
          fmtRate(r.producedPerSecond?.median),
          range(r.deliveriesPerSecond, fmtRate),
          range(r.latencyP99Ms),
          fmt(r.latencyMaxMs?.median),
          range(r.peakRssMB, (x) => fmt(x, 0)),
          fmt(r.peakGrowthMB?.median, 0),
          fmt(r.loopMaxMs?.median, 0),
          fmt(r.cpuUsPerDelivery?.median, 2),
          `${r.lost}/${r.duplicates}`,
          r.closedConnections,
        ];
      });
    out.push(
      table(
        [
          'server',
          'produced/s',
          'delivered/s',
          'p99 ms',
          'max ms',
          'peak MB',
          'Δpeak MB',
          'stall ms',
          'CPU µs/del',
          'lost/dup',
          'dropped conns',
        ],
        rows,
      ),
    );
  }

  const maxN = Math.max(0, ...summary.scenarios.map((x) => x.n));
  const atMax = summary.scenarios.filter((x) => x.n === maxN);
  if (atMax.length > 0) {
    out.push('');
    out.push(
      `Longest event-loop stall in the server during the send phase at N=${maxN}, ms (monitorEventLoopDelay, median [min–max])`,
    );
    const columns = atMax.map((x) => `${x.payloadBytes} B ${x.pattern}`);
    if (summary.overload?.n === maxN) columns.push('overload');
    const rows = order
      .filter((k) => atMax.some((x) => x.servers[k]))
      .map((k) => {
        const cells = atMax.map((x) =>
          range(x.servers[k]?.loopMaxMs, (v) => fmt(v, 0)),
        );
        if (summary.overload?.n === maxN)
          cells.push(
            range(summary.overload.servers[k]?.loopMaxMs, (v) => fmt(v, 0)),
          );
        return [label[k], ...cells];
      });
    out.push(table(['server', ...columns], rows));
  }

  if (summary.growth.length > 0) {
    out.push('');
    out.push('CPU per delivery, largest N over smallest N (1.00× = flat)');
    const keys = order.filter((k) =>
      summary.growth.some((g) => g.servers[k] != null),
    );
    const rows = summary.growth.map((g) => [
      `${g.payloadBytes} B ${g.pattern} N=${g.fromN}→${g.toN}`,
      ...keys.map((k) => fmtRatio(g.servers[k])),
    ]);
    out.push(table(['scenario', ...keys.map((k) => label[k])], rows));
  }

  if (summary.goals.length > 0) {
    out.push('');
    out.push(
      'Goals of the issue (medians; informational, timings never fail the run)',
    );
    for (const g of summary.goals)
      out.push(
        `  ${g.ok ? 'PASS' : 'MISS'}  ${label[g.who] ?? g.who}: ${g.text}: ${g.value}`,
      );
  }
  return out.join('\n');
}

/** The Redis mode beside the single instance: cross-instance figures, CPU of A, B and Redis, shutdown. */
function renderRedis(summary, servers, label) {
  const redisServers = servers.filter((x) => x.redis);
  const out = [];
  out.push(
    'Redis mode: RedisTransport on one key prefix. "A→B": two instances, every event sent on A, the N clients on B,',
  );
  out.push(
    'so latency is A\'s send to the arrival at B\'s clients; "×1": one instance on Redis, sending to its own clients.',
  );
  out.push(
    'CPU µs per delivery of B (delivers), A (sends), Redis (redis-server, INFO cpu) and their sum; "vs 1 inst.": over the',
  );
  out.push(
    'single instance without Redis of the same delivery, in this run (throughput and CPU as ratios, latency as a difference).',
  );
  const rows = [];
  for (const s of summary.scenarios) {
    for (const def of redisServers) {
      const r = s.servers[def.key];
      if (!r) continue;
      const v = r.vsSingle;
      const errors =
        r.lost + r.duplicates + r.unexpected + r.closedConnections + r.timedOut;
      const signed = (x) => (x == null ? '–' : `${x >= 0 ? '+' : ''}${fmt(x)}`);
      rows.push([
        `N=${s.n} ${s.payloadBytes} B ${s.pattern}`,
        label[def.key],
        range(r.deliveriesPerSecond, fmtRate),
        fmtRatio(v?.deliveriesPerSecond),
        fmt(r.latencyP50Ms?.median),
        signed(v?.latencyP50DeltaMs),
        range(r.latencyP99Ms),
        signed(v?.latencyP99DeltaMs),
        fmt(r.latencyMaxMs?.median),
        range(r.cpuUsPerDelivery, (x) => fmt(x, 2)),
        fmtRatio(v?.cpuUsPerDelivery),
        fmt(r.producerCpuUsPerDelivery?.median, 2),
        fmt(r.redisCpuUsPerDelivery?.median, 2),
        fmt(r.totalCpuUsPerDelivery?.median, 2),
        fmtRatio(v?.totalCpuUsPerDelivery),
        errors === 0
          ? 'ok'
          : `${r.lost}/${r.duplicates}${r.timedOut ? ' TIMEOUT' : ''}`,
      ]);
    }
  }
  out.push(
    table(
      [
        'scenario',
        'server',
        'deliveries/s',
        'vs 1 inst.',
        'p50 ms',
        'Δp50',
        'p99 ms',
        'Δp99',
        'max ms',
        'B µs/del',
        'vs 1 inst.',
        'A µs/del',
        'Redis µs/del',
        'sum µs/del',
        'vs 1 inst.',
        'lost/dup',
      ],
      rows,
      2,
    ),
  );
  const closing = redisServers.filter((def) => summary.shutdown?.[def.key]);
  if (closing.length > 0) {
    out.push(
      'app.close() of each Redis server after its run, ms (median [min–max]); keys left under its prefix, deleted after:',
    );
    for (const def of closing) {
      const c = summary.shutdown[def.key];
      const a = c.producerCloseMs
        ? `, A ${range(c.producerCloseMs, (x) => fmt(x, 0))}`
        : '';
      const trouble =
        c.hung || c.failed ? `, ${c.hung} HUNG, ${c.failed} FAILED` : '';
      out.push(
        `  ${label[def.key]}: B ${range(c.serverCloseMs, (x) => fmt(x, 0))}${a}${trouble}; ${c.keysDeleted} keys in ${c.runs} run(s)`,
      );
    }
  }
  return out.join('\n');
}

export function printReport(result) {
  process.stdout.write(`\n${renderReport(result)}\n`);
}

/** The same text as on the terminal, for the README. */
export function writeText(path, result) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${renderReport(result)}\n`);
}

export function writeJson(path, result) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

// ---------------------------------------------------------------- SVG

const COLORS = [
  '#4e79a7',
  '#59a14f',
  '#f28e2b',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#9c755f',
  '#ff9da7',
  '#bab0ac',
];

const esc = (s) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(max, ticks) {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
}

/** Grouped bars: server CPU µs per delivery, one group per scenario, whiskers from min to max. */
export function renderSvg(result) {
  const { summary, servers } = result;
  const groups = summary.scenarios;
  const keys = servers.map((s) => s.key);
  const bar = 14;
  const gap = 22;
  const groupWidth = keys.length * bar + gap;
  const left = 64;
  const top = 60;
  const plotHeight = 320;
  const width = Math.max(640, left + groups.length * groupWidth + 20);
  const height = top + plotHeight + 90;
  let top_ = 0;
  for (const g of groups)
    for (const k of keys)
      top_ = Math.max(top_, g.servers[k]?.cpuUsPerDelivery?.max ?? 0);
  const step = niceStep(top_ || 1, 5);
  const yMax = Math.ceil((top_ || 1) / step) * step;
  const y = (v) => top + plotHeight - (v / yMax) * plotHeight;

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(
    `<text x="${left}" y="22" font-size="15" font-weight="bold">Server CPU per delivery (µs, lower is better)</text>`,
  );
  parts.push(
    `<text x="${left}" y="40" fill="#555">median of ${result.options.reps} run(s), whiskers min–max; ${esc(result.machine.cpuModel)}, ${result.machine.nproc} cores, Node ${result.machine.node}, ${esc(result.startedAt)}</text>`,
  );
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
    );
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(3)}</text>`,
    );
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupWidth + gap / 2;
    keys.forEach((k, ki) => {
      const s = g.servers[k]?.cpuUsPerDelivery;
      if (!s) return;
      const x = x0 + ki * bar;
      const title = `${servers[ki].label}, N=${g.n}, ${g.payloadBytes} B, ${g.pattern}: ${s.median.toFixed(2)} µs [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
      parts.push(
        `<rect x="${x}" y="${y(s.median)}" width="${bar - 2}" height="${y(0) - y(s.median)}" fill="${COLORS[ki % COLORS.length]}"><title>${esc(title)}</title></rect>`,
      );
      if (s.max > s.min) {
        const cx = x + (bar - 2) / 2;
        parts.push(
          `<line x1="${cx}" x2="${cx}" y1="${y(s.min)}" y2="${y(s.max)}" stroke="#222"/>`,
        );
      }
    });
    const cx = x0 + (keys.length * bar) / 2;
    parts.push(
      `<text x="${cx}" y="${top + plotHeight + 16}" text-anchor="middle">N=${g.n}</text>`,
    );
    parts.push(
      `<text x="${cx}" y="${top + plotHeight + 30}" text-anchor="middle">${g.payloadBytes} B ${g.pattern}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#333"/>`,
  );
  parts.push(
    `<line x1="${left}" x2="${width - 10}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>`,
  );
  let lx = left;
  servers.forEach((s, i) => {
    parts.push(
      `<rect x="${lx}" y="${height - 30}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
    );
    parts.push(
      `<text x="${lx + 16}" y="${height - 20}">${esc(s.label)}</text>`,
    );
    lx += 24 + s.label.length * 6.5;
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

export function writeSvg(path, result) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderSvg(result));
}
