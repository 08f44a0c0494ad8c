import { assertChannelName } from './channel-name.js';
import type { SseChannelOptions } from './channel-options.interface.js';
import type { SseEventMap } from '../sse-event-map.js';

/**
 * A channel declared once, with its events' types, and used by name anywhere:
 *
 * ```ts
 * export const ORDERS = defineChannel<{ new_order: Order }>('orders');
 * this.channels.channel(ORDERS).send({ type: 'new_order', data: order }); // checked at compile time
 * ```
 * @publicApi
 */
export interface SseChannelDefinition<TEvents extends SseEventMap = never> {
  readonly name: string;
  /** Applied by `channels.channel(definition)`, as `channels.channel(name, options)` would. */
  readonly options?: SseChannelOptions;
  /** Carries the event map for the compiler; never set. */
  readonly events?: TEvents;
}

/**
 * Declares a channel and the types of its events. Throws an
 * `SseChannelNameError` for a name that is not a channel name.
 * @publicApi
 */
export function defineChannel<TEvents extends SseEventMap = never>(
  name: string,
  options?: SseChannelOptions,
): SseChannelDefinition<TEvents> {
  assertChannelName(name);
  return options === undefined ? { name } : { name, options };
}
