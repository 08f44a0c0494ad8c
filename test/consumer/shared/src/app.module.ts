import { Module } from '@nestjs/common';
import { SseModule } from 'nestjs-sse-channels';
import { EventsController } from './events.controller.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

@Module({
  imports: [SseModule],
  controllers: [EventsController, OrdersController],
  providers: [OrdersService],
})
export class AppModule {}
