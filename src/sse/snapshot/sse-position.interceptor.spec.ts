import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { ChannelService } from '../channels/channel.service.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';
import { SsePosition } from './sse-position.decorator.js';
import { SsePositionInterceptor } from './sse-position.interceptor.js';

/** A response that keeps its headers, as Express's and Fastify's do. */
class FakeResponse {
  readonly headers = new Map<string, unknown>();
  getHeader(name: string): unknown {
    return this.headers.get(name.toLowerCase());
  }
  setHeader(name: string, value: unknown): void {
    this.headers.set(name.toLowerCase(), value);
  }
}

@SsePosition('orders')
class OrdersController {
  list() {}
  @SsePosition('activity', 'orders')
  both() {}
}

function contextOf(
  handler: () => void,
  response: FakeResponse,
  type = 'http',
): ExecutionContext {
  return {
    getType: () => type,
    getHandler: () => handler,
    getClass: () => OrdersController,
    switchToHttp: () => ({ getResponse: () => response }),
  } as unknown as ExecutionContext;
}

describe('SsePositionInterceptor', () => {
  let channels: ChannelService;
  let interceptor: SsePositionInterceptor;
  const next: CallHandler = { handle: () => of('body') };

  beforeEach(() => {
    channels = new ChannelService(
      new ChannelRegistry(new ResolvedSseOptions({}), new InMemoryTransport()),
    );
    interceptor = new SsePositionInterceptor(channels, new Reflector());
  });

  it('sets the position taken before the handler, from the method or its class', async () => {
    channels.channel('orders').send({ type: 'a', data: 1 });
    const position = channels.position('orders');
    const response = new FakeResponse();
    const body = interceptor.intercept(
      contextOf(OrdersController.prototype.list, response),
      next,
    );
    channels.channel('orders').send({ type: 'a', data: 2 });
    expect(await lastValueFrom(body)).toBe('body');
    expect(response.getHeader('SSE-Position')).toBe(position);
    expect(response.getHeader('SSE-Position')).not.toBe(
      channels.position('orders'),
    );
    expect(response.getHeader('Access-Control-Expose-Headers')).toBe(
      'SSE-Position',
    );
  });

  it('adds itself to the headers a CORS setup exposes, once', () => {
    const response = new FakeResponse();
    response.setHeader('Access-Control-Expose-Headers', ['X-Total', 'ETag']);
    interceptor.intercept(
      contextOf(OrdersController.prototype.both, response),
      next,
    );
    expect(response.getHeader('access-control-expose-headers')).toBe(
      'X-Total, ETag, SSE-Position',
    );
    response.setHeader('Access-Control-Expose-Headers', 'sse-position');
    interceptor.intercept(
      contextOf(OrdersController.prototype.both, response),
      next,
    );
    expect(response.getHeader('access-control-expose-headers')).toBe(
      'sse-position',
    );
  });

  it('leaves other contexts (RPC, WebSocket) alone', () => {
    const response = new FakeResponse();
    interceptor.intercept(
      contextOf(OrdersController.prototype.list, response, 'rpc'),
      next,
    );
    expect(response.headers.size).toBe(0);
  });
});
