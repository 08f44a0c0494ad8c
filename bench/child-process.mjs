// Starting the benchmark's child processes (the load generator, the servers
// under test) with a raised file-descriptor limit and an IPC channel the
// driver talks to them over.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));

/** The file-descriptor limit of every child (the machine's hard limit): N is at most this minus 500. */
export const FD_LIMIT = 20_000;

/**
 * Starts `node <script>` under bash with the fd limit raised (Node cannot
 * raise its own), with an IPC channel; `exec` keeps the pid, so /proc/<pid>
 * is the server's own.
 */
export function startNode(script, args = [], nodeFlags = []) {
  const shell = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec node "$@"`;
  const child = spawn(
    'bash',
    ['-c', shell, 'bash', ...nodeFlags, join(benchDir, script), ...args],
    {
      cwd: benchDir,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pending = new Map();
  let nextId = 1;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code, signal) =>
      reject(
        new Error(`${script} exited (${signal ?? code}) before it was ready`),
      ),
    );
  });
  child.on('message', (msg) => {
    if (msg.ready) return onReady(msg);
    pending.get(msg.id)?.resolve(msg);
    pending.delete(msg.id);
  });
  child.on('exit', (code, signal) => {
    for (const { reject } of pending.values())
      reject(new Error(`${script} exited (${signal ?? code})`));
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
    /** Kills the process at once (SIGKILL: a crash, for the reconnect storm's restarts) and waits for its exit. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
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
    /**
     * The server's own shutdown, timed by the server: `{ closeMs, hung, error }`
     * (see harness.mjs), or `{ hung: true }` when it neither answered nor exited
     * in 20 s and was killed.
     */
    async close() {
      if (child.exitCode !== null || child.signalCode !== null)
        return { hung: false, error: 'exited before' };
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 20_000);
      const answer = await this.call('close').catch((error) => ({
        hung: false,
        error: error.message,
      }));
      await exited;
      clearTimeout(timer);
      if (killed) return { hung: true };
      const { id: _id, ...body } = answer;
      return body;
    },
  };
}
