import http from 'node:http';
import { EventWaits } from './wait-for.js';

/**
 * A client that reads a stream of numbered events (data `<sequence>:<anything>`,
 * the sequences counting up by one) as fast as its socket delivers them, and
 * keeps only what it checked: how many arrived in order, the first one out of
 * order, the last id. So hundreds of them can follow a burst of megabytes.
 */
export class SequenceReader {
  /** Events received in order, from `first` on. */
  received = 0;
  /** The first event that broke the order, if one did (`got 12 after 10`). */
  outOfOrder: string | undefined;
  /** Events of another type than the numbered ones (`reset`, say), by type. */
  readonly others: string[] = [];
  /** The id of the last event received. */
  lastEventId = '';
  /** Whether the server ended the stream (or dropped the socket). */
  ended = false;
  private readonly request: http.ClientRequest;
  private carry = '';
  private readonly waits = new EventWaits();

  /**
   * @param first the sequence the first numbered event must carry.
   * @param lastEventId sent as `Last-Event-ID`, to resume.
   */
  constructor(
    url: string,
    private readonly first = 0,
    lastEventId?: string,
  ) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    this.request = http.get(url, { agent: false, headers }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.read(chunk);
        this.waits.notify();
      });
      res.on('end', () => this.end());
      res.on('error', () => this.end());
      res.on('close', () => this.end());
    });
    this.request.on('error', () => this.end());
  }

  private end(): void {
    this.ended = true;
    this.waits.notify();
  }

  /** Opens `count` readers of `url`. */
  static open(url: string, count: number, first = 0): SequenceReader[] {
    return Array.from({ length: count }, () => new SequenceReader(url, first));
  }

  /**
   * Resolves once every reader has either received `count` events in order or
   * broken (its stream ended, or an event came out of order); the test then
   * says which did what, with {@link SequenceReader.incomplete}.
   */
  static async waitForAll(
    readers: readonly SequenceReader[],
    count: number,
    timeoutMs = 20_000,
  ): Promise<void> {
    await Promise.all(
      readers.map((reader) =>
        reader.waits.until(
          () =>
            reader.received >= count ||
            reader.outOfOrder !== undefined ||
            reader.ended,
          () => `${readers.length} readers to receive ${count} events`,
          timeoutMs,
        ),
      ),
    ).catch((err: Error) => {
      const least = Math.min(...readers.map((reader) => reader.received));
      throw new Error(`${err.message} (the least had ${least})`);
    });
  }

  /** How many of `readers` did not receive `count` events in order, and why the first did not. */
  static incomplete(
    readers: readonly SequenceReader[],
    count: number,
  ): { count: number; first?: string } {
    const broken = readers.filter(
      (reader) => reader.received < count || reader.outOfOrder,
    );
    const first = broken[0];
    return first
      ? {
          count: broken.length,
          first: `${first.received} of ${count} events, then ${first.outOfOrder ?? 'its stream ended'}`,
        }
      : { count: 0 };
  }

  close(): void {
    this.request.destroy();
  }

  private read(chunk: string): void {
    const text = this.carry + chunk;
    const cut = text.lastIndexOf('\n\n');
    if (cut < 0) {
      this.carry = text;
      return;
    }
    this.carry = text.slice(cut + 2);
    for (const block of text.slice(0, cut).split('\n\n')) this.event(block);
  }

  private event(block: string): void {
    let type = 'message';
    let data: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('id: ')) this.lastEventId = line.slice(4);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (data === undefined) return; // a comment, or a retry hint
    const sequence = /^\d+:/.test(data)
      ? Number(data.slice(0, data.indexOf(':')))
      : undefined;
    if (sequence === undefined) {
      this.others.push(type);
      return;
    }
    const expected = this.first + this.received;
    if (sequence === expected && !this.outOfOrder) this.received++;
    else
      this.outOfOrder ??= `got ${sequence} where ${expected} was due (after ${this.received})`;
  }
}
