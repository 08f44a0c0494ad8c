import http from 'node:http';
import { EventWaits } from './wait-for.js';

/**
 * A client that reads a stream of events whose data starts with `{"t":<ms>`
 * (the moment they were sent) and records how late each arrived, keeping no
 * body, so that it can follow a busy channel without growing.
 */
export class LatencyReader {
  readonly latencies: number[] = [];
  private readonly request: http.ClientRequest;
  private carry = '';
  private readonly waits = new EventWaits();

  constructor(url: string) {
    this.request = http.get(
      url,
      { agent: false, headers: { accept: 'text/event-stream' } },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = Date.now();
          const text = this.carry + chunk;
          const cut = text.lastIndexOf('\n\n');
          const complete = cut < 0 ? '' : text.slice(0, cut);
          this.carry = cut < 0 ? text : text.slice(cut + 2);
          for (const match of complete.matchAll(/data: \{"t":(\d+)/g))
            this.latencies.push(now - Number(match[1]));
          this.waits.notify();
        });
        res.on('error', () => undefined);
      },
    );
    this.request.on('error', () => undefined);
  }

  /** Resolves once `count` latencies are recorded, checked as events arrive; rejects after `timeoutMs`. */
  untilRecorded(
    count: number,
    what: string,
    timeoutMs?: number,
  ): Promise<void> {
    return this.waits.until(
      () => this.latencies.length >= count,
      () => `${what} (${this.latencies.length} of ${count})`,
      timeoutMs,
    );
  }

  /** The p-th percentile of the latencies recorded from index `from` on. */
  percentile(p: number, from = 0): number {
    const sorted = this.latencies.slice(from).sort((a, b) => a - b);
    return (
      sorted[
        Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))
      ] ?? 0
    );
  }

  close(): void {
    this.request.destroy();
  }
}
