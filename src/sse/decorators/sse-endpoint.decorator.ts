import { Req, Res, Sse, UseGuards } from '@nestjs/common';
import {
  PARAMTYPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { documentSseEndpoint } from '../openapi/sse-openapi.js';
import type { SseEndpointOptions } from '../endpoints/sse-endpoint-options.interface.js';
import { maxPendingDataLengthOf } from '../endpoints/resolved-endpoint-options.js';
import {
  createSseRoute,
  type SseRoutePlan,
} from '../endpoints/sse-endpoint.handler.js';
import { SseModulePresentGuard } from '../endpoints/sse-module-present.guard.js';
import {
  SSE_ENDPOINT_METADATA,
  SSE_PARAMS_METADATA,
} from '../sse.constants.js';
import type { SseParam } from './sse-params.decorator.js';

/**
 * Turns a controller method into a Server-Sent Events endpoint on `GET path`.
 *
 * Without parameter decorators, the handler is called as
 * `(send, close, connection)`. With them (`@Param()`, `@Req()`, `@Query()`...),
 * it gets `send`, `close` and the connection through `@SseSend()`,
 * `@SseClose()` and `@SseConnection()`. Guards, pipes and interceptors apply as
 * on any route; the stream is written by Nest's own `@Sse()` pipeline.
 *
 * ```ts
 * @SseEndpoint('/order-updates', { channels: ['orders'] })
 * orderUpdates(send: SseSend) {
 *   send({ type: 'connected', data: 'Listening for order updates' });
 * }
 * ```
 * @publicApi
 */
export function SseEndpoint(
  path?: string,
  options: SseEndpointOptions = {},
): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const handler = descriptor.value as (...args: any[]) => unknown;
    const controller = target.constructor;
    const endpoint = `${controller.name}.${String(key)}`;
    // Parameter decorators run before method decorators, so every one the
    // method has is known here.
    const params: SseParam[] | undefined = Reflect.getMetadata(
      SSE_PARAMS_METADATA,
      controller,
      key,
    );
    const routeArgs =
      Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key) ?? {};
    const seedStyle = !params && Object.keys(routeArgs).length === 0;
    // The route also needs the request and the response: they go after every
    // argument the handler declares.
    const paramtypes: unknown[] =
      Reflect.getMetadata(PARAMTYPES_METADATA, target, key) ?? [];
    const indexes = [
      ...Object.values(routeArgs).map(
        (arg) => (arg as { index: number }).index,
      ),
      ...(params ?? []).map((param) => param.index),
    ];
    const requestIndex = Math.max(
      handler.length,
      paramtypes.length,
      ...indexes.map((index) => index + 1),
    );
    Req()(target, key, requestIndex);
    // `passthrough` leaves the response to Nest, as without `@Res()`.
    Res({ passthrough: true })(target, key, requestIndex + 1);

    const plan: SseRoutePlan = {
      endpoint,
      options,
      params: seedStyle ? undefined : (params ?? []),
      requestIndex,
    };
    const route = createSseRoute(handler, plan);
    Object.defineProperty(route, 'name', { value: handler.name });
    // Decorators applied before this one (below it) wrote their metadata
    // (guards, interceptors, headers...) on the handler; Nest reads it from the route.
    for (const metadataKey of Reflect.getMetadataKeys(handler)) {
      Reflect.defineMetadata(
        metadataKey,
        Reflect.getMetadata(metadataKey, handler),
        route,
      );
    }
    // Read by SseEndpointExplorer, which resolves the options at startup.
    Reflect.defineMetadata(SSE_ENDPOINT_METADATA, plan, route);
    descriptor.value = route;
    // Fails the application's start, not its first request, without SseModule.
    UseGuards(SseModulePresentGuard)(target, key, descriptor);
    documentSseEndpoint(target, key, descriptor, options.events);
    return Sse(path, { maxPendingDataLength: maxPendingDataLengthOf(options) })(
      target,
      key,
      descriptor,
    );
  };
}
