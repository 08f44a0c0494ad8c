import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { SseChannelDefinition } from '../channels/channel-definition.js';
import { assertChannelName } from '../channels/channel-name.js';
import { SseChannelNameError } from '../errors/sse-channel-name.error.js';
import type { SseEventMap } from '../sse-event-map.js';
import { SSE_POSITION_METADATA } from '../sse.constants.js';
import { MESSAGES } from '../sse.messages.js';
import { documentSsePosition } from '../openapi/sse-position-openapi.js';
import { SsePositionInterceptor } from './sse-position.interceptor.js';

/**
 * Puts the id of "now" for `channels` on the route's response, in the
 * `SSE-Position` header ({@link SSE_POSITION_HEADER}, exposed to other
 * origins), so that a page loads its state and the position in one response
 * and opens its stream from there (`?lastEventId=<position>`):
 *
 * ```ts
 * @Get('/api/posts')
 * @SsePosition('activity')
 * list(): Post[] {
 *   return this.posts.list();
 * }
 * ```
 *
 * The position is taken just before the handler runs, so it is never newer
 * than the state the handler reads: no event after the snapshot is lost. An
 * event whose state the handler reads is sent again on the stream only if it
 * was sent while the handler waited for I/O, or, with Redis, if the handler
 * reads a shared store that has it before this instance delivered it: serve
 * state built with `channel.follow()` instead (see "Loading a page: the
 * snapshot pattern" in docs/delivery-guarantees.md). Throws an
 * `SseChannelNameError`, when the class is declared, for no channel or an
 * ill-formed name. With `@nestjs/swagger`, the route's success responses
 * document the header.
 * @publicApi
 */
export function SsePosition(
  ...channels: [
    string | SseChannelDefinition<SseEventMap>,
    ...Array<string | SseChannelDefinition<SseEventMap>>,
  ]
): MethodDecorator & ClassDecorator {
  if (channels.length === 0)
    throw new SseChannelNameError(MESSAGES.positionWithoutChannel);
  const names = channels.map((channel) =>
    typeof channel === 'object' && channel !== null ? channel.name : channel,
  );
  names.forEach((name) => assertChannelName(name));
  return applyDecorators(
    SetMetadata(SSE_POSITION_METADATA, names),
    UseInterceptors(SsePositionInterceptor),
    documentSsePosition,
  );
}
