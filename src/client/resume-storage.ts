/**
 * Where a stream keeps its last event id across page loads: `sessionStorage`
 * by default, or anything with its `getItem` and `setItem`.
 * @publicApi
 */
export interface SseResumeStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The page's `sessionStorage`, or none (Node; a sandboxed page, where reading it throws). */
export function defaultResumeStorage(): SseResumeStorage | undefined {
  try {
    return (globalThis as { sessionStorage?: SseResumeStorage }).sessionStorage;
  } catch {
    return undefined;
  }
}

/** The key a stream of `url` keeps its last event id under, unless named. */
export function resumeKeyOf(url: string): string {
  return `sse-last-event-id:${url}`;
}
