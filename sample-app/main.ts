import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { API_TOKEN } from './auth/bearer-token.guard.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  // SIGTERM / Ctrl-C end every open stream instead of waiting for the clients.
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, process.env.HOST ?? '127.0.0.1');
  console.log(`Sample app on ${await app.getUrl()} (API token: ${API_TOKEN})`);
}

void bootstrap();
