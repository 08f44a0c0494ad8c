import { sizeOf, type PendingQueue } from './pending-queue.js';
import type { OutgoingMessage } from './delivered-event.js';

/**
 * A replay on its way to one client: the events it missed, written as fast as
 * its socket takes them, and no faster.
 *
 * Its events were read from the history, which keeps them in memory anyway,
 * so waiting costs one reference each: a replay is not counted against
 * `maxPendingDataLength` or `maxPendingDataTotal`, and one larger than the
 * limit goes out whole instead of dropping its client at every reconnection.
 * What waited for the client when the replay was given goes out before it,
 * and is counted as any waiting message until it has.
 */
export class PacedReplay {
  /** Index of the next event to write. */
  private next = 0;
  /** Whether a step is set for the next turn already. */
  private stepSet = false;

  /**
   * @param events the missed events, oldest first.
   * @param ahead what waited for the client when the replay was given (its
   * `retry:` hint, its handler's own sends): written first.
   */
  constructor(
    private readonly events: readonly OutgoingMessage[],
    public ahead: PendingQueue | undefined,
  ) {}

  /**
   * Hands `write` the next events, oldest first, while `canWrite()` holds and
   * until `maxCharacters` have gone; returns whether the replay is all written.
   */
  writeOn(
    canWrite: () => boolean,
    maxCharacters: number,
    write: (message: OutgoingMessage) => void,
  ): boolean {
    let written = 0;
    while (
      this.next < this.events.length &&
      written < maxCharacters &&
      canWrite()
    ) {
      const message = this.events[this.next++];
      written += sizeOf(message);
      write(message);
    }
    return this.next === this.events.length;
  }

  /**
   * Calls `step` at the next turn of the event loop, once however often it
   * is asked before: for a replay whose socket could take more, but whose
   * turn's share is written.
   */
  continueNextTurn(step: () => void): void {
    if (this.stepSet) return;
    this.stepSet = true;
    setImmediate(() => {
      this.stepSet = false;
      step();
    });
  }
}
