import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

const READY_LINE = 'Ready to accept connections';

/**
 * A `redis-server` of a test's own on a free port of 127.0.0.1, without
 * persistence, so the test can kill it and start it again (empty, as a Redis
 * that restarted without persistence is) without disturbing anything else.
 */
export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private exited = false;

  private constructor(
    readonly port: number,
    private readonly dir: string | undefined,
  ) {}

  /**
   * Starts one. With `snapshots`, it keeps a snapshot file in a directory of
   * its own, written only by a `SAVE` the test sends, and loaded by
   * `restart()`: a Redis that comes back with older data than it had.
   */
  static async start(
    options: { snapshots?: boolean } = {},
  ): Promise<RedisServerProcess> {
    const dir = options.snapshots
      ? await mkdtemp(join(tmpdir(), 'sse-redis-'))
      : undefined;
    const server = new RedisServerProcess(await freePort(), dir);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on its port, and resolves once it takes connections. */
  async restart(): Promise<void> {
    if (this.child && !this.exited)
      throw new Error(`redis-server on port ${this.port} is running already`);
    this.output = '';
    this.exited = false;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      // Its snapshot file, if any, is in its own directory.
      { cwd: this.dir },
    );
    this.child = child;
    child.stdout
      .setEncoding('utf8')
      .on('data', (chunk: string) => (this.output += chunk));
    child.stderr
      .setEncoding('utf8')
      .on('data', (chunk: string) => (this.output += chunk));
    child.on('exit', () => (this.exited = true));
    child.on('error', (error) => {
      this.output += String(error);
      this.exited = true;
    });
    await waitFor(
      () => this.output.includes(READY_LINE) || this.exited,
      `redis-server to start on port ${this.port}`,
    );
    if (this.exited)
      throw new Error(
        `redis-server did not start on port ${this.port}:\n${this.output}`,
      );
  }

  /** Kills it and resolves once it is gone (its port is free again). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.child || this.exited) return;
    this.child.kill(signal);
    await waitFor(
      () => this.exited,
      `redis-server on port ${this.port} to exit`,
    );
  }

  /** Stops it for good, and removes its snapshot directory if it has one. */
  async remove(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /**
   * Stops it without closing anything (SIGSTOP): connections stay open and
   * nothing is answered, as with a Redis host lost without a reset.
   */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a paused server run on (SIGCONT): it answers what waited. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Runs one command on a connection of its own, closed after. */
  async command(...args: Array<string | number>): Promise<unknown> {
    const redis = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    try {
      await redis.connect();
      return await redis.call(String(args[0]), ...args.slice(1));
    } finally {
      redis.disconnect();
    }
  }
}
