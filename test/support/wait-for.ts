/**
 * How often {@link waitFor} checks a condition on server state. A check on
 * every turn of the event loop (`setImmediate`) kept the process busy and
 * perturbed the suites that measure latency; a few milliseconds is well
 * below anything the suites wait for.
 */
const POLL_INTERVAL_MS = 5;

/**
 * Resolves once `condition()` is true, checking it now and then every
 * {@link POLL_INTERVAL_MS}; rejects after `timeoutMs` with `what` in the
 * message. For conditions with no event to wait for (server state): what a
 * client receives is waited for with the client's own waits
 * (`SseTestClient.waitUntil()` and friends), which wake on the event. The
 * bound only turns a hang into a failure.
 */
export function waitFor(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline)
        return reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`),
        );
      setTimeout(check, POLL_INTERVAL_MS);
    };
    check();
  });
}

/** Like {@link waitFor} for a condition that must be fetched (over HTTP, say). */
export async function waitForAsync(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/**
 * Resolves as `promise` does (a wait driven by an event), or rejects after
 * `timeoutMs` with `what()` in the message: the bound only turns a hang into
 * a failure.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`),
        ),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The waits of a test client that wakes them at each of its events (bytes
 * received, a stream ended): `until()` resolves as soon as its condition holds
 * after one, never by polling.
 */
export class EventWaits {
  private readonly checks = new Set<() => void>();

  /** Checks every pending wait: the client calls it at each of its events. */
  notify(): void {
    for (const check of [...this.checks]) check();
  }

  /** Resolves once `condition()` holds (now or after an event); rejects after `timeoutMs` with `what()`. */
  until(
    condition: () => boolean,
    what: () => string,
    timeoutMs = 10_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        this.checks.delete(check);
      };
      const check = () => {
        if (!condition()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`),
        );
      }, timeoutMs);
      this.checks.add(check);
      check();
    });
  }
}
