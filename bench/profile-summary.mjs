#!/usr/bin/env node
// Where a server spends its send phase: reads .cpuprofile files written by
// `npm run bench -- --profile` and prints self time per package and the
// functions with the most self time.
//
//   node bench/profile-summary.mjs bench/results/profiles/library-n10000-128B-tick-rep1.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex === -1 ? 25 : Number(args.splice(topIndex, 2)[1]);
if (args.length === 0) {
  process.stderr.write(
    'usage: node bench/profile-summary.mjs <file.cpuprofile>… [--top 25]\n',
  );
  process.exit(2);
}

/** Which part of the stack a frame belongs to. */
function packageOf(url, functionName) {
  if (!url)
    return functionName.startsWith('(')
      ? functionName
      : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node core';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/src/')) return 'this library (dist/src)';
  if (url.includes('/bench/')) return 'bench harness';
  return url;
}

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const byPackage = new Map();
  const byFunction = new Map();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const where = url
      ? `${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`
      : '';
    const key = `${functionName || '(anonymous)'} ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    `\n${file}: ${(total / 1000).toFixed(0)} ms profiled\n\nself time by package\n`,
  );
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1])) {
    process.stdout.write(
      `  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${pkg}\n`,
    );
  }
  process.stdout.write(`\nfunctions with the most self time\n`);
  for (const [key, us] of [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    process.stdout.write(
      `  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
    );
  }
}
