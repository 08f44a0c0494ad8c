import type { ChannelMember } from './channel-member.js';
import { ChannelRegistry } from './channel.registry.js';
import type { ChannelMessage } from './protocol/sse-message.js';
import { ResolvedSseOptions } from './resolved-sse-options.js';
import { InMemoryTransport } from './transport/in-memory.transport.js';

class FakeMember implements ChannelMember {
  readonly received: ChannelMessage[] = [];
  open = true;
  resets = 0;
  onDeliver?: () => void;
  missed(): void {
    this.resets++;
  }
  deliver(message: ChannelMessage): boolean {
    this.onDeliver?.();
    if (!this.open) return false;
    this.received.push(message);
    return true;
  }
}

describe('ChannelRegistry', () => {
  let registry: ChannelRegistry;
  beforeEach(
    () =>
      (registry = new ChannelRegistry(
        new ResolvedSseOptions({ history: { size: 3 } }),
        new InMemoryTransport(),
      )),
  );

  it('joins once per member and counts members', () => {
    const member = new FakeMember();
    expect(registry.join('orders', member)).toBe(true);
    expect(registry.join('orders', member)).toBe(false);
    registry.join('orders', new FakeMember());
    expect(registry.count('orders')).toBe(2);
    expect(registry.count('unknown')).toBe(0);
  });

  it('forgets a channel once it has neither members nor history', () => {
    const member = new FakeMember();
    registry.join('a', member);
    registry.join('b', member);
    expect(registry.names()).toEqual(['a', 'b']);
    expect(registry.leave('a', member)).toBe(true);
    expect(registry.leave('a', member)).toBe(false);
    expect(registry.names()).toEqual(['b']);
    registry.publish('b', { data: 'kept' });
    registry.leave('b', member);
    expect(registry.names()).toEqual(['b']);
  });

  it('encodes once and delivers one shared message, with a position and an id, to every member', () => {
    const members = [new FakeMember(), new FakeMember(), new FakeMember()];
    members.forEach((member) => registry.join('feed', member));
    members[1].open = false;
    expect(registry.publish('feed', { type: 'x', data: { n: 1 } })).toBe(2);
    const message = members[0].received[0];
    expect(members[2].received[0]).toBe(message);
    expect(message).toMatchObject({
      type: 'x',
      data: '{"n":1}',
      position: 1,
      id: registry.ids.format(1),
    });
    expect(registry.publish('nobody', { data: 'x' })).toBe(0);
    expect(registry.head).toBe(2);
  });

  it('copes with a member that leaves while a delivery is under way', () => {
    const [first, second, third] = [
      new FakeMember(),
      new FakeMember(),
      new FakeMember(),
    ];
    [first, second, third].forEach((member) => registry.join('feed', member));
    first.onDeliver = () => registry.leave('feed', second);
    expect(registry.publish('feed', { data: '1' })).toBe(2);
    expect(second.received).toEqual([]);
    expect(registry.count('feed')).toBe(2);
  });

  it('resets a client from before an event of a channel it forgot, rather than risk a gap', async () => {
    registry.configure('keeps-nothing', { history: { size: 0 } });
    registry.publish('unconfigured', { data: 'x' });
    const member = new FakeMember();
    registry.join('no-history', member);
    registry.configure('no-history', { history: { size: 0 } });
    registry.publish('no-history', { data: 'y' });
    // Configured channels are kept, with the position of what they dropped.
    registry.leave('no-history', member);
    expect(await registry.readAfter(['no-history'], 1)).toEqual({
      reset: 'evicted',
    });
    expect(await registry.readAfter(['no-history'], 2)).toEqual({ events: [] });
  });
});
