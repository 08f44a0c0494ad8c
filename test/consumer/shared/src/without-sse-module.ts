import { Module } from '@nestjs/common';
import { EventsController } from './events.controller.js';

/** A mistake users make: an endpoint, but no SseModule. Its start must fail. */
@Module({ controllers: [EventsController] })
export class WithoutSseModule {}
