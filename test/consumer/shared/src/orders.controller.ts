import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { SseEndpoint, type SseSend } from 'nestjs-sse-channels';
import {
  ORDERS,
  OrdersService,
  type Order,
  type OrderEvents,
} from './orders.service.js';

/** The seed document's channel example: `/order-updates` and `POST /api/orders`. */
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @SseEndpoint('/order-updates', { channels: [ORDERS.name] })
  orderUpdates(send: SseSend<OrderEvents>) {
    send({ type: 'connected', data: 'Listening for order updates' });
  }

  @Post('/api/orders')
  @HttpCode(201)
  create(@Body() body: { item: string }): { order: Order; notified: number } {
    return this.orders.create(body.item);
  }
}
