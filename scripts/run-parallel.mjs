// Runs npm scripts at the same time and fails if any fails: `npm test` checks
// types and lint this way, as each keeps one core busy and neither waits for
// the other. Each script's output is printed whole when it ends, so the two
// never interleave.
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
const results = await Promise.all(
  names.map(
    (name) =>
      new Promise((resolve) => {
        const child = spawn('npm', ['run', '--silent', name], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('close', (code) => {
          process.stdout.write(`> npm run ${name}\n${output}`);
          resolve({ name, code });
        });
      }),
  ),
);
const failed = results.filter((result) => result.code !== 0);
for (const { name, code } of failed)
  process.stderr.write(`npm run ${name} failed (exit code ${code})\n`);
process.exit(failed.length > 0 ? 1 : 0);
