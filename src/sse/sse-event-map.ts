import type { SseEvent } from './sse-event.interface.js';

/**
 * The events of an endpoint or a channel, declared once as a map from event
 * type to payload:
 *
 * ```ts
 * interface OrderEvents { new_order: Order; connected: string }
 * ```
 * @publicApi
 */
export type SseEventMap = object;

/**
 * The events `send` accepts for an event map: `{ type: 'new_order'; data: Order }
 * | { type: 'connected'; data: string }` for the map above. Without a map, any
 * {@link SseEvent}. Types only: nothing is checked at run time beyond what
 * every event is.
 * @publicApi
 */
export type SseEventOf<TEvents extends SseEventMap = never> = [
  TEvents,
] extends [never]
  ? SseEvent
  : {
      [K in keyof TEvents & string]: {
        type: K;
        data: TEvents[K];
        id?: string;
        retry?: number;
      };
    }[keyof TEvents & string];
