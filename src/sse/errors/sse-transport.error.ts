import { SseError } from './sse.error.js';

/**
 * Thrown by `channel.send()` when the transport cannot take the event (the
 * broker has been unreachable long enough for its queue of sends to fill up),
 * and by `channel.countAll()` when the broker cannot be asked. A refused send
 * was not kept anywhere: nobody receives it.
 * @publicApi
 */
export class SseTransportError extends SseError {}
