import { defineChannel } from './channel-definition.js';
import { ChannelRegistry } from './channel.registry.js';
import { ChannelService } from './channel.service.js';
import { SseChannelNameError } from '../errors/sse-channel-name.error.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';

describe('defineChannel', () => {
  it('names a channel, and channel(definition) applies its options', async () => {
    const registry = new ChannelRegistry(
      new ResolvedSseOptions(),
      new InMemoryTransport(),
    );
    const channels = new ChannelService(registry);
    const TICKS = defineChannel<{ tick: number }>('ticks', {
      history: { size: 1 },
    });
    const ticks = channels.channel(TICKS);
    expect(ticks.name).toBe('ticks');
    ticks.send({ type: 'tick', data: 1 });
    ticks.send({ type: 'tick', data: 2 });
    expect(await registry.readAfter(['ticks'], 0)).toEqual({
      reset: 'evicted',
    });
    const kept = await registry.readAfter(['ticks'], 1);
    expect('events' in kept && kept.events.map((event) => event.data)).toEqual([
      '2',
    ]);
  });

  it('refuses a name that is not a channel name, when it is declared', () => {
    expect(() => defineChannel('')).toThrow(SseChannelNameError);
    expect(() => defineChannel('a\nb')).toThrow(SseChannelNameError);
  });
});
