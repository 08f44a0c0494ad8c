/**
 * Records the interval timers the process starts and clears from now on, by
 * wrapping the global `setInterval` and `clearInterval`: it sees what Node
 * sees (the module's heartbeat, Nest's own per-stream timers), not the
 * module's fields. Call `restore()` after.
 */
export class IntervalTimers {
  /** The timers started since, and not cleared yet, with their period in ms. */
  private readonly live = new Map<unknown, number | undefined>();
  private readonly originalSet = globalThis.setInterval;
  private readonly originalClear = globalThis.clearInterval;

  constructor() {
    const { live, originalSet, originalClear } = this;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const timer = originalSet(...args);
      live.set(timer, args[1]);
      return timer;
    }) as typeof setInterval;
    globalThis.clearInterval = ((
      timer?: Parameters<typeof clearInterval>[0],
    ) => {
      live.delete(timer);
      originalClear(timer);
    }) as typeof clearInterval;
  }

  /** How many are running: all of them, or those of one period. */
  running(periodMs?: number): number {
    if (periodMs === undefined) return this.live.size;
    return [...this.live.values()].filter((period) => period === periodMs)
      .length;
  }

  restore(): void {
    globalThis.setInterval = this.originalSet;
    globalThis.clearInterval = this.originalClear;
  }
}
