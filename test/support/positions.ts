import type { INestApplication } from '@nestjs/common';
import { ChannelRegistry } from '../../src/sse/channel.registry.js';

/**
 * The event ids an application writes: `<epoch>-<position>`. For exact wire
 * text, `idAt(app)` is the id of every event a connection opened now writes
 * before any channel event reaches it.
 */
export function idAt(
  app: INestApplication,
  position = app.get(ChannelRegistry).head,
): string {
  return app.get(ChannelRegistry).ids.format(position);
}
