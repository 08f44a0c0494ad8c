import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './wait-for.js';

/** The compiled sample app (built by the global setup) in its own process, as `npm start` runs it. */
export class SampleAppProcess {
  private child: ChildProcess | undefined;
  output = '';
  exited = false;

  /**
   * @param env added to the environment it runs in, which has no `REDIS_URL`
   * unless given here (`REDIS_URL` and `SAMPLE_REDIS_PREFIX` for Redis mode).
   */
  constructor(
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {}

  async start(): Promise<void> {
    this.output = '';
    this.exited = false;
    const child = spawn(process.execPath, ['dist/sample-app/main.js'], {
      env: {
        ...process.env,
        PORT: String(this.port),
        REDIS_URL: '',
        ...this.env,
      },
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk));
    child.on('exit', () => (this.exited = true));
    await waitFor(
      () => this.output.includes('Sample app on') || this.exited,
      'the sample app to listen',
      20_000,
    );
    if (this.exited) throw new Error(`The sample app exited:\n${this.output}`);
  }

  /** SIGTERM, as an orchestrator stops it; resolves once it exited. */
  async stop(): Promise<void> {
    if (!this.child || this.exited) return;
    this.child.kill('SIGTERM');
    await waitFor(() => this.exited, 'the sample app to exit', 15_000);
  }
}
