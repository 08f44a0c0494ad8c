import {
  Body,
  Controller,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ChannelService,
  SseConnection,
  SseEndpoint,
  SseSend,
} from '../../src/sse/index.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';

/** Per-user notifications: parameter decorators, a guard, and a channel per user. */
@Controller()
export class NotificationsController {
  constructor(private readonly channels: ChannelService) {}

  @SseEndpoint('/users/:id/notifications')
  @UseGuards(BearerTokenGuard)
  notifications(
    @Param('id', ParseIntPipe) id: number,
    @SseSend() send: SseSend,
    @SseConnection() conn: SseConnection,
  ) {
    conn.subscribe(`user:${id}`);
    send({ type: 'connected', data: `Notifications for user ${id}` });
  }

  @Post('/api/users/:id/notifications')
  @UseGuards(BearerTokenGuard)
  notify(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: { message?: unknown },
  ): { delivered: number } {
    const delivered = this.channels
      .channel(`user:${id}`)
      .send({ type: 'notification', data: String(body?.message ?? '') });
    return { delivered };
  }
}
