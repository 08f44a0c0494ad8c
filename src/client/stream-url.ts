/**
 * `url` with `lastEventId` as a query parameter, which the server reads when
 * no `Last-Event-ID` header came: EventSource cannot set that header on its
 * first request.
 */
export function withLastEventId(url: string, id: string | undefined): string {
  if (!id) return url;
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}lastEventId=${encodeURIComponent(id)}`;
}
