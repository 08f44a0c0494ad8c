/**
 * A misuse of `nestjs-sse-channels/client`; its message says how to fix it.
 * @publicApi
 */
export class SseClientError extends Error {
  constructor(message: string) {
    super(`nestjs-sse-channels/client: ${message}`);
    this.name = 'SseClientError';
  }
}
