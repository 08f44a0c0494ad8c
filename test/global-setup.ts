import { spawnSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What `npm run build` compiles or reads: dist/ is stale when one is newer than the last build. */
const BUILD_INPUTS = [
  'src',
  'sample-app',
  'test/processes',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];
/** Written after a build succeeded; removed before one starts, so a failed build is never taken as done. */
const STAMP = 'dist/.build-stamp';

/**
 * Runs `npm run build` once per jest run, before any suite, when the sources
 * changed since the last build: the suites that spawn compiled processes (the
 * sample app, the cluster nodes) then run what the sources say, and no two
 * suites build at the same time.
 */
export default function globalSetup(): void {
  if (isFresh()) return;
  const stamp = join(ROOT, STAMP);
  rmSync(stamp, { force: true });
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0)
    throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

function isFresh(): boolean {
  const stamp = join(ROOT, STAMP);
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return BUILD_INPUTS.every((input) => newestChange(join(ROOT, input)) < built);
}

/** The latest modification time of a file, or of anything in a folder (or of the folder: a file removed). */
function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, {
    recursive: true,
    encoding: 'utf8',
  })) {
    newest = Math.max(newest, statSync(join(path, entry)).mtimeMs);
  }
  return newest;
}
