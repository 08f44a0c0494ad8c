import { jest } from '@jest/globals';
import type { ChannelMember } from './channel-member.js';
import type { DeliveredEvent } from '../connection/delivered-event.js';
import { ChannelRegistry } from './channel.registry.js';
import { ChannelService } from './channel.service.js';
import { formatEventId } from '../history/event-id.js';
import type { ChannelMessage } from '../protocol/sse-message.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import {
  HISTORY_SWEEP_MS,
  InMemoryTransport,
} from '../transport/in-memory.transport.js';

class FakeMember implements ChannelMember {
  readonly received: ChannelMessage[] = [];
  readonly events: DeliveredEvent[] = [];
  open = true;
  resets = 0;
  onDeliver?: () => void;
  sendReset(): void {
    this.resets++;
  }
  deliver(event: DeliveredEvent): boolean {
    this.onDeliver?.();
    if (!this.open) return false;
    this.received.push(event.message);
    this.events.push(event);
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
    // One delivery object per event, shared by every member: what writing it
    // costs is worked out once, whatever the number of members.
    expect(members[2].events[0]).toBe(members[0].events[0]);
    expect(message).toMatchObject({
      type: 'x',
      data: '{"n":1}',
      position: 1,
      id: formatEventId(registry.epoch, 1),
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
    // Forgotten with its settings; where its history ended is remembered.
    registry.leave('no-history', member);
    expect(await registry.readAfter(['no-history'], 1)).toEqual({
      reset: 'evicted',
    });
    expect(await registry.readAfter(['no-history'], 2)).toEqual({ events: [] });
  });
});

// Per-user channels come and go by the thousand: what a channel leaves behind
// once nobody is on it and it keeps nothing must be nothing.
describe('ChannelRegistry reclaiming channels', () => {
  const USERS = 20_000;
  let registry: ChannelRegistry;
  let channels: ChannelService;
  beforeEach(() => {
    jest.useFakeTimers();
    registry = new ChannelRegistry(
      new ResolvedSseOptions(),
      new InMemoryTransport(),
    );
    channels = new ChannelService(registry);
  });
  afterEach(() => jest.useRealTimers());

  it('keeps no settings for channels given options that nobody joined and nothing was sent to', () => {
    for (let i = 0; i < USERS; i++)
      channels.channel(`user:${i}`, { history: { size: 5 } });
    expect(registry.configuredCount).toBe(0);
    expect(registry.names()).toEqual([]);
  });

  it('drops expired events of channels nobody touches, and forgets the channels, on one shared timer', () => {
    for (let i = 0; i < USERS; i++)
      channels
        .channel(`user:${i}`, { history: { size: 5, maxAgeMs: 60_000 } })
        .send({ data: 'hello' });
    const member = new FakeMember();
    registry.join('user:0', member);
    expect(registry.names()).toHaveLength(USERS);
    expect(registry.configuredCount).toBe(USERS);
    expect(jest.getTimerCount()).toBe(1);

    jest.advanceTimersByTime(60_000 + HISTORY_SWEEP_MS);
    // The channel with a member stays, with its settings; its events expired.
    expect(registry.names()).toEqual(['user:0']);
    expect(registry.configuredCount).toBe(1);
    registry.leave('user:0', member);
    expect(registry.names()).toEqual([]);
    expect(registry.configuredCount).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps a channel whose events have not expired yet, and sweeps it once they have', () => {
    const recent = channels.channel('recent', {
      history: { size: 5, maxAgeMs: 3 * HISTORY_SWEEP_MS },
    });
    recent.send({ data: 'one' });
    jest.advanceTimersByTime(2 * HISTORY_SWEEP_MS);
    expect(registry.names()).toEqual(['recent']);
    jest.advanceTimersByTime(2 * HISTORY_SWEEP_MS);
    expect(registry.names()).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('applies the options of a handle again once its channel was forgotten', async () => {
    const none = channels.channel('none', { history: { size: 0 } });
    expect(registry.configuredCount).toBe(0);
    const member = new FakeMember();
    registry.join('none', member);
    none.send({ data: 'x' });
    none.send({ data: 'y' });
    // Without its options the channel would keep 1000 events and replay "y".
    expect(
      await registry.readAfter(['none'], member.received[0].position),
    ).toEqual({ reset: 'evicted' });
  });

  it('still resets a client of a forgotten channel once the channel keeps events again', async () => {
    const before = registry.head;
    channels.channel('user:1', { history: { size: 0 } }).send({ data: 'lost' });
    const lost = registry.head;
    expect(registry.names()).toEqual([]);
    channels.channel('user:1').send({ data: 'kept' });
    expect(await registry.readAfter(['user:1'], before)).toEqual({
      reset: 'evicted',
    });
    const replay = await registry.readAfter(['user:1'], lost);
    expect('events' in replay && replay.events.map((e) => e.data)).toEqual([
      'kept',
    ]);
  });

  it('gives a history kept with the module limits the limits of the handle that sends next', async () => {
    channels.channel('late').send({ data: '1' });
    channels.channel('late').send({ data: '2' });
    const late = channels.channel('late', { history: { size: 1 } });
    late.send({ data: '3' });
    expect(await registry.readAfter(['late'], 0)).toEqual({
      reset: 'evicted',
    });
  });
});
