import { Module } from '@nestjs/common';
import { SseModule } from '../src/sse/index.js';
import { ActivityController } from './activity/activity.controller.js';
import { PostsService } from './activity/posts.service.js';
import { EventsController } from './events.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { PageController } from './page/page.controller.js';

@Module({
  imports: [
    SseModule.forRoot({
      heartbeatMs: 15_000,
      // SSE_DELIVERY=direct writes channel events straight to the sockets (see the README).
      delivery: process.env.SSE_DELIVERY === 'direct' ? 'direct' : 'pipeline',
    }),
  ],
  controllers: [EventsController, OrdersController, ActivityController, NotificationsController, PageController],
  providers: [OrdersService, PostsService],
})
export class AppModule {}
