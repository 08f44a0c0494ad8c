import { HttpStatus, RequestMethod } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
} from '@nestjs/common/constants.js';
import { SSE_POSITION_HEADER } from '../sse.constants.js';
import { installedSwagger, type Swagger } from './installed-swagger.js';

/** The header as an OpenAPI response header object. */
const POSITION_HEADER = {
  description:
    'The id of the newest event at the time the state was read: open the stream from it (Last-Event-ID, or ?lastEventId=) to get every event after this state, once.',
  schema: { type: 'string' },
};

type Responses = Record<
  string,
  { description?: string; headers?: Record<string, unknown> }
>;

/**
 * Documents the `SSE-Position` header of a route with `@SsePosition()` for
 * `@nestjs/swagger`, on its success responses (those its `@ApiResponse()`s
 * declare, or the one Nest answers: 201 for a POST, 200 otherwise, or its
 * `@HttpCode()`). Done once the class is declared, as the route's other
 * decorators (above this one) are applied after it. Does nothing without
 * `@nestjs/swagger`, or on a class.
 */
export function documentSsePosition(
  target: object,
  key: string | symbol | undefined,
  descriptor: PropertyDescriptor | undefined,
  swagger: Swagger | null | Promise<Swagger | null> = installedSwagger(),
): void {
  const route: unknown = descriptor?.value;
  if (typeof route !== 'function') return;
  // A settled promise runs after the class declaration has applied every decorator.
  void Promise.resolve(swagger).then((loaded) => {
    if (!loaded) return;
    const metadataKey = loaded.DECORATORS.API_RESPONSE;
    const responses: Responses = {
      ...(Reflect.getMetadata(metadataKey, route) as Responses | undefined),
    };
    let successes = Object.keys(responses).filter((status) =>
      /^2\d\d$/.test(status),
    );
    if (successes.length === 0) {
      const status = String(statusOf(route));
      responses[status] = { description: '', ...responses[status] };
      successes = [status];
    }
    for (const status of successes)
      responses[status] = {
        ...responses[status],
        headers: {
          ...responses[status].headers,
          [SSE_POSITION_HEADER]: POSITION_HEADER,
        },
      };
    Reflect.defineMetadata(metadataKey, responses, route);
  });
}

/** The status Nest answers the route with, as the swagger explorer works it out. */
function statusOf(route: object): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, route) as
    number | undefined;
  if (code) return code;
  return Reflect.getMetadata(METHOD_METADATA, route) === RequestMethod.POST
    ? HttpStatus.CREATED
    : HttpStatus.OK;
}
