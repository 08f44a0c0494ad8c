import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ChannelRegistry } from './channel.registry.js';
import { ChannelService } from './channel.service.js';
import type { SseFollowedEvent } from './followed-event.js';
import type { ChannelMember } from './channel-member.js';
import type { DeliveredEvent } from '../connection/delivered-event.js';
import { SseOptionsError } from '../errors/sse-options.error.js';
import { formatEventId } from '../history/event-id.js';
import { ResolvedSseOptions } from '../resolved-sse-options.js';
import { InMemoryTransport } from '../transport/in-memory.transport.js';

interface FeedEvents {
  new_post: { id: number };
  note: string;
}

/** A follower's listener that notes what it is given: `type:data`, or `reset`. */
function recorder() {
  const log: string[] = [];
  return {
    log,
    listener: {
      event: (event: SseFollowedEvent) =>
        log.push(`${event.type}:${event.data}`),
      reset: () => log.push('reset'),
    },
  };
}

/** A connection as the registry sees it: what it was given, `reset` where it was reset. */
class RecordingMember implements ChannelMember {
  readonly log: string[] = [];
  deliver(event: DeliveredEvent): boolean {
    this.log.push(event.message.data);
    return true;
  }
  sendReset(): void {
    this.log.push('reset');
  }
}

describe('following a channel (SseChannel.follow)', () => {
  let registry: ChannelRegistry;
  let channels: ChannelService;
  const idOf = (position: number) => formatEventId(registry.epoch, position);

  beforeEach(() => {
    registry = new ChannelRegistry(
      new ResolvedSseOptions(),
      new InMemoryTransport(),
    );
    channels = new ChannelService(registry);
  });
  afterEach(() => jest.restoreAllMocks());

  it('hands on each event sent from now on, once, in order, within send(), as the wire has it', () => {
    const feed = channels.channel<FeedEvents>('feed');
    feed.send({ type: 'note', data: 'before' });
    const seen: unknown[] = [];
    feed.follow({
      event: (event) =>
        seen.push({
          id: event.id,
          type: event.type,
          data: event.data,
          json: event.type === 'new_post' ? event.json() : undefined,
          // The position has moved past the event when the follower gets it.
          position: feed.position(),
        }),
      reset: () => seen.push('reset'),
    });
    feed.send({ type: 'new_post', data: { id: 7 } });
    // Within send(): state built from the event is there when send returns.
    expect(seen).toHaveLength(1);
    feed.send({ type: 'note', data: 'line' });
    channels.channel('other').send({ data: 'not followed' });
    channels.channel('feed').send({ data: 'untyped' });
    expect(seen).toEqual([
      {
        id: idOf(2),
        type: 'new_post',
        data: '{"id":7}',
        json: { id: 7 },
        position: idOf(2),
      },
      {
        id: idOf(3),
        type: 'note',
        data: 'line',
        json: undefined,
        position: idOf(3),
      },
      {
        id: idOf(5),
        type: 'message',
        data: 'untyped',
        json: undefined,
        position: idOf(5),
      },
    ]);
  });

  it('is a member the transport delivers to, but not a connection that counts', async () => {
    const following = channels.channel('feed').follow(recorder().listener);
    expect(registry.hasMembers('feed')).toBe(true);
    expect([...registry.channelsWithMembers()]).toEqual(['feed']);
    expect(channels.channel('feed').count()).toBe(0);
    expect(await channels.channel('feed').countAll()).toBe(0);
    expect(registry.memberCounts()).toEqual({});
    const connection = new RecordingMember();
    registry.join('feed', connection);
    expect(channels.channel('feed').send({ data: 'x' })).toBe(1);
    expect(connection.log).toEqual(['x']);
    following.close();
    following.close();
    expect(registry.hasMembers('feed')).toBe(true);
    registry.leave('feed', connection);
    expect(registry.hasMembers('feed')).toBe(false);
    expect([...registry.channelsWithMembers()]).toEqual([]);
  });

  it('stops at close(), even within a delivery', () => {
    const first = recorder();
    const second = recorder();
    const feed = channels.channel('feed');
    const closing = feed.follow({
      event: (event) => {
        first.listener.event(event);
        closingSecond.close();
        closing.close();
      },
      reset: first.listener.reset,
    });
    const closingSecond = feed.follow(second.listener);
    feed.send({ data: '1' });
    feed.send({ data: '2' });
    expect(first.log).toEqual(['message:1']);
    expect(second.log).toEqual([]);
  });

  it('logs a listener that throws, and goes on delivering to the connections and the other followers', () => {
    const logged = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation(() => undefined);
    const feed = channels.channel('feed');
    const connection = new RecordingMember();
    const throwing = feed.follow({
      event: () => {
        throw new Error('projection broke');
      },
      reset: () => {
        throw new Error('reload broke');
      },
    });
    const other = recorder();
    feed.follow(other.listener);
    registry.join('feed', connection);
    feed.send({ data: '1' });
    feed.send({ data: '2' });
    registry.resetMembers('feed');
    expect(connection.log).toEqual(['1', '2', 'reset']);
    expect(other.log).toEqual(['message:1', 'message:2', 'reset']);
    expect(logged.mock.calls.map(([message]) => message)).toEqual([
      'A follower of channel "feed" threw in its event() listener; the connections and the other followers still got the event, and it goes on following.',
      'A follower of channel "feed" threw in its event() listener; the connections and the other followers still got the event, and it goes on following.',
      'A follower of channel "feed" threw in its reset() listener; the others were still reset, and it goes on following.',
    ]);
    expect(String(logged.mock.calls[0][1])).toContain('projection broke');
    throwing.close();
  });

  it('gives every follower the events in position order when a listener sends', () => {
    const feed = channels.channel('feed');
    const audit = channels.channel('audit');
    feed.follow({
      event: (event) => {
        audit.send({ data: `saw ${event.data}` });
      },
      reset: () => undefined,
    });
    const log: string[] = [];
    const all = {
      event: (event: SseFollowedEvent) => log.push(`${event.id} ${event.data}`),
      reset: () => undefined,
    };
    feed.follow(all);
    audit.follow(all);
    feed.send({ data: 'post' });
    expect(log).toEqual([`${idOf(1)} post`, `${idOf(2)} saw post`]);
  });

  it('refuses a listener without its two functions, naming the channel', () => {
    const feed = channels.channel('feed');
    for (const listener of [
      undefined,
      { event: () => undefined },
      { reset: () => undefined },
    ])
      expect(() => feed.follow(listener as never)).toThrow(
        new SseOptionsError(
          `channel("feed").follow() takes { event: (event) => ..., reset: () => ... }, two functions, got ${listener === undefined ? 'undefined' : JSON.stringify(listener)}.`,
        ),
      );
    expect(registry.hasMembers('feed')).toBe(false);
  });

  it('resets its followers when the transport resets the channel, and all of them when the history restarts', () => {
    const feed = recorder();
    const other = recorder();
    channels.channel('feed').follow(feed.listener);
    channels.channel('other').follow(other.listener);
    registry.resetMembers('feed');
    expect(feed.log).toEqual(['reset']);
    expect(other.log).toEqual([]);
    registry.restarted();
    expect(feed.log).toEqual(['reset', 'reset']);
    expect(other.log).toEqual(['reset']);
  });
});
