/** A response Nest writes, as far as tracking it needs. */
export interface TrackedResponse {
  on(event: 'close', listener: () => void): unknown;
}

/** A socket, as far as shutdown needs one. */
export interface TrackedSocket {
  readonly destroyed?: boolean;
  end(): unknown;
  destroy(): unknown;
}

/**
 * The responses Nest is still writing, with their sockets: a closed
 * connection stays here until Nest has flushed its last events, which
 * shutdown waits for (at most a bound, then the sockets are destroyed).
 */
export class ResponseTracker {
  private readonly responding = new Map<
    TrackedResponse,
    TrackedSocket | undefined
  >();
  private whenNothingResponds: (() => void) | undefined;
  /** Once set, a socket whose response ends is ended too (see {@link track}). */
  private closingSockets = false;

  /** Number of responses Nest has not finished writing. */
  get size(): number {
    return this.responding.size;
  }

  /**
   * Follows `response` to its end: its `close` event comes once it has been
   * written to the end, or once its client left, whatever the moment
   * (including before the stream started); `onClose` runs then.
   */
  track(
    response: TrackedResponse,
    socket: TrackedSocket | undefined,
    onClose: () => void,
  ): void {
    this.responding.set(response, socket);
    // `on`, not `once`: a response closes once, and `once` would wrap the
    // listener in two more objects, kept as long as the connection.
    response.on('close', () => {
      onClose();
      this.responding.delete(response);
      // A browser would send its next request, its reconnection, on this
      // kept-alive socket, to an instance that is going away.
      if (this.closingSockets && !socket?.destroyed) socket?.end();
      if (this.responding.size === 0) this.whenNothingResponds?.();
    });
  }

  /** From now on (shutdown), ends the socket of each response as it ends. */
  closeSocketsAsResponsesEnd(): void {
    this.closingSockets = true;
  }

  /**
   * Waits until no response is being written, or `timeoutMs` passed; then
   * destroys the sockets of those left (their clients stopped reading: the
   * HTTP server would wait for them forever). Returns how many were left.
   */
  async waitForAll(timeoutMs: number): Promise<number> {
    if (this.responding.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.whenNothingResponds = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
    this.whenNothingResponds = undefined;
    const left = this.responding.size;
    for (const socket of this.responding.values()) socket?.destroy();
    return left;
  }
}
