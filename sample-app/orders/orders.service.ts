import { Injectable } from '@nestjs/common';
import { ChannelService } from '../../src/sse/index.js';

export interface Order {
  id: number;
  item: string;
  quantity: number;
}

/** Creates orders and tells every listener of channel `orders`. */
@Injectable()
export class OrdersService {
  private nextId = 1;

  constructor(private readonly channels: ChannelService) {}

  /** Stores nothing (it is a sample): numbers the order and notifies. */
  place(input: Omit<Order, 'id'>): { order: Order; notified: number } {
    const order = { id: this.nextId++, ...input };
    return { order, notified: this.create(order) };
  }

  /** The example: send to channel `orders`, return how many listen. */
  create(order: Order): number {
    const orders = this.channels.channel('orders');
    orders.send({ type: 'new_order', data: order });
    return orders.count();
  }
}
