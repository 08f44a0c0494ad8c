/**
 * Compile-time tests of typed events: `npm test` type-checks this file
 * (`tsc --noEmit`); nothing here runs. Each `@ts-expect-error` must be an
 * error, or the type check fails: the typing is too loose if one compiles.
 */
import {
  defineChannel,
  SseEndpoint,
  type ChannelService,
  type SseChannel,
  type SseConnection,
  type SseEventOf,
  type SseSend,
} from '../../src/sse/index.js';
import type { Order, OrderEvents } from './order-events.js';

declare const channels: ChannelService;
declare const order: Order;

// A typed channel: each type with its own payload.
const orders = channels.channel<OrderEvents>('orders');
orders.send({ type: 'new_order', data: order });
orders.send({ type: 'connected', data: 'hello', retry: 1000 });
// @ts-expect-error an event type the map does not have
orders.send({ type: 'cancelled', data: order });
// @ts-expect-error a payload of another type's shape
orders.send({ type: 'new_order', data: 'not an order' });
// @ts-expect-error a payload missing a field
orders.send({ type: 'new_order', data: { id: 1 } });
// @ts-expect-error a typed event needs its type
orders.send({ data: order });

// A channel declared once, with its types, used by name anywhere.
const ORDERS = defineChannel<OrderEvents>('orders', { history: { size: 100 } });
const fromDefinition: SseChannel<OrderEvents> = channels.channel(ORDERS);
fromDefinition.send({ type: 'new_order', data: order });
// @ts-expect-error the definition's map applies
fromDefinition.send({ type: 'new_order', data: 42 });

// Untyped, as before: any SseEvent.
const untyped = channels.channel('anything');
untyped.send({ data: 42 });
untyped.send({ type: 'whatever', data: { free: 'form' }, id: 'x' });
// @ts-expect-error still an SseEvent: data is required
untyped.send({ type: 'no data' });

// Endpoints: the handler declares its map on send, or on the connection.
class TypedController {
  @SseEndpoint('/orders', { channels: ['orders'] })
  orders(send: SseSend<OrderEvents>) {
    send({ type: 'connected', data: 'Listening for order updates' });
    // @ts-expect-error the endpoint's map applies to send
    send({ type: 'connected', data: 1 });
  }

  @SseEndpoint('/orders-connection')
  ordersConnection(
    _send: SseSend,
    _close: () => void,
    connection: SseConnection<unknown, OrderEvents>,
  ) {
    connection.send({ type: 'new_order', data: order });
    // @ts-expect-error the connection's map applies
    connection.send({ type: 'unknown', data: order });
  }
}
void TypedController;

// SseEventOf names the union, for helpers that build events.
const built: SseEventOf<OrderEvents> = { type: 'connected', data: 'x' };
orders.send(built);
// @ts-expect-error SseEventOf is the same union
const wrong: SseEventOf<OrderEvents> = { type: 'connected', data: order };
void wrong;

// A follower of a typed channel: the type narrows the event, and json() is its payload.
const following = orders.follow({
  event: (event) => {
    if (event.type === 'new_order') {
      const followed: Order = event.json();
      void followed;
      // @ts-expect-error a new_order's payload is an Order
      const text: string = event.json();
      void text;
    }
    // @ts-expect-error an event type the map does not have
    if (event.type === 'cancelled') return;
  },
  reset: () => undefined,
});
following.close();
// @ts-expect-error a follower must say how it reloads its state
orders.follow({ event: () => undefined });
// Untyped: any type, json() unknown.
untyped.follow({
  event: (event) => {
    const value: unknown = event.json();
    const type: string = event.type;
    void [value, type, event.id, event.data];
  },
  reset: () => undefined,
});
