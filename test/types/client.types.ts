/**
 * Compile-time tests of nestjs-sse-channels/client: `npm run typecheck`
 * checks this file; nothing here runs. Each `@ts-expect-error` must be an
 * error, or the type check fails: the typing is too loose if one compiles.
 */
import { EventSource as NodeEventSource } from 'eventsource';
import {
  openSseStream,
  type SseStreamEvent,
  type SseStreamState,
} from '../../src/client/index.js';
import {
  defineChannel,
  type SseEventMap,
  type SseSend,
} from '../../src/sse/index.js';
import type { Order, OrderEvents } from './order-events.js';

// The same map types the server's send and the page's listeners.
export const ORDERS = defineChannel<OrderEvents>('orders');
export const serverSide = (send: SseSend<OrderEvents>) =>
  send({ type: 'new_order', data: { id: 1, item: 'coffee' } });

const stream = openSseStream<OrderEvents>('/order-updates', {
  EventSource: NodeEventSource,
});

// A typed listener: json() is the map's payload.
const off: () => void = stream.on('new_order', (event) => {
  const order: Order = event.json();
  const raw: string = event.data;
  const id: string = event.id;
  return [order.item.toUpperCase(), raw, id];
});
off();
stream.on('connected', (event) => event.data.toUpperCase());

// @ts-expect-error an event type the map does not have
stream.on('new_ordr', () => {});
stream.on('new_order', (event) => {
  // @ts-expect-error the payload is an Order, not a string
  event.json().toUpperCase();
  // @ts-expect-error an Order has no such field
  return event.json().quantity;
});
// @ts-expect-error a listener of another type's payload
stream.on('new_order', (event: SseStreamEvent<string>) => event);

// Resets, state and close.
stream.onReset((reason: string) => reason);
const state: SseStreamState = stream.state;
stream.onStateChange((next) => {
  // @ts-expect-error not a state
  if (next === 'live') return state;
});
stream.close();

// Without a map: any type, payloads unknown until checked.
const untyped = openSseStream('/events');
untyped.on('anything', (event) => {
  const payload = event.json();
  // @ts-expect-error unknown until narrowed
  return payload.id;
});

// Options are checked.
// @ts-expect-error from is an event id (a string)
openSseStream('/events', { from: 42 });
// @ts-expect-error resumeKey is a key or false
openSseStream('/events', { resumeKey: true });
openSseStream('/events', { resumeKey: false, from: 'epoch-1' });

// A map the server side accepts is one the client accepts.
export function listen<TEvents extends SseEventMap>(url: string) {
  return openSseStream<TEvents>(url);
}
