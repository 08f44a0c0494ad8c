import { decodeUtf8Header } from '../protocol/utf8-header.js';

/** The request's parts a connection is opened from. */
export interface ConnectionRequest {
  /** The request as the handler sees it (`@Req()`). */
  readonly request: any;
  /** The response, as `@Res()` gives it. */
  readonly response: any;
}

/**
 * `Last-Event-ID` from the header, or from the `lastEventId` query parameter for clients that cannot set headers.
 * The header wins when both come: an EventSource keeps the URL it was made with, so a page that started from
 * `?lastEventId=` sends that stale id again on every reconnection, beside the header with the newest one.
 */
export function readLastEventId(request: any): string | undefined {
  const header = request?.headers?.['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (typeof fromHeader === 'string') return decodeUtf8Header(fromHeader);
  // Express parses the query string anew each time `query` is read: a URL
  // without one has no `lastEventId` to parse for.
  const url: unknown = request?.url;
  if (typeof url === 'string' && !url.includes('?')) return undefined;
  const query = request?.query?.lastEventId;
  const fromQuery = Array.isArray(query) ? query[0] : query;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/**
 * Names a connection in a log line by its path and id. Never its query: pages
 * that cannot set headers put tokens there (`/events?token=...`).
 */
export function describeConnection(request: any, id: string): string {
  const url = request?.originalUrl ?? request?.url ?? '';
  const path = url.split('?', 1)[0];
  return `${path} (connection ${id})`;
}
