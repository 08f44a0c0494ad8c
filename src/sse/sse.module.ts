import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ChannelService } from './channels/channel.service.js';
import { ChannelRegistry } from './channels/channel.registry.js';
import { SseConnectionRegistry } from './connection/sse-connection.registry.js';
import { SseEndpointExplorer } from './endpoints/sse-endpoint.explorer.js';
import { SseStats } from './stats/sse-stats.service.js';
import { InMemoryTransport } from './transport/in-memory.transport.js';
import { SseTransport } from './transport/sse-transport.js';
import { ResolvedSseOptions } from './resolved-sse-options.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import {
  ConfigurableSseModule,
  SSE_MODULE_OPTIONS,
} from './sse.module-definition.js';

/**
 * Server-Sent Events endpoints (`@SseEndpoint()`) and named channels
 * (`ChannelService`). Import it once, in the root module: `SseModule` with the
 * defaults, `SseModule.forRoot(options)` or `SseModule.forRootAsync({ imports,
 * inject, useFactory })`. It is global, so every module can inject
 * `ChannelService`.
 * @publicApi
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ResolvedSseOptions,
      useFactory: (options?: SseModuleOptions) =>
        new ResolvedSseOptions(options),
      inject: [{ token: SSE_MODULE_OPTIONS, optional: true }],
    },
    {
      provide: SseTransport,
      useFactory: (options?: SseModuleOptions) =>
        options?.transport ?? new InMemoryTransport(),
      inject: [{ token: SSE_MODULE_OPTIONS, optional: true }],
    },
    ChannelRegistry,
    ChannelService,
    SseConnectionRegistry,
    SseEndpointExplorer,
    SseStats,
  ],
  exports: [ChannelService, SseTransport, SseStats],
})
export class SseModule extends ConfigurableSseModule {}
