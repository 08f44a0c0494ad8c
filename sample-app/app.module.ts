import { Module } from '@nestjs/common';
import { RedisTransport } from '../src/redis/index.js';
import { SseModule } from '../src/sse/index.js';
import { ActivityController } from './activity/activity.controller.js';
import { PostsService } from './activity/posts.service.js';
import {
  InMemoryPostsStore,
  PostsStore,
  RedisPostsStore,
} from './activity/posts.store.js';
import { EventsController } from './events.controller.js';
import { NotificationsController } from './notifications/notifications.controller.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';
import { ClientScriptController } from './page/client-script.controller.js';
import { PageController } from './page/page.controller.js';

const REDIS_URL = process.env.REDIS_URL;
/** Where this app keeps its keys in Redis: the posts, and the transport's under `<prefix>sse:`. */
const REDIS_PREFIX = process.env.SAMPLE_REDIS_PREFIX || 'sample:';

@Module({
  imports: [
    SseModule.forRoot({
      heartbeatMs: 15_000,
      // SSE_DELIVERY=direct writes channel events straight to the sockets (see the README).
      delivery: process.env.SSE_DELIVERY === 'direct' ? 'direct' : 'pipeline',
      // REDIS_URL=redis://127.0.0.1:6379 runs this instance as one of several
      // (see the README's "Running several instances").
      transport: REDIS_URL
        ? new RedisTransport({
            url: REDIS_URL,
            keyPrefix: `${REDIS_PREFIX}sse:`,
          })
        : undefined,
    }),
  ],
  controllers: [
    EventsController,
    OrdersController,
    ActivityController,
    NotificationsController,
    PageController,
    ClientScriptController,
  ],
  providers: [
    OrdersService,
    PostsService,
    {
      provide: PostsStore,
      useFactory: () =>
        REDIS_URL
          ? new RedisPostsStore(REDIS_URL, REDIS_PREFIX)
          : new InMemoryPostsStore(),
    },
  ],
})
export class AppModule {}
