import type { Type } from '@nestjs/common';

/**
 * What an event's payload looks like, for the OpenAPI document: a class (a
 * DTO with `@ApiProperty()`s), `String`, `Number`, `Boolean` or `Object`, or an
 * OpenAPI schema object (`{ type: 'array', items: { type: 'string' } }`).
 * @publicApi
 */
export type SseEventSchema =
  | Type<unknown>
  | StringConstructor
  | NumberConstructor
  | BooleanConstructor
  | ObjectConstructor
  | { readonly [keyword: string]: unknown };

/**
 * The events of an endpoint for its OpenAPI document, by type:
 * `{ new_order: OrderDto, connected: String }`.
 * @publicApi
 */
export type SseEventSchemas = { readonly [type: string]: SseEventSchema };

type PayloadOf<S> = S extends StringConstructor
  ? string
  : S extends NumberConstructor
    ? number
    : S extends BooleanConstructor
      ? boolean
      : S extends ObjectConstructor
        ? object
        : S extends abstract new (...args: any[]) => infer Instance
          ? Instance
          : unknown;

/**
 * The event map that an `events` option describes, so one declaration both
 * documents the endpoint and types its `send`:
 *
 * ```ts
 * const ORDER_EVENTS = { new_order: OrderDto, connected: String };
 * @SseEndpoint('/order-updates', { events: ORDER_EVENTS })
 * orderUpdates(send: SseSend<SseEventMapOf<typeof ORDER_EVENTS>>) { ... }
 * ```
 * @publicApi
 */
export type SseEventMapOf<T extends SseEventSchemas> = {
  [K in keyof T]: PayloadOf<T[K]>;
};
