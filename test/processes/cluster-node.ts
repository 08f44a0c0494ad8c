import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import {
  LISTENING_LINE,
  readClusterNodeConfig,
} from './cluster-node.config.js';
import { ClusterNodeModule } from './cluster-node.module.js';

/**
 * One instance of the application, as its own process (see
 * test/support/cluster-node-process.ts). Settings come from the environment
 * (see cluster-node.config.ts).
 */
async function main(): Promise<void> {
  // Started by a test with an IPC channel: if the test runner dies without
  // stopping this node, the channel closes, and the node goes too rather than
  // run on. Unreferenced, so the channel alone keeps nothing open.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => process.exit(1));
    if (!process.connected) process.exit(1);
  }
  const config = readClusterNodeConfig();
  const app = await NestFactory.create(ClusterNodeModule.forRoot(config), {
    logger: ['log', 'warn', 'error'],
  });
  // Rather than `enableShutdownHooks()`, which ends the process by re-raising
  // the signal: SIGTERM closes the app and nothing else, so the process exits
  // (with code 0) only if the app left nothing open, a Redis connection say.
  process.once('SIGTERM', () => {
    app.close().catch((error: unknown) => {
      console.error('closing failed', error);
      process.exitCode = 1;
    });
  });
  await app.listen(config.port, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  console.log(`${LISTENING_LINE} http://127.0.0.1:${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
