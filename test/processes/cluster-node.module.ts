import type { DynamicModule } from '@nestjs/common';
import { RedisTransport } from '../../src/redis/index.js';
import { SseModule } from '../../src/sse/index.js';
import type { ClusterNodeConfig } from './cluster-node.config.js';
import { ControlController } from './control.controller.js';
import { PacedSends } from './paced-sends.js';
import { StreamController } from './stream.controller.js';

/** One instance of a multi-instance application: channels over Redis, a stream, and control routes. */
export class ClusterNodeModule {
  static forRoot(config: ClusterNodeConfig): DynamicModule {
    return {
      module: ClusterNodeModule,
      imports: [
        SseModule.forRoot({
          heartbeatMs: config.heartbeatMs,
          history:
            config.historySize === undefined
              ? undefined
              : { size: config.historySize },
          shutdownDrainMs: config.shutdownDrainMs,
          delivery: config.delivery,
          transport: new RedisTransport({
            url: config.redisUrl,
            keyPrefix: config.keyPrefix,
            instanceTtlMs: config.instanceTtlMs,
            maxQueuedSends: config.maxQueuedSends,
            backlogSize: config.backlogSize,
          }),
        }),
      ],
      controllers: [StreamController, ControlController],
      providers: [PacedSends],
    };
  }
}
