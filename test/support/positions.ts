import type { INestApplication } from '@nestjs/common';
import { ChannelRegistry } from '../../src/sse/channel.registry.js';

/**
 * The application's newest position: what the next event follows. (No public
 * API says it, nor the id format: these two helpers are the suites' one
 * place that reads them from the module's internals.)
 */
export function headPosition(app: INestApplication): number {
  return app.get(ChannelRegistry).head;
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
  return app.get(ChannelRegistry).ids.format(position);
}
