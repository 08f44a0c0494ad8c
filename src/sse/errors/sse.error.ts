/**
 * Base class of every error this module throws, so an app can tell them apart
 * with `instanceof SseError`.
 * @publicApi
 */
export class SseError extends Error {
  constructor(message: string) {
    super(`[nestjs-sse-channels] ${message}`);
    this.name = new.target.name;
  }
}
