import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LISTENING_LINE } from '../processes/cluster-node.config.js';
import type { SendReport, SendRequest } from '../processes/paced-sends.js';
import type { SseTransportHealth } from '../../src/sse/index.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from './redis.js';
import { RedisServerProcess } from './redis-server-process.js';
import { waitFor } from './wait-for.js';

/** The compiled node, built by test/global-setup.ts. */
const ENTRY = fileURLToPath(
  new URL('../../dist/test/processes/cluster-node.js', import.meta.url),
);
const STARTUP_BOUND_MS = 20_000;

/** How a test sets up a node (see test/processes/cluster-node.config.ts for each). */
export interface ClusterNodeSettings {
  redisUrl: string;
  keyPrefix: string;
  instanceTtlMs?: number;
  maxQueuedSends?: number;
  backlogSize?: number;
  heartbeatMs?: number;
  historySize?: number;
  shutdownDrainMs?: number;
  delivery?: 'pipeline' | 'direct';
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const ENV_NAMES: Record<
  Exclude<keyof ClusterNodeSettings, 'redisUrl' | 'keyPrefix'>,
  string
> = {
  instanceTtlMs: 'INSTANCE_TTL_MS',
  maxQueuedSends: 'MAX_QUEUED_SENDS',
  backlogSize: 'BACKLOG_SIZE',
  heartbeatMs: 'HEARTBEAT_MS',
  historySize: 'HISTORY_SIZE',
  shutdownDrainMs: 'SHUTDOWN_DRAIN_MS',
  delivery: 'SSE_DELIVERY',
};

/**
 * One instance of the application (test/processes/cluster-node.ts) in its own
 * process on 127.0.0.1, with its output kept for assertions, and its control
 * routes as methods.
 */
export class ClusterNodeProcess {
  /** Everything it wrote to stdout and stderr. */
  output = '';
  /** Everything it wrote to stderr. */
  errors = '';
  /** How it ended, once it has. */
  exit: ProcessExit | undefined;
  url = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child
      .stdout!.setEncoding('utf8')
      .on('data', (chunk: string) => (this.output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.output += chunk;
      this.errors += chunk;
    });
    child.on('exit', (code, signal) => (this.exit = { code, signal }));
  }

  /** Starts a node and resolves once it listens; `name` only labels failures. */
  static async start(
    name: string,
    settings: ClusterNodeSettings,
  ): Promise<ClusterNodeProcess> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      PORT: '0',
      REDIS_URL: settings.redisUrl,
      KEY_PREFIX: settings.keyPrefix,
    };
    for (const [key, envName] of Object.entries(ENV_NAMES)) {
      const value = settings[key as keyof typeof ENV_NAMES];
      if (value !== undefined) env[envName] = String(value);
    }
    // The IPC channel only lets the node notice that the runner died (see cluster-node.ts).
    const child = spawn(process.execPath, [ENTRY], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const node = new ClusterNodeProcess(name, child);
    const listening = new RegExp(
      `${LISTENING_LINE} (http://127\\.0\\.0\\.1:\\d+)`,
    );
    await waitFor(
      () => listening.test(node.output) || node.exit !== undefined,
      `node ${name} to listen`,
      STARTUP_BOUND_MS,
    );
    if (node.exit)
      throw new Error(
        `node ${name} exited (${JSON.stringify(node.exit)}) before listening:\n${node.output}`,
      );
    node.url = listening.exec(node.output)![1];
    return node;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with how the process ended; rejects if it is still running after `timeoutMs`. */
  async exited(timeoutMs = 10_000): Promise<ProcessExit> {
    await waitFor(
      () => this.exit !== undefined,
      `node ${this.name} to exit`,
      timeoutMs,
    );
    return this.exit!;
  }

  /** `POST /send`: resolves once every send was made (or the run stopped). */
  send(request: SendRequest): Promise<SendReport> {
    return this.json('POST', '/send', request);
  }

  /** A run's report so far. */
  progress(prefix: string): Promise<SendReport> {
    return this.json('GET', `/send/${encodeURIComponent(prefix)}`);
  }

  /** Stops a run; the pending `send()` then resolves. */
  stopSending(prefix: string): Promise<SendReport> {
    return this.json('POST', `/send/${encodeURIComponent(prefix)}/stop`);
  }

  /** Subscribers of `channel` here (`local`) and on every live node (`all`). */
  count(channel: string): Promise<{ local: number; all: number }> {
    return this.json('GET', `/count/${encodeURIComponent(channel)}`);
  }

  health(): Promise<SseTransportHealth> {
    return this.json('GET', '/health');
  }

  /** The URL of its stream on `channels`. */
  streamUrl(...channels: string[]): string {
    return `${this.url}/stream?channels=${channels.map(encodeURIComponent).join(',')}`;
  }

  private async json<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers:
        body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `node ${this.name}: ${method} ${path} answered ${response.status}: ${text}`,
      );
    return JSON.parse(text) as T;
  }
}

/** The nodes a suite started, to kill whatever still runs after it: `afterAll(() => nodes.killAll())`. */
export class ClusterNodes {
  private readonly started: ClusterNodeProcess[] = [];
  /** Prefixes handed out on the machine's Redis, whose keys {@link killAll} deletes. */
  private readonly prefixes: string[] = [];
  /** The Redis of the test's own, which {@link killAll} removes (and its keys with it). */
  private ownRedis: RedisServerProcess | undefined;

  /**
   * Settings for instances of one application: a key prefix of their own, on
   * the machine's Redis unless `more.redisUrl` names a Redis of the test's
   * own (whose keys go with it), with `more` on top.
   */
  settings(
    more: Partial<Omit<ClusterNodeSettings, 'keyPrefix'>> = {},
  ): ClusterNodeSettings {
    const keyPrefix = uniquePrefix();
    if (more.redisUrl === undefined) this.prefixes.push(keyPrefix);
    return { redisUrl: REDIS_URL, keyPrefix, ...more };
  }

  async start(
    name: string,
    settings: ClusterNodeSettings,
  ): Promise<ClusterNodeProcess> {
    const node = await ClusterNodeProcess.start(name, settings);
    this.started.push(node);
    return node;
  }

  /**
   * Starts a Redis of the test's own (one a test may kill, restart or pause:
   * the machine's Redis serves other suites), then instances `names` on it.
   */
  async startOnOwnRedis(
    names: string[],
    more: Partial<Omit<ClusterNodeSettings, 'keyPrefix' | 'redisUrl'>> = {},
  ): Promise<{ redis: RedisServerProcess; nodes: ClusterNodeProcess[] }> {
    const redis = await RedisServerProcess.start();
    this.ownRedis = redis;
    const nodes = await this.startAll(
      names,
      this.settings({ ...more, redisUrl: redis.url }),
    );
    return { redis, nodes };
  }

  /** Starts several at once (they take a moment each), named in order. */
  startAll(
    names: string[],
    settings: ClusterNodeSettings,
  ): Promise<ClusterNodeProcess[]> {
    return Promise.all(names.map((name) => this.start(name, settings)));
  }

  async killAll(): Promise<void> {
    const running = this.started.splice(0).filter((node) => node.running);
    for (const node of running) node.kill('SIGKILL');
    await Promise.all(running.map((node) => node.exited()));
    for (const prefix of this.prefixes.splice(0)) await deleteKeys(prefix);
    await this.ownRedis?.remove();
    this.ownRedis = undefined;
  }
}

/** Instances on a Redis of the suite's own, as {@link onOwnRedis} starts them. */
export interface OwnRedisCluster {
  redis: RedisServerProcess;
  nodes: ClusterNodeProcess[];
}

/**
 * Starts instances `names` on a Redis of the suite's own (one it may kill,
 * restart or pause: the machine's Redis serves other suites) before its
 * tests, hands them to `started`, and removes them after its tests, Redis and
 * keys included.
 */
export function onOwnRedis(
  names: string[],
  more: Partial<Omit<ClusterNodeSettings, 'keyPrefix' | 'redisUrl'>>,
  started: (cluster: OwnRedisCluster) => void,
): void {
  const nodes = new ClusterNodes();
  beforeAll(
    async () => started(await nodes.startOnOwnRedis(names, more)),
    30_000,
  );
  afterAll(() => nodes.killAll());
}
