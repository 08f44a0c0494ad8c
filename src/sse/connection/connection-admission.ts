import { formatSseFrame } from '../protocol/sse-frame.js';
import type { ResolvedSseOptions } from '../resolved-sse-options.js';
import { MESSAGES } from '../sse.messages.js';
import { clientKeyDigest } from './client-key-digest.js';
import type { ConnectionCensus } from './connection-census.js';

/**
 * Why a connection is refused: `reason` is told to the client and logged; it
 * never holds the client's key, only the log gets its digest (`client`).
 */
export interface Refusal {
  readonly reason: string;
  readonly client?: string;
}

/**
 * Whether one more connection from the client with key `clientKey` may open:
 * `undefined` if so, else why not (the application is shutting down, or
 * `maxConnections` or `maxConnectionsPerClient` streams are open).
 */
export function admissionRefusal(
  options: Pick<
    ResolvedSseOptions,
    'maxConnections' | 'maxConnectionsPerClient'
  >,
  census: Pick<ConnectionCensus<object>, 'size' | 'countOf'>,
  clientKey: () => string,
  shuttingDown: boolean,
): Refusal | undefined {
  if (shuttingDown) return { reason: MESSAGES.refusedShuttingDown() };
  if (census.size >= options.maxConnections) {
    return { reason: MESSAGES.refusedMaxConnections(options.maxConnections) };
  }
  if (options.maxConnectionsPerClient === Infinity) return undefined;
  const key = clientKey();
  if (census.countOf(key) < options.maxConnectionsPerClient) return undefined;
  return {
    reason: MESSAGES.refusedMaxConnectionsPerClient(
      options.maxConnectionsPerClient,
    ),
    client: clientKeyDigest(key),
  };
}

/** The response of a refused connection, as far as refusing needs it. */
export interface RefusedResponse {
  /** The request answered: its HTTP version says whether `Connection` may be sent. */
  readonly req?: { readonly httpVersionMajor?: number };
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(text: string): unknown;
}

/**
 * Answers a refused connection with an SSE stream that only says when to
 * come back (`retry:`, with the reason as a comment), and ends. A 429 or 503
 * would make EventSource give up for good; a stream that ends makes it
 * reconnect after the `retry:` delay.
 */
export function writeRefusal(
  response: RefusedResponse,
  reason: string,
  retryMs: number,
): void {
  const http2 = (response.req?.httpVersionMajor ?? 1) > 1;
  response.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control':
      'private, no-cache, no-store, must-revalidate, max-age=0, no-transform',
    // A hop-by-hop header, forbidden in HTTP/2 (RFC 9113, section 8.2.2):
    // Node drops it there with a warning.
    ...(!http2 && { Connection: 'close' }),
  });
  // One comment line: a line break in the reason would start another.
  const comment = reason.replace(/[\r\n]/g, ' ');
  response.end(formatSseFrame({ retry: retryMs, comment }));
}
