import type { SseMessage } from './sse-message.js';

/**
 * A comment line (`: heartbeat`): it keeps proxies from closing a quiet stream,
 * and EventSource ignores it. Nest gives comment-only messages no id.
 */
export const HEARTBEAT_MESSAGE: SseMessage = Object.freeze({
  comment: 'heartbeat',
});
