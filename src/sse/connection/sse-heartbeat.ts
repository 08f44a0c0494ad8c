/**
 * One interval timer for the heartbeats of all connections, running only while
 * there is a connection. A timer per connection would cost memory and wake-ups
 * in proportion to the number of clients.
 */
export class SseHeartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => void,
  ) {}

  /** Starts ticking, unless it already does or heartbeats are off. */
  start(): void {
    if (this.timer || this.intervalMs <= 0) return;
    this.timer = setInterval(this.tick, this.intervalMs);
    // Open streams alone must not keep a process alive that is shutting down.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }
}
