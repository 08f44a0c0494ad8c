/**
 * An event ready for Nest's `@Sse()` pipeline: validated, with `data` already a
 * string, so Nest neither copies nor re-encodes it. One object is shared by
 * every connection a channel event goes to.
 */
export interface SseMessage {
  readonly type?: string;
  readonly id?: string;
  readonly retry?: number;
  readonly data?: string;
  readonly comment?: string;
}
