import { SseError } from './sse.error.js';
import { MESSAGES } from '../sse.messages.js';

/**
 * Thrown when an `@SseEndpoint()` is called in an application that does not
 * import `SseModule`.
 * @publicApi
 */
export class SseModuleMissingError extends SseError {
  constructor(endpoint: string) {
    super(MESSAGES.moduleNotImported(endpoint));
  }
}
