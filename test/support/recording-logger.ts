import type { LoggerService } from '@nestjs/common';

/** One line a {@link RecordingLogger} was given. */
export interface LoggedLine {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  readonly message: string;
}

/**
 * A Nest logger that keeps what it is given, for a test to assert on what the
 * module logged: `startApp(module, adapter, (app) => app.useLogger(logger))`.
 */
export class RecordingLogger implements LoggerService {
  readonly lines: LoggedLine[] = [];

  log(message: unknown): void {
    this.record('log', message);
  }
  error(message: unknown): void {
    this.record('error', message);
  }
  warn(message: unknown): void {
    this.record('warn', message);
  }
  debug(message: unknown): void {
    this.record('debug', message);
  }
  verbose(message: unknown): void {
    this.record('verbose', message);
  }
  fatal(message: unknown): void {
    this.record('fatal', message);
  }

  /** The messages logged at `level`. */
  at(level: LoggedLine['level']): string[] {
    return this.lines
      .filter((line) => line.level === level)
      .map((line) => line.message);
  }

  private record(level: LoggedLine['level'], message: unknown): void {
    this.lines.push({ level, message: String(message) });
  }
}
