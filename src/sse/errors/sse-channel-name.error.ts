import { SseEventError } from './sse-event.error.js';

/**
 * Thrown for a channel name that is empty, longer than 200 characters, that
 * contains control characters, or that is not well-formed UTF-16 (a lone
 * surrogate), and by `channels.position()` and `@SsePosition()` when given
 * no channel at all. It is an {@link SseEventError} with
 * `field === 'channel'`, so one `catch` handles every refused input.
 * @publicApi
 */
export class SseChannelNameError extends SseEventError {
  constructor(message: string) {
    super('channel', message);
  }
}
