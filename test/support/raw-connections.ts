import http from 'node:http';
import { EventWaits } from './wait-for.js';

/**
 * Many plain HTTP streams at once (an EventSource each would cost the test
 * more than the server). Each records the bytes it received and whether the
 * server ended it.
 */
export class RawConnections {
  readonly requests: http.ClientRequest[] = [];
  readonly bodies: string[] = [];
  readonly ended: boolean[] = [];
  readonly endedAt: number[] = [];
  private readonly waits = new EventWaits();
  private readonly agent = new http.Agent({
    keepAlive: false,
    maxSockets: Infinity,
  });

  /** Opens `count` streams to `url` and resolves once every one has its headers. */
  async open(url: string, count: number): Promise<void> {
    let responded = 0;
    for (let i = 0; i < count; i++) {
      const index = this.bodies.length;
      this.bodies.push('');
      this.ended.push(false);
      this.endedAt.push(0);
      const request = http.get(
        url,
        { agent: this.agent, headers: { accept: 'text/event-stream' } },
        (res) => {
          responded++;
          this.waits.notify();
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            this.bodies[index] += chunk;
            this.waits.notify();
          });
          res.on('end', () => {
            this.ended[index] = true;
            this.endedAt[index] = Date.now();
            this.waits.notify();
          });
          res.on('error', () => undefined);
        },
      );
      request.on('error', () => undefined);
      this.requests.push(request);
    }
    await this.until(
      () => responded === count,
      () => `${count} streams to open (${responded} did)`,
      20_000,
    );
  }

  /**
   * Resolves once `condition()` holds, checked at each response, chunk and
   * end of these streams; rejects after `timeoutMs` with `what`.
   */
  until(
    condition: () => boolean,
    what: string | (() => string),
    timeoutMs?: number,
  ): Promise<void> {
    return this.waits.until(
      condition,
      typeof what === 'string' ? () => what : what,
      timeoutMs,
    );
  }

  /** Drops every stream from the client side, as vanished browsers would. */
  destroyAll(): void {
    for (const request of this.requests) request.destroy();
    this.agent.destroy();
  }
}
