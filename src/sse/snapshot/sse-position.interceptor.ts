import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { ChannelService } from '../channels/channel.service.js';
import {
  SSE_POSITION_HEADER,
  SSE_POSITION_METADATA,
} from '../sse.constants.js';

/** What Express's and Fastify's responses both have. */
interface HeaderWriter {
  getHeader(name: string): unknown;
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
}

/**
 * Sets the `SSE-Position` header of an `@SsePosition()` route, before its
 * handler runs (see {@link SsePosition} for why then).
 */
@Injectable()
export class SsePositionInterceptor implements NestInterceptor {
  constructor(
    private readonly channels: ChannelService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const names = this.reflector.getAllAndOverride<
      Parameters<ChannelService['position']>
    >(SSE_POSITION_METADATA, [context.getHandler(), context.getClass()]);
    const response = context.switchToHttp().getResponse<HeaderWriter>();
    // Read now, synchronously: the handler has not read its state yet.
    setHeader(response, SSE_POSITION_HEADER, this.channels.position(...names));
    setHeader(response, 'Access-Control-Expose-Headers', exposing(response));
    return next.handle();
  }
}

/** `Access-Control-Expose-Headers` with `SSE-Position` added to what is there (a CORS middleware's list, say). */
function exposing(response: HeaderWriter): string {
  const current = response.getHeader('access-control-expose-headers');
  const listed = (
    Array.isArray(current) ? current.join(',') : String(current ?? '')
  )
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const lower = SSE_POSITION_HEADER.toLowerCase();
  if (!listed.some((name) => name.toLowerCase() === lower))
    listed.push(SSE_POSITION_HEADER);
  return listed.join(', ');
}

function setHeader(response: HeaderWriter, name: string, value: string): void {
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}
