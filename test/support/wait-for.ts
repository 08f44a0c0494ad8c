/**
 * Resolves once `condition()` is true, checking on every turn of the event
 * loop; rejects after `timeoutMs` with `what` in the message. It waits for the
 * event, never for a fixed time: the bound only turns a hang into a failure.
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
      setImmediate(check);
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
    await new Promise((resolve) => setImmediate(resolve));
  }
}
