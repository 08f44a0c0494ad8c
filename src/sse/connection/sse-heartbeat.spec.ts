import { jest } from '@jest/globals';
import { ChannelRegistry } from '../channels/channel.registry.js';
import { HEARTBEAT_MESSAGE } from '../protocol/heartbeat.message.js';
import type { SseMessage } from '../protocol/sse-message.js';
import { resolveEndpointOptions } from '../endpoints/resolved-endpoint-options.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import { SseConnectionRegistry } from './sse-connection.registry.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';

describe('heartbeats', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function registryWith(heartbeatMs: number): SseConnectionRegistry {
    const options = new ResolvedSseOptions({ heartbeatMs, shutdownDrainMs: 0 });
    return new SseConnectionRegistry(
      new ChannelRegistry(options, new InMemoryTransport()),
      options,
    );
  }

  function openStarted(registry: SseConnectionRegistry) {
    const connection = registry.connect(
      { request: { headers: {} }, response: undefined },
      resolveEndpointOptions('Test.endpoint', {}, registry.options),
    )!;
    const received: SseMessage[] = [];
    connection.events$.subscribe((message) => received.push(message));
    return { connection, received };
  }

  it('uses one timer for every connection, and none once they are gone', async () => {
    const registry = registryWith(1000);
    expect(jest.getTimerCount()).toBe(0);
    const streams = Array.from(
      { length: 100 },
      () => openStarted(registry).received,
    );
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(1000);
    expect(
      streams.every(
        (received) =>
          received.length === 1 && received[0] === HEARTBEAT_MESSAGE,
      ),
    ).toBe(true);

    await registry.beforeApplicationShutdown();
    expect(registry.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('skips a connection that had an event since the last tick', () => {
    const { connection, received } = openStarted(registryWith(1000));
    connection.send({ data: 'busy' });
    jest.advanceTimersByTime(1000);
    expect(received.map((message) => message.data ?? message.comment)).toEqual([
      'busy',
    ]);
    jest.advanceTimersByTime(1000);
    expect(received.map((message) => message.data ?? message.comment)).toEqual([
      'busy',
      'heartbeat',
    ]);
    connection.close();
  });

  it('starts no timer when heartbeats are off', () => {
    const registry = registryWith(0);
    openStarted(registry);
    expect(jest.getTimerCount()).toBe(0);
    expect(registry.heartbeatRunning).toBe(false);
  });

  it('refuses a heartbeatMs that is not a non-negative integer', () => {
    expect(() => new ResolvedSseOptions({ heartbeatMs: -1 })).toThrow(
      '[nestjs-sse-channels] The "heartbeatMs" option must be a non-negative integer, got -1.',
    );
  });
});
