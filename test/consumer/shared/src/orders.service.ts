import { Injectable } from '@nestjs/common';
import { ChannelService, defineChannel } from 'nestjs-sse-channels';

export interface Order {
  id: number;
  item: string;
}

export interface OrderEvents {
  connected: string;
  new_order: Order;
}

export const ORDERS = defineChannel<OrderEvents>('orders');

/** Tells every listener of channel `orders` about a new order. */
@Injectable()
export class OrdersService {
  private nextId = 1;

  constructor(private readonly channels: ChannelService) {}

  create(item: string): { order: Order; notified: number } {
    const order = { id: this.nextId++, item };
    const orders = this.channels.channel(ORDERS);
    orders.send({ type: 'new_order', data: order });
    return { order, notified: orders.count() };
  }
}
