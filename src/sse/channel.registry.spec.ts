import type { ChannelMember } from './channel-member.js';
import { ChannelRegistry } from './channel.registry.js';
import type { SseMessage } from './protocol/sse-message.js';

class FakeMember implements ChannelMember {
  readonly received: SseMessage[] = [];
  open = true;
  onDeliver?: () => void;
  deliver(message: SseMessage): boolean {
    this.onDeliver?.();
    if (!this.open) return false;
    this.received.push(message);
    return true;
  }
}

describe('ChannelRegistry', () => {
  let registry: ChannelRegistry;
  beforeEach(() => (registry = new ChannelRegistry()));

  it('joins once per member and counts members', () => {
    const member = new FakeMember();
    expect(registry.join('orders', member)).toBe(true);
    expect(registry.join('orders', member)).toBe(false);
    registry.join('orders', new FakeMember());
    expect(registry.count('orders')).toBe(2);
    expect(registry.count('unknown')).toBe(0);
  });

  it('forgets a channel when its last member leaves', () => {
    const member = new FakeMember();
    registry.join('a', member);
    registry.join('b', member);
    expect(registry.names()).toEqual(['a', 'b']);
    expect(registry.leave('a', member)).toBe(true);
    expect(registry.leave('a', member)).toBe(false);
    expect(registry.names()).toEqual(['b']);
  });

  it('delivers one shared message object to every member and counts those that queued it', () => {
    const members = [new FakeMember(), new FakeMember(), new FakeMember()];
    members.forEach((member) => registry.join('feed', member));
    members[1].open = false;
    const message: SseMessage = { type: 'x', data: 'y' };
    expect(registry.deliver('feed', message)).toBe(2);
    expect(members[0].received[0]).toBe(message);
    expect(members[2].received[0]).toBe(message);
    expect(registry.deliver('nobody', message)).toBe(0);
  });

  it('copes with a member that leaves while a delivery is under way', () => {
    const [first, second, third] = [new FakeMember(), new FakeMember(), new FakeMember()];
    [first, second, third].forEach((member) => registry.join('feed', member));
    first.onDeliver = () => registry.leave('feed', second);
    expect(registry.deliver('feed', { data: '1' })).toBe(2);
    expect(second.received).toEqual([]);
    expect(registry.count('feed')).toBe(2);
  });
});
