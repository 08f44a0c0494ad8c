import type { INestApplication } from '@nestjs/common';
import { formatEventId, SseTransport } from '../../src/sse/index.js';

/** The application's newest position (its transport's): what the next event follows. */
export function headPosition(app: INestApplication): number {
  return app.get(SseTransport).head;
}

/**
 * The event ids an application writes: `<epoch>-<position>`. For exact wire
 * text, `idAt(app)` is the id of every event a connection opened now writes
 * before any channel event reaches it.
 */
export function idAt(
  app: INestApplication,
  position = headPosition(app),
): string {
  return formatEventId(app.get(SseTransport).epoch, position);
}
