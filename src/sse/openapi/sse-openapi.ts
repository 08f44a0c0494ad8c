import { installedSwagger, type Swagger } from './installed-swagger.js';
import type { SseEventSchema, SseEventSchemas } from './sse-event-schema.js';

const PRIMITIVES = new Map<unknown, string>([
  [String, 'string'],
  [Number, 'number'],
  [Boolean, 'boolean'],
  [Object, 'object'],
]);

/**
 * Documents an SSE route for `@nestjs/swagger`: a `200` response of type
 * `text/event-stream` whose schema lists each event type with its payload.
 * Does nothing when `@nestjs/swagger` is not installed. Where it can only be
 * imported asynchronously (jest), the metadata is written once it is: a
 * document is generated from a created application, which is later.
 */
export function documentSseEndpoint(
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  events: SseEventSchemas | undefined,
  swagger: Swagger | null | Promise<Swagger | null> = installedSwagger(),
): void {
  if (swagger instanceof Promise) {
    void swagger.then((loaded) =>
      documentSseEndpoint(target, key, descriptor, events, loaded),
    );
    return;
  }
  if (!swagger) return;
  const entries = Object.entries(events ?? {});
  const models = entries.map(([, schema]) => schema).filter(isModel);
  const eventSchemas = entries.map(([type, payload]) => ({
    type: 'object',
    title: type,
    required: ['event', 'id', 'data'],
    properties: {
      event: { type: 'string', enum: [type] },
      id: {
        type: 'string',
        description:
          'Position of the event; sent back as Last-Event-ID to resume.',
      },
      data: {
        ...payloadSchema(payload, swagger),
        description: 'JSON text on the wire, unless a string.',
      },
    },
  }));
  const schema =
    eventSchemas.length > 0
      ? { oneOf: eventSchemas }
      : { type: 'string', description: 'Events of any type.' };
  const listed =
    entries.length > 0
      ? ` Events: ${entries.map(([type]) => type).join(', ')}.`
      : '';
  swagger.ApiProduces('text/event-stream')(target, key, descriptor);
  if (models.length > 0)
    swagger.ApiExtraModels(...models)(target, key, descriptor);
  swagger.ApiOkResponse({
    description: `A stream of Server-Sent Events (text/event-stream), for an EventSource.${listed}`,
    content: { 'text/event-stream': { schema } },
  })(target, key, descriptor);
}

function isModel(
  schema: SseEventSchema,
): schema is new (...args: any[]) => unknown {
  return typeof schema === 'function' && !PRIMITIVES.has(schema);
}

function payloadSchema(
  schema: SseEventSchema,
  swagger: Swagger,
): Record<string, unknown> {
  const primitive = PRIMITIVES.get(schema);
  if (primitive) return { type: primitive };
  if (isModel(schema)) return { $ref: swagger.getSchemaPath(schema) };
  return { ...(schema as Record<string, unknown>) };
}
