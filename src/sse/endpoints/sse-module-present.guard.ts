import {
  Injectable,
  Optional,
  type CanActivate,
  type OnModuleInit,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ChannelService } from '../channels/channel.service.js';
import { SseModuleMissingError } from '../errors/sse-module-missing.error.js';
import { SSE_ENDPOINT_METADATA } from '../sse.constants.js';

/**
 * Makes a missing `SseModule` fail the application's start instead of its
 * first request. `@SseEndpoint()` puts this guard on every endpoint, so Nest
 * creates it at startup in the module of the endpoint's controller, where
 * `ChannelService` is visible if and only if the (global) `SseModule` is part
 * of the application. As a guard it lets every request through.
 */
@Injectable()
export class SseModulePresentGuard implements CanActivate, OnModuleInit {
  constructor(
    private readonly modules: ModulesContainer,
    @Optional() private readonly channels?: ChannelService,
  ) {}

  onModuleInit(): void {
    if (this.channels) return;
    throw new SseModuleMissingError(this.firstEndpoint());
  }

  canActivate(): boolean {
    return true;
  }

  /** `Controller.method` of an `@SseEndpoint()` of this application, for the message. */
  private firstEndpoint(): string {
    for (const module of this.modules.values()) {
      for (const { metatype } of module.controllers.values()) {
        const prototype = (metatype as { prototype?: object } | null)
          ?.prototype;
        if (!prototype) continue;
        for (const key of Object.getOwnPropertyNames(prototype)) {
          const method = Object.getOwnPropertyDescriptor(prototype, key)?.value;
          if (
            typeof method === 'function' &&
            Reflect.hasMetadata(SSE_ENDPOINT_METADATA, method)
          )
            return `${(metatype as { name: string }).name}.${key}`;
        }
      }
    }
    return 'A controller method';
  }
}
