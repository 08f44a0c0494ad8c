import { SseError } from '../errors/sse.error.js';
import { MESSAGES } from '../sse.messages.js';

/**
 * The handler-start protocol of one connection: whether its handler has sent
 * or closed yet (the stream has started then, and a throw ends it with an
 * error event instead of Nest's error response), who waits for that moment,
 * and whether the handler asked for `204 No Content` before it.
 */
export class HandlerStart {
  private acted = false;
  private firstActivityCallback: (() => void) | undefined;
  private noContentRequested = false;

  /** Whether the handler has sent or closed yet. */
  get hasActed(): boolean {
    return this.acted;
  }

  /** Whether the handler asked for `204 No Content` instead of a stream. */
  get wantsNoContent(): boolean {
    return this.noContentRequested;
  }

  /** Notes that the handler sent or closed; calls the first-activity callback once. */
  noteActivity(): void {
    this.acted = true;
    const callback = this.firstActivityCallback;
    this.firstActivityCallback = undefined;
    callback?.();
  }

  /** Calls `callback` once, when the handler first sends or closes (at once if it has already). */
  onFirstActivity(callback: () => void): void {
    if (this.acted) callback();
    else this.firstActivityCallback = callback;
  }

  /**
   * Records the handler's `noContent()`; throws an `SseError` once the stream
   * has started (`streamStarted`) or the handler has sent or closed.
   */
  requestNoContent(streamStarted: boolean): void {
    if (streamStarted || this.acted)
      throw new SseError(MESSAGES.noContentTooLate());
    this.noContentRequested = true;
  }
}
