import { Injectable } from '@nestjs/common';
import { ChannelService, SseTransportError } from '../../src/sse/index.js';

/** What `POST /send` asks for: `count` events `<prefix>:1` … `<prefix>:<count>` to `channel`. */
export interface SendRequest {
  readonly channel: string;
  /** Names the run (its events' data start with it); one run per prefix at a time. */
  readonly prefix: string;
  readonly count: number;
  /** Sends spread evenly at this rate; all at once when absent. */
  readonly ratePerSecond?: number;
}

/** What happened to the sends of a run, by sequence number (1-based). */
export interface SendReport {
  readonly channel: string;
  readonly prefix: string;
  /** Sends made so far, accepted or refused. */
  attempted: number;
  /** Sequence numbers of the sends that `send()` returned from: each must reach every subscriber. */
  readonly accepted: number[];
  /** Sequence numbers of the sends refused with an `SseTransportError`. */
  readonly refused: number[];
  /** The distinct messages of those refusals. */
  readonly refusals: string[];
  /** Whether the run was stopped before `count`. */
  stopped: boolean;
}

/** The event data of a send: what clients receive, and how tests tell sends apart. */
export const sendData = (prefix: string, sequence: number) =>
  `${prefix}:${sequence}`;

interface Run {
  readonly report: SendReport;
  done: boolean;
  stop(): void;
}

/**
 * Sends from this node to a channel, possibly for seconds at a steady rate, so
 * a test can break Redis while they go on. `channel.send()` is called just as
 * an application would, and each send is recorded as accepted or refused.
 */
@Injectable()
export class PacedSends {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly channels: ChannelService) {}

  /** Runs the sends; resolves when all were made, or the run was stopped. */
  run(request: SendRequest): Promise<SendReport> {
    if (this.runs.get(request.prefix)?.done === false)
      throw new Error(`a run with prefix "${request.prefix}" is under way`);
    const report: SendReport = {
      channel: request.channel,
      prefix: request.prefix,
      attempted: 0,
      accepted: [],
      refused: [],
      refusals: [],
      stopped: false,
    };
    const channel = this.channels.channel(request.channel);
    const sendNext = () => {
      const sequence = ++report.attempted;
      try {
        channel.send({ data: sendData(request.prefix, sequence) });
        report.accepted.push(sequence);
      } catch (error) {
        if (!(error instanceof SseTransportError)) throw error;
        report.refused.push(sequence);
        if (!report.refusals.includes(error.message))
          report.refusals.push(error.message);
      }
    };
    return new Promise<SendReport>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const run: Run = {
        report,
        done: false,
        stop: () => {
          if (run.done) return;
          report.stopped = true;
          finish();
        },
      };
      const finish = () => {
        run.done = true;
        clearTimeout(timer);
        resolve(report);
      };
      this.runs.set(request.prefix, run);
      const rate = request.ratePerSecond;
      if (rate === undefined) {
        try {
          while (report.attempted < request.count) sendNext();
        } catch (error) {
          run.done = true;
          return reject(error);
        }
        return finish();
      }
      const started = Date.now();
      // Each tick makes the sends that are due by now, so the rate holds even
      // when timers fire late on a busy machine.
      const tick = () => {
        if (run.done) return;
        const due = Math.min(
          request.count,
          Math.floor(((Date.now() - started) * rate) / 1000) + 1,
        );
        try {
          while (report.attempted < due) sendNext();
        } catch (error) {
          run.done = true;
          return reject(error);
        }
        if (report.attempted >= request.count) return finish();
        timer = setTimeout(tick, Math.max(1, Math.floor(1000 / rate)));
      };
      tick();
    });
  }

  /** The report of a run so far, or `undefined` for a prefix never run. */
  progress(prefix: string): SendReport | undefined {
    return this.runs.get(prefix)?.report;
  }

  /** Stops a run early; its `run()` then resolves with what was sent. */
  stop(prefix: string): SendReport | undefined {
    const run = this.runs.get(prefix);
    run?.stop();
    return run?.report;
  }
}
