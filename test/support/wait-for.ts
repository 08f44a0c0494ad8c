/**
 * Resolves once `condition()` is true, checking on every turn of the event
 * loop; rejects after `timeoutMs` with `what` in the message. It waits for the
 * event, never for a fixed time: the bound only turns a hang into a failure.
 */
export function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      setImmediate(check);
    };
    check();
  });
}
