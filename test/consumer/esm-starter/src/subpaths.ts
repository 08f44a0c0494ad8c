// Every entry point of the package, as a user imports it: compiled under
// nodenext here, and under bundler and classic node resolution by
// tsconfig.bundler.json and tsconfig.node10.json.
import { ChannelService, SseModule, type SseSend } from 'nestjs-sse-channels';
import { RedisTransport } from 'nestjs-sse-channels/redis';
import { SseTestClient } from 'nestjs-sse-channels/testing';
import { registerSseMetrics } from 'nestjs-sse-channels/prometheus';
import { SseHealthIndicator } from 'nestjs-sse-channels/terminus';
import { openSseStream } from 'nestjs-sse-channels/client';

export const entryPoints = {
  ChannelService,
  SseModule,
  RedisTransport,
  SseTestClient,
  registerSseMetrics,
  SseHealthIndicator,
  openSseStream,
};

// Types are the package's, not `any`: a wrong call does not compile.
export const send: SseSend = () => true;
// @ts-expect-error the url must be a string
export const badTransport = new RedisTransport({ url: 42 });
// The client takes the DOM's EventSource (this app's lib includes the DOM).
export const openWithDomEventSource = () =>
  openSseStream<{ tick: number }>('/events', { EventSource }).on(
    'tick',
    (event) => event.json().toFixed(),
  );
const ticks = () => openSseStream<{ tick: number }>('/events');
// @ts-expect-error the client's listeners are typed by the map
export const badListener = () => ticks().on('tock', () => {});
