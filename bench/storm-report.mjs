// The reconnect storm's table: medians over the repetitions of each row
// (bench/storm.mjs), and the goals, informational.
import { stats, table } from './report.mjs';
import { STORM_ROWS } from './storm.mjs';

/** The median of the numbers in `values`, or `null`. */
const median = (values) => stats(values)?.median ?? null;

const sum = (values) => values.reduce((a, b) => a + (b || 0), 0);

/** Medians per row: the numbers the table and the goals show. */
export function summarizeStorm(runs) {
  const rows = [];
  for (const def of STORM_ROWS) {
    const reps = runs.filter((r) => r.row === def.key);
    if (reps.length === 0) continue;
    const m = (f) => median(reps.map(f));
    rows.push({
      key: def.key,
      label: def.label,
      kind: def.kind,
      reps: reps.length,
      n: reps[0].n,
      connectMs: m((r) => r.connectMs),
      caughtUpMs: m((r) => r.caughtUpMs),
      caughtUpP99Ms: m((r) => r.caughtUpP99Ms),
      cpuUsPerConnection: m((r) => r.cpuUsPerConnection),
      redisCpuUsPerResume: m((r) => r.redisCpuUsPerResume),
      peakRssMB: m((r) => r.peakRssMB),
      peakGrowthMB: m((r) => r.peakGrowthMB),
      keptRssPerConnectionBytes: m((r) => r.keptRssPerConnectionBytes),
      keptHeapPerConnectionBytes: m((r) => r.keptHeapPerConnectionBytes),
      liveP50Ms: m((r) => r.live?.latencyMs.p50),
      liveP99Ms: m((r) => r.live?.latencyMs.p99),
      replayed: sum(reps.map((r) => r.replayed)),
      resets: sum(reps.map((r) => r.resets)),
      lost: sum(reps.map((r) => (r.lost ?? 0) + (r.live?.lost ?? 0))),
      duplicates: sum(
        reps.map((r) => (r.duplicates ?? 0) + (r.live?.duplicates ?? 0)),
      ),
      dropped: sum(reps.map((r) => r.failed + (r.closedConnections ?? 0))),
    });
  }
  return rows;
}

const fmt = (x, digits = 1) =>
  x === null || x === undefined ? '–' : x.toFixed(digits);

/** The storm's section of the report (terminal and latest.txt). */
export function renderStorm(storm) {
  const rows = summarizeStorm(storm.runs);
  if (rows.length === 0) return '';
  const nest = rows.find((r) => r.key === 'nest-plain');
  const lines = [
    `Reconnect storm: N=${storm.n} clients at once, ${storm.missed} missed events each, ${storm.reps} repetition(s), delivery ${storm.delivery ?? 'default'}; medians`,
    'connect s: first connect to last response headers; caught up s: to the last client with every missed event (or its reset);',
    'CPU µs/conn: server CPU over that span / N; kept, heap: RSS and JS heap per connection after the storm (full GC); live: the first event after it',
    table(
      [
        'row',
        'connect s',
        'caught up s',
        'p99 s',
        'CPU µs/conn',
        '×Nest',
        'Redis µs',
        'peak MB',
        'Δpeak MB',
        'kept KiB',
        'heap KiB',
        'live p50 ms',
        'live p99 ms',
        'replayed',
        'resets',
        'lost/dup',
        'dropped',
      ],
      rows.map((r) => [
        r.label,
        fmt(r.connectMs / 1000, 2),
        fmt(r.caughtUpMs / 1000, 2),
        fmt(r.caughtUpP99Ms === null ? null : r.caughtUpP99Ms / 1000, 2),
        fmt(r.cpuUsPerConnection, 0),
        nest?.cpuUsPerConnection
          ? `${(r.cpuUsPerConnection / nest.cpuUsPerConnection).toFixed(2)}×`
          : '–',
        fmt(r.redisCpuUsPerResume, 0),
        fmt(r.peakRssMB, 0),
        fmt(r.peakGrowthMB, 0),
        fmt(r.keptRssPerConnectionBytes / 1024, 1),
        fmt(r.keptHeapPerConnectionBytes / 1024, 2),
        fmt(r.liveP50Ms),
        fmt(r.liveP99Ms),
        r.replayed,
        r.resets,
        `${r.lost}/${r.duplicates}`,
        r.dropped,
      ]),
    ),
  ];
  if (nest?.cpuUsPerConnection) {
    lines.push('', 'Goals of the issue (medians; informational)');
    for (const r of rows.filter((x) => x.kind === 'resume')) {
      const x = r.cpuUsPerConnection / nest.cpuUsPerConnection;
      lines.push(
        `  ${x <= 1.5 ? 'PASS' : 'MISS'}  ${r.label}: CPU per resume ≤ 1.5× plain Nest's per connect: ${x.toFixed(2)}×`,
      );
      lines.push(
        `  ${r.dropped === 0 ? 'PASS' : 'MISS'}  ${r.label}: no client dropped: ${r.dropped}`,
      );
    }
  }
  return lines.join('\n');
}
