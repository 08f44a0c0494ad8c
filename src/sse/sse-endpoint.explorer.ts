import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SseConnectionRegistry } from './sse-connection.registry.js';
import { bindSseEndpoints } from './sse-endpoint.bindings.js';
import { SSE_ENDPOINT_METADATA } from './sse.constants.js';

/**
 * Finds the controllers that have `@SseEndpoint()` methods and binds them to
 * this application's connection registry.
 */
@Injectable()
export class SseEndpointExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: SseConnectionRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (
        !instance ||
        typeof metatype !== 'function' ||
        !this.hasSseEndpoints(metatype.prototype)
      )
        continue;
      bindSseEndpoints(
        wrapper.isDependencyTreeStatic() ? instance : metatype,
        this.registry,
      );
    }
  }

  private hasSseEndpoints(prototype: object): boolean {
    return this.scanner
      .getAllMethodNames(prototype)
      .some((name) =>
        Reflect.hasMetadata(
          SSE_ENDPOINT_METADATA,
          (prototype as Record<string, object>)[name],
        ),
      );
  }
}
