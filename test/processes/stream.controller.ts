import { Controller } from '@nestjs/common';
import { SseEndpoint, type SseConnection } from '../../src/sse/index.js';

const channelsOf = (connection: SseConnection) =>
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
