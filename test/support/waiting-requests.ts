import http from 'node:http';
import { EventWaits } from './wait-for.js';

/**
 * Plain GETs whose responses may not have started: for handlers that have
 * not resolved yet. Each records the body it received and whether its
 * connection closed.
 */
export class WaitingRequests {
  readonly bodies: string[] = [];
  readonly closed: boolean[] = [];
  private readonly requests: http.ClientRequest[] = [];
  private readonly waits = new EventWaits();

  constructor(
    url: string,
    count: number,
    headers: Record<string, string> = {},
  ) {
    for (let i = 0; i < count; i++) {
      this.bodies.push('');
      this.closed.push(false);
      const request = http.get(url, {
        agent: false,
        headers: { accept: 'text/event-stream', ...headers },
      });
      request.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          this.bodies[i] += chunk;
          this.waits.notify();
        });
        res.on('error', () => undefined);
      });
      request.on('error', () => undefined);
      request.on('close', () => {
        this.closed[i] = true;
        this.waits.notify();
      });
      this.requests.push(request);
    }
  }

  /** Resolves once `condition()` holds, checked at each chunk and close; rejects after `timeoutMs` with `what`. */
  until(
    condition: () => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<void> {
    return this.waits.until(condition, () => what, timeoutMs);
  }

  /** Leaves, as vanished browsers would. */
  destroyAll(): void {
    for (const request of this.requests) request.destroy();
  }
}
