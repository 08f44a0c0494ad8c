import { Controller } from '@nestjs/common';
import { SseEndpoint, type SseClose, type SseSend } from '../src/sse/index.js';

/** The seed's first example: a stream that sends eleven events, then ends. */
@Controller()
export class EventsController {
  @SseEndpoint('/events')
  events(send: SseSend, close: SseClose) {
    send({ type: 'connected', data: 'Welcome' });
    for (let i = 0; i < 10; i++) send({ type: 'update', data: `tick ${i}` });
    close();
  }
}
