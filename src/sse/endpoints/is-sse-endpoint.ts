import type { ExecutionContext } from '@nestjs/common';
import { SSE_ENDPOINT_METADATA } from '../sse.constants.js';

/**
 * Whether `context` is a request to an `@SseEndpoint()`. An app-wide
 * interceptor that reshapes responses (`map(data => ({ data }))`) or bounds
 * them in time (`timeout()`) would strip the ids and types of SSE events or end
 * quiet streams; such an interceptor should let these requests through:
 *
 * ```ts
 * intercept(context: ExecutionContext, next: CallHandler) {
 *   if (isSseEndpoint(context)) return next.handle();
 *   return next.handle().pipe(map((data) => ({ data })));
 * }
 * ```
 * @publicApi
 */
export function isSseEndpoint(context: ExecutionContext): boolean {
  return Reflect.hasMetadata(SSE_ENDPOINT_METADATA, context.getHandler());
}
