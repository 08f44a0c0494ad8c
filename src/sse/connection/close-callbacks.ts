import { Logger } from '@nestjs/common';
import { MESSAGES } from '../sse.messages.js';

/**
 * The `onClose()` callbacks of one connection: each runs once, when the
 * stream ends, and one that throws is logged without stopping the others.
 */
export class CloseCallbacks {
  /** Made on first use: most connections never register one. */
  private callbacks: Array<() => void> | undefined;

  /** @param connectionId the connection's id, for the log line of a callback that throws. */
  constructor(private readonly connectionId: () => string) {}

  /** Keeps `callback` for {@link runAll}. */
  add(callback: () => void): void {
    (this.callbacks ??= []).push(callback);
  }

  /** Runs every kept callback, once, and forgets them. */
  runAll(): void {
    const callbacks = this.callbacks ?? [];
    this.callbacks = undefined;
    for (const callback of callbacks) this.run(callback);
  }

  /** Runs one callback now (for a connection that has ended already), logging a throw. */
  run(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      new Logger('SseConnection').error(
        MESSAGES.onCloseCallbackFailed(this.connectionId()),
        err instanceof Error ? err.stack : err,
      );
    }
  }
}
