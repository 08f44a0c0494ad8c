import { Controller } from '@nestjs/common';
import { SseEndpoint, type SseClose, type SseSend } from 'nestjs-sse-channels';

/** The seed document's first example, as a user writes it. */
@Controller()
export class EventsController {
  @SseEndpoint('/events')
  events(send: SseSend, close: SseClose) {
    send({ type: 'connected', data: 'Welcome' });
    for (let i = 0; i < 10; i++) send({ type: 'update', data: `tick ${i}` });
    close();
  }
}
