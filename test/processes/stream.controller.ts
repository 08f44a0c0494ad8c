import { Controller } from '@nestjs/common';
import { SseEndpoint, type SseConnection } from '../../src/sse/index.js';

/** The channels a client asks for with `?channels=a,b`. */
export const channelsOf = (connection: SseConnection): string[] =>
  String(connection.request.query?.channels ?? '')
    .split(',')
    .filter(Boolean);

/** The stream clients open: `GET /stream?channels=a,b`, resumable with `Last-Event-ID`. */
@Controller()
export class StreamController {
  // Sends nothing of its own, so every event a client receives is a channel
  // event (or a reset): what the tests count.
  @SseEndpoint('/stream', { channels: channelsOf })
  stream() {}
}
