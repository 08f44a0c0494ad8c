import { HttpException, IntrinsicException, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { SseMessage } from '../protocol/sse-message.js';

/**
 * The `error` event that ends a stream whose handler failed after it started,
 * as Nest's `@Sse()` writes it (the message of an `HttpException`,
 * `Internal server error` otherwise), but with the connection's id `id`; the
 * error is logged, unless it is one Nest does not log (`IntrinsicException`).
 */
export function errorFrameOf(error: unknown, id: string): SseMessage {
  if (!(error instanceof IntrinsicException)) {
    new Logger('SseEndpoint').error(
      error instanceof Error ? error.stack : String(error),
    );
  }
  return { type: 'error', id, data: clientMessageOf(error) };
}

/** What the client is told of an error: Nest's `@Sse()` rules. */
function clientMessageOf(error: unknown): string {
  if (error instanceof HttpException) {
    return error.getResponse() instanceof Error
      ? (STATUS_CODES[error.getStatus()] ?? 'Error')
      : error.message;
  }
  return 'Internal server error';
}
