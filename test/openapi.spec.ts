import { Controller, Get } from '@nestjs/common';
import { ApiProperty, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import {
  SseEndpoint,
  SseModule,
  type SseEventMapOf,
  type SseSend,
} from '../src/sse/index.js';
import { documentSseEndpoint } from '../src/sse/openapi/sse-openapi.js';

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
}

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

  it('adds nothing to a route when @nestjs/swagger is not installed', () => {
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
  });
});
