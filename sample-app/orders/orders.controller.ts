import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  Res,
} from '@nestjs/common';
import { SseEndpoint, type SseSend } from '../../src/sse/index.js';
import { OrdersService, type Order } from './orders.service.js';

/** The seed's channel example: `/order-updates` and `POST /api/orders`. */
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  // The connection joins channel 'orders' before the handler runs, and stays open.
  @SseEndpoint('/order-updates', { channels: ['orders'] })
  orderUpdates(send: SseSend) {
    send({ type: 'connected', data: 'Listening for order updates' });
  }

  @Post('/api/orders')
  @HttpCode(201)
  create(
    @Body() body: Partial<Order>,
    @Res({ passthrough: true })
    res: { header(name: string, value: string): unknown },
  ): Order {
    if (typeof body?.item !== 'string' || body.item.length === 0) {
      throw new BadRequestException('"item" must be a non-empty string');
    }
    const { order, notified } = this.orders.place({
      item: body.item,
      quantity: Number(body.quantity ?? 1),
    });
    res.header('X-SSE-Notified', String(notified));
    return order;
  }
}
