import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiProperty,
  DocumentBuilder,
  SwaggerModule,
} from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import {
  SseEndpoint,
  SseModule,
  SsePosition,
  type SseEventMapOf,
  type SseSend,
} from '../src/sse/index.js';
import { documentSseEndpoint } from '../src/sse/openapi/sse-openapi.js';
import { documentSsePosition } from '../src/sse/openapi/sse-position-openapi.js';

class OrderDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'coffee' }) item!: string;
}

const ORDER_EVENTS = {
  new_order: OrderDto,
  connected: String,
  tags: { type: 'array', items: { type: 'string' } },
};

@Controller()
class DocumentedController {
  @SseEndpoint('/order-updates', { channels: ['orders'], events: ORDER_EVENTS })
  orderUpdates(send: SseSend<SseEventMapOf<typeof ORDER_EVENTS>>) {
    send({ type: 'connected', data: 'Listening for order updates' });
  }

  @SseEndpoint('/anything')
  anything(send: SseSend) {
    send({ data: 'x' });
  }

  @Get('/api/orders')
  list(): OrderDto[] {
    return [];
  }

  @Get('/api/posts')
  @SsePosition('activity')
  posts(): string[] {
    return [];
  }

  @Get('/api/typed-orders')
  @SsePosition('orders')
  @ApiOkResponse({ type: OrderDto, isArray: true, description: 'The orders.' })
  typedOrders(): OrderDto[] {
    return [];
  }

  @ApiOkResponse({ type: OrderDto, isArray: true, description: 'The orders.' })
  @Get('/api/typed-orders-above')
  @SsePosition('orders')
  typedOrdersAbove(): OrderDto[] {
    return [];
  }

  @Post('/api/orders-created')
  @SsePosition('orders')
  created(): OrderDto[] {
    return [];
  }

  @Post('/api/orders-searched')
  @HttpCode(200)
  @SsePosition('orders')
  searched(): OrderDto[] {
    return [];
  }
}

const POSITION_HEADER = {
  'SSE-Position': {
    description: expect.stringContaining('newest event'),
    schema: { type: 'string' },
  },
};

describe('OpenAPI: SSE endpoints in the @nestjs/swagger document', () => {
  let document: ReturnType<typeof SwaggerModule.createDocument>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule],
      controllers: [DocumentedController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('test').build(),
    );
    await app.close();
  });

  it('documents an endpoint as a text/event-stream response listing each event type and its payload schema', () => {
    const operation = document.paths['/order-updates'].get!;
    const response = operation.responses['200'] as {
      description: string;
      content: Record<string, { schema: any }>;
    };
    expect(Object.keys(response.content)).toEqual(['text/event-stream']);
    expect(response.description).toContain(
      'Events: new_order, connected, tags.',
    );
    const events = response.content['text/event-stream'].schema.oneOf;
    expect(
      events.map((event: any) => [
        event.title,
        event.properties.event.enum,
        event.properties.data,
      ]),
    ).toEqual([
      [
        'new_order',
        ['new_order'],
        expect.objectContaining({ $ref: '#/components/schemas/OrderDto' }),
      ],
      ['connected', ['connected'], expect.objectContaining({ type: 'string' })],
      [
        'tags',
        ['tags'],
        expect.objectContaining({ type: 'array', items: { type: 'string' } }),
      ],
    ]);
    expect(document.components!.schemas!.OrderDto).toMatchObject({
      type: 'object',
      properties: {
        id: { type: 'number' },
        item: { type: 'string', example: 'coffee' },
      },
    });
    // The request and response the module injects are not parameters of the operation.
    expect(operation.parameters).toEqual([]);
  });

  it('documents an endpoint without events as a stream of events of any type', () => {
    const response = document.paths['/anything'].get!.responses['200'] as {
      content: Record<string, { schema: any }>;
    };
    expect(response.content['text/event-stream'].schema).toEqual({
      type: 'string',
      description: 'Events of any type.',
    });
  });

  it('leaves ordinary routes alone', () => {
    expect(JSON.stringify(document.paths['/api/orders'])).not.toContain(
      'event-stream',
    );
  });

  it('documents the SSE-Position header of a route with @SsePosition() on the response it answers', () => {
    const responses = (path: string, method: 'get' | 'post' = 'get') =>
      document.paths[path][method]!.responses as Record<string, any>;
    expect(responses('/api/posts')).toEqual({
      '200': { description: '', headers: POSITION_HEADER },
    });
    // Beside an @ApiOkResponse() applied before it or after it, whose type stays.
    for (const path of ['/api/typed-orders', '/api/typed-orders-above']) {
      const ok = responses(path)['200'];
      expect(ok.headers).toEqual(POSITION_HEADER);
      expect(ok.description).toBe('The orders.');
      expect(ok.content['application/json'].schema).toEqual({
        type: 'array',
        items: { $ref: '#/components/schemas/OrderDto' },
      });
    }
    expect(responses('/api/orders-created', 'post')).toEqual({
      '201': { description: '', headers: POSITION_HEADER },
    });
    expect(responses('/api/orders-searched', 'post')).toEqual({
      '200': { description: '', headers: POSITION_HEADER },
    });
    expect(responses('/api/orders')['200'].headers).toBeUndefined();
  });

  it('adds nothing to a route when @nestjs/swagger is not installed', async () => {
    const route = () => undefined;
    const descriptor = { value: route };
    documentSseEndpoint(
      DocumentedController.prototype,
      'x',
      descriptor,
      ORDER_EVENTS,
      null,
    );
    expect(Reflect.getMetadataKeys(route)).toEqual([]);
    documentSsePosition(DocumentedController.prototype, 'x', descriptor, null);
    await Promise.resolve();
    expect(Reflect.getMetadataKeys(route)).toEqual([]);
  });
});
