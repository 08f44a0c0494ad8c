import type { SseConnection as SseConnectionShape } from '../connection/sse-connection.js';
import type { SseEventMap, SseEventOf } from '../sse-event-map.js';
import { SSE_PARAMS_METADATA } from '../sse.constants.js';

/** Which handler argument `@SseEndpoint()` fills in, and with what. */
export interface SseParam {
  readonly index: number;
  readonly kind: 'send' | 'close' | 'connection';
}

/**
 * The `send` function of a connection: see {@link SseConnectionShape.send}.
 * `SseSend<OrderEvents>` accepts only the events of that map.
 * @publicApi
 */
export type SseSend<TEvents extends SseEventMap = never> = (
  event: SseEventOf<TEvents>,
) => boolean;
/** The `close` function of a connection: see {@link SseConnectionShape.close}. @publicApi */
export type SseClose = SseConnectionShape['close'];
/** One client's open stream. @publicApi */
export type SseConnection<
  TRequest = any,
  TEvents extends SseEventMap = never,
> = SseConnectionShape<TRequest, TEvents>;

function sseParam(kind: SseParam['kind']): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) return;
    const params: SseParam[] =
      Reflect.getMetadata(SSE_PARAMS_METADATA, target.constructor, key) ?? [];
    Reflect.defineMetadata(
      SSE_PARAMS_METADATA,
      [...params, { index, kind }],
      target.constructor,
      key,
    );
  };
}

/**
 * Injects the connection's `send` function into an `@SseEndpoint()` handler
 * that also uses other parameter decorators.
 * @publicApi
 */
export function SseSend(): ParameterDecorator {
  return sseParam('send');
}

/**
 * Injects the connection's `close` function into an `@SseEndpoint()` handler
 * that also uses other parameter decorators.
 * @publicApi
 */
export function SseClose(): ParameterDecorator {
  return sseParam('close');
}

/**
 * Injects the {@link SseConnection} into an `@SseEndpoint()` handler that also
 * uses other parameter decorators.
 * @publicApi
 */
export function SseConnection(): ParameterDecorator {
  return sseParam('connection');
}
