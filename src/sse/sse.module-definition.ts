import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SseModuleOptions } from './sse-module-options.interface.js';

/** Builds `SseModule.forRoot()` and `SseModule.forRootAsync()`. */
export const {
  ConfigurableModuleClass: ConfigurableSseModule,
  MODULE_OPTIONS_TOKEN: SSE_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<SseModuleOptions>()
  .setClassMethodName('forRoot')
  .build();
