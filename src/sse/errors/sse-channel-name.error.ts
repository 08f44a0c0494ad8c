import { SseEventError } from './sse-event.error.js';

/**
 * Thrown for a channel name that is empty, longer than 200 characters or that
 * contains control characters. It is an {@link SseEventError} with
 * `field === 'channel'`, so one `catch` handles every refused input.
 * @publicApi
 */
export class SseChannelNameError extends SseEventError {
  constructor(message: string) {
    super('channel', message);
  }
}
