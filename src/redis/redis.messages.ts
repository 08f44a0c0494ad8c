/** The Redis transport's error and log texts. */
export const REDIS_MESSAGES = {
  /** `why` is one of the three below. */
  tooManyPending: (why: string, limit: number, channel: string) =>
    `${why} and ${limit} sends are already waiting for it (maxQueuedSends), so this send to channel ` +
    `"${channel}" was refused: nobody will receive it.`,
  notTakingUnreachable: 'Redis is unreachable',
  notTakingRefused: (error: unknown) =>
    `Redis refused the last sends (${errorText(error)})`,
  notAnswering: (ms: number) =>
    `Redis has not answered the last sends for ${ms} ms`,
  sendAfterClose: (channel: string) =>
    `RedisTransport is closed (the application is shutting down), so this send to channel "${channel}" ` +
    `was refused: nobody will receive it.`,
  readAfterClose:
    'RedisTransport is closed (the application is shutting down), so its history cannot be read.',
  unreachable: (error: unknown) =>
    `Redis is unreachable: ${errorText(error)}. Streams stay open; sends wait (maxQueuedSends).`,
  reachableAgain: (queued: number) =>
    `Redis is reachable again; ${queued} waiting sends are being published.`,
  startFailed: (where: string, timeoutMs: number, error: unknown) =>
    `RedisTransport could not reach Redis at ${where} within ${timeoutMs} ms: ${errorText(error)}.`,
  historyRestarted: (epoch: string) =>
    `Redis lost data (a flush, a restart without persistence or from an older snapshot, a failover that lost writes): ` +
    `the history starts over as ${epoch}; ` +
    `open streams get a reset event.`,
  eventsSkipped: (from: number, to: number) =>
    `Events ${from + 1} to ${to - 1} were no longer in Redis's shared stream when this instance read on; ` +
    `they are replayed from channel histories, or their subscribers get a reset event.`,
  publishFailed: (error: unknown) =>
    `Publishing to Redis failed: ${errorText(error)}; the sends wait and are retried.`,
  unsentAtShutdown: (count: number) =>
    `${count} sends never reached Redis before shutdown; they are lost.`,
  countAllFailed: (channel: string, error: unknown) =>
    `Could not count the subscribers of channel "${channel}" on every instance: ${errorText(error)}.`,
  errorText,
  badOption: (option: string, expected: string, value: unknown) =>
    `RedisTransport option "${option}" must be ${expected}, got ${String(value)}.`,
};

function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}
