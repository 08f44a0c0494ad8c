import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SseConnectionRegistry } from '../connection/sse-connection.registry.js';
import { bindSseEndpoints } from './sse-endpoint.bindings.js';
import type { SseRoutePlan } from './sse-endpoint.handler.js';
import { SSE_ENDPOINT_METADATA } from '../sse.constants.js';

/**
 * Finds the controllers that have `@SseEndpoint()` methods, resolves each
 * endpoint's options once (a bad one fails the application's start with an
 * `SseOptionsError` naming the endpoint and the option) and binds the
 * controllers to this application's connection registry.
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
      for (const plan of this.routePlansOf(metatype.prototype))
        this.registry.addEndpoint(plan, plan.endpoint, plan.options);
      bindSseEndpoints(
        wrapper.isDependencyTreeStatic() ? instance : metatype,
        this.registry,
      );
    }
  }

  private hasSseEndpoints(prototype: object): boolean {
    return this.routePlansOf(prototype).length > 0;
  }

  /** The plans of the `@SseEndpoint()` methods of a controller. */
  private routePlansOf(prototype: object): SseRoutePlan[] {
    const plans: SseRoutePlan[] = [];
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, object>)[name];
      const plan: SseRoutePlan | undefined = Reflect.getMetadata(
        SSE_ENDPOINT_METADATA,
        method,
      );
      if (plan) plans.push(plan);
    }
    return plans;
  }
}
