import { SseError } from './sse.error.js';

/**
 * Thrown for an option that cannot be used: of `SseModule.forRoot()`, of an
 * `@SseEndpoint()` (when the application starts) or of a channel
 * (`channels.channel(name, options)`, the listener of `channel.follow()`). The message names the option, what
 * it got and what it takes.
 * @publicApi
 */
export class SseOptionsError extends SseError {}
