import { SseError } from './sse.error.js';

/**
 * Thrown by `send()` and `channel.send()` for an event that cannot be written
 * as it is. Nothing of the event reached any client.
 * @publicApi
 */
export class SseEventError extends SseError {
  /**
   * @param field the field of the event that was wrong (`type`, `id`, `data`,
   * `retry`), `event` for the event as a whole, or `channel` for a channel name.
   */
  constructor(
    readonly field: 'event' | 'type' | 'id' | 'data' | 'retry' | 'channel',
    message: string,
  ) {
    super(message);
  }
}
