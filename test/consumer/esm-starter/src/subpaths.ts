// Every entry point of the package, as a user imports it: compiled under
// nodenext here, and under bundler and classic node resolution by
// tsconfig.bundler.json and tsconfig.node10.json.
import { ChannelService, SseModule, type SseSend } from 'nestjs-sse-channels';
import { RedisTransport } from 'nestjs-sse-channels/redis';
import { SseTestClient } from 'nestjs-sse-channels/testing';
import { registerSseMetrics } from 'nestjs-sse-channels/prometheus';
import { SseHealthIndicator } from 'nestjs-sse-channels/terminus';

export const entryPoints = {
  ChannelService,
  SseModule,
  RedisTransport,
  SseTestClient,
  registerSseMetrics,
  SseHealthIndicator,
};

// Types are the package's, not `any`: a wrong call does not compile.
export const send: SseSend = () => true;
// @ts-expect-error the url must be a string
export const badTransport = new RedisTransport({ url: 42 });
