import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  // @nestjs/swagger is an optional peer of nestjs-sse-channels: loaded with require() here.
  const config = new DocumentBuilder().setTitle('consumer').build();
  SwaggerModule.setup('docs', app, () =>
    SwaggerModule.createDocument(app, config),
  );
  await app.listen(process.env.PORT ?? 3000, '127.0.0.1');
  Logger.log(`Listening on ${await app.getUrl()}`, 'Bootstrap');
}
void bootstrap();
