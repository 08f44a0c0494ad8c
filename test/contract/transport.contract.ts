import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { ChannelRegistry } from '../../src/sse/channels/channel.registry.js';
import { ResolvedSseOptions } from '../../src/sse/resolved-sse-options.js';
import {
  ChannelService,
  formatEventId,
  parseEventId,
  SseModule,
  SseTransportError,
  type SseTransport,
} from '../../src/sse/index.js';
import { RecordingMember } from '../support/recording-member.js';
import { waitFor } from '../support/wait-for.js';

/**
 * How a contract run makes a transport, starts it once it is bound to its
 * registry (as the module does: `bind` when the registry is made, then
 * `start()` at init), and stops it (`close()`, then whatever the run
 * cleans up). The last two are for transports whose events can be lost
 * while they run; one that cannot lose them omits them, and has no such
 * cases (they are not registered, rather than reported as skipped).
 */
export interface TransportFixture {
  create(): SseTransport;
  start(transport: SseTransport): Promise<void>;
  stop(transport: SseTransport): Promise<void>;
  /** Makes the transport's history be lost, as a broker that lost its data (a flush, a restart without persistence). */
  loseHistory?(transport: SseTransport): Promise<void>;
  /**
   * Makes this process's reader lose the events that `publish()` makes, as a
   * broker does that trims what a reader cut off has not read yet.
   */
  loseEvents?(transport: SseTransport, publish: () => void): Promise<void>;
}

/**
 * What every transport must do, whatever carries its events: the same suite
 * runs against `InMemoryTransport` and `RedisTransport`. Delivery may be
 * asynchronous, so each case waits for what it expects (bounded).
 */
export function transportContract(
  name: string,
  fixture: TransportFixture,
  run: (name: string, body: () => void) => void = describe,
): void {
  run(`SseTransport contract: ${name}`, () => {
    let transport: SseTransport;
    let registry: ChannelRegistry;

    beforeEach(async () => {
      transport = fixture.create();
      registry = new ChannelRegistry(
        new ResolvedSseOptions({ history: { size: 3 } }),
        transport,
      );
      await fixture.start(transport);
    });
    afterEach(() => fixture.stop(transport));

    function member(...channels: string[]): RecordingMember {
      const recording = new RecordingMember();
      for (const channel of channels) registry.join(channel, recording);
      return recording;
    }

    /** A follower of `channel` (`SseChannel.follow()`): what it got, as `type:data`, or `reset`. */
    function follower(channel: string): string[] {
      const log: string[] = [];
      registry.follow(channel, {
        event: (event) => log.push(`${event.type}:${event.data}`),
        reset: () => log.push('reset'),
      });
      return log;
    }

    it('delivers each event once to every member, in send order, as one shared message with the next position', async () => {
      const [a, b] = [member('feed'), member('feed')];
      const start = registry.head;
      for (let i = 1; i <= 20; i++)
        registry.publish('feed', { type: 'n', data: { i } });
      await waitFor(
        () => a.received.length === 20 && b.received.length === 20,
        'twenty events for both members',
      );
      expect(a.data).toEqual(
        Array.from({ length: 20 }, (_, i) => `{"i":${i + 1}}`),
      );
      expect(b.received).toEqual(a.received);
      a.received.forEach((message, i) => {
        expect(message).toBe(b.received[i]);
        expect(message.position).toBe(start + i + 1);
        expect(message.id).toBe(formatEventId(registry.epoch, start + i + 1));
        expect(message.type).toBe('n');
      });
      expect(registry.head).toBe(start + 20);
    });

    it('keeps channels apart, even with names that look like patterns', async () => {
      const names = ['a*', 'a1', 'a?', '[ab]', 'a', 'user:42', 'naïve ✓'];
      const members = names.map((name) => member(name));
      names.forEach((name) => registry.publish(name, { data: name }));
      await waitFor(
        () => members.every((m) => m.received.length >= 1),
        'one event per channel',
      );
      registry.publish('a', { data: 'last' });
      await waitFor(
        () => members[names.indexOf('a')].received.length === 2,
        'the last event',
      );
      members.forEach((m, i) =>
        expect(m.data).toEqual(names[i] === 'a' ? ['a', 'last'] : [names[i]]),
      );
    });

    it('delivers to a member of several channels in position order', async () => {
      const both = member('x', 'y');
      for (let i = 0; i < 10; i++)
        registry.publish(i % 2 ? 'x' : 'y', { data: String(i) });
      await waitFor(() => both.received.length === 10, 'ten events');
      expect(both.data).toEqual([
        '0',
        '1',
        '2',
        '3',
        '4',
        '5',
        '6',
        '7',
        '8',
        '9',
      ]);
      const positions = both.received.map((message) => message.position);
      expect(positions).toEqual([...positions].sort((p, q) => p - q));
    });

    it('replays the events of several channels after a position, in send order', async () => {
      const watcher = member('a', 'b', 'c');
      registry.publish('a', { data: 'a1' });
      await waitFor(() => watcher.received.length === 1, 'the first event');
      const from = watcher.received[0].position;
      registry.publish('b', { data: 'b1' });
      registry.publish('c', { data: 'c1' });
      registry.publish('a', { data: 'a2' });
      await waitFor(() => watcher.received.length === 4, 'four events');
      const result = await registry.readAfter(['a', 'b', 'a'], from);
      expect(
        'events' in result &&
          result.events.map((event) => [event.data, event.id]),
      ).toEqual([
        ['b1', watcher.received[1].id],
        ['a2', watcher.received[3].id],
      ]);
    });

    it('resets a client that missed events the history no longer keeps, and replays one that missed none of those', async () => {
      const watcher = member('h');
      for (let i = 1; i <= 5; i++) registry.publish('h', { data: `h${i}` });
      await waitFor(() => watcher.received.length === 5, 'five events');
      const positions = watcher.received.map((message) => message.position);
      expect(await registry.readAfter(['h'], positions[0])).toEqual({
        reset: 'evicted',
      });
      const result = await registry.readAfter(['h'], positions[1]);
      expect(
        'events' in result && result.events.map((event) => event.data),
      ).toEqual(['h3', 'h4', 'h5']);
      expect(await registry.readAfter(['h'], positions[4])).toEqual({
        events: [],
      });
    });

    it('with a history of 0, resets a client that missed anything and has nothing to replay otherwise', async () => {
      // A channel's settings last while it has members or history.
      const watcher = member('none');
      registry.configure('none', { history: { size: 0 } });
      registry.publish('none', { data: 'x' });
      registry.publish('none', { data: 'y' });
      await waitFor(() => watcher.received.length === 2, 'two events');
      const [x, y] = watcher.received;
      expect(await registry.readAfter(['none'], x.position)).toEqual({
        reset: 'evicted',
      });
      expect(await registry.readAfter(['none'], y.position)).toEqual({
        events: [],
      });
    });

    it("does not reset a client of one channel because another channel's history was lost", async () => {
      const watcher = member('orders');
      registry.publish('orders', { data: 'seen' });
      await waitFor(() => watcher.received.length === 1, 'the first order');
      const from = watcher.received[0].position;
      // A channel nobody is on, keeping nothing: its event is lost at once.
      const lost = registry.configure('user:42', { history: { size: 0 } });
      registry.publish('user:42', { data: 'lost' }, lost);
      registry.publish('orders', { data: 'missed' });
      await waitFor(() => watcher.received.length === 2, 'the second order');
      const replay = await registry.readAfter(['orders'], from);
      expect(
        'events' in replay && replay.events.map((event) => event.data),
      ).toEqual(['missed']);
      expect(await registry.readAfter(['orders', 'user:42'], from)).toEqual({
        reset: 'evicted',
      });
    });

    it('answers "unknown" for a position this history has not reached', async () => {
      const watcher = member('f');
      registry.publish('f', { data: 'x' });
      await waitFor(() => watcher.received.length === 1, 'one event');
      expect(
        await registry.readAfter(['f'], watcher.received[0].position + 1000),
      ).toEqual({ reset: 'unknown' });
    });

    it('refuses an event it cannot write, and then keeps and delivers nothing', async () => {
      const watcher = member('bad');
      expect(() => registry.publish('bad', { id: '7', data: 'x' })).toThrow(
        /channels assign ids/,
      );
      expect(() => registry.publish('bad', { data: undefined })).toThrow(
        /"data"/,
      );
      registry.publish('bad', { data: 'good' });
      await waitFor(() => watcher.received.length === 1, 'the good event');
      expect(watcher.data).toEqual(['good']);
      const before = watcher.received[0].position - 1;
      const replay = await registry.readAfter(['bad'], before);
      expect(
        'events' in replay && replay.events.map((event) => event.data),
      ).toEqual(['good']);
    });

    it('stops delivering to a member that left, and counts members here and everywhere', async () => {
      const [stays, leaves] = [member('c'), member('c')];
      expect(registry.count('c')).toBe(2);
      expect(await registry.countAll('c')).toBe(2);
      registry.leave('c', leaves);
      expect(registry.count('c')).toBe(1);
      registry.publish('c', { data: 'after' });
      await waitFor(() => stays.received.length === 1, 'the event');
      expect(leaves.received).toEqual([]);
      expect(await registry.countAll('c')).toBe(1);
      expect(await registry.countAll('nobody')).toBe(0);
    });

    it("delivers to a channel's followers, in order, though it has no connection, and counts them nowhere", async () => {
      const followed = follower('f');
      registry.publish('f', { data: 'one' });
      registry.publish('elsewhere', { data: 'not followed' });
      registry.publish('f', { type: 'two', data: { n: 2 } });
      await waitFor(() => followed.length === 2, 'the events');
      expect(followed).toEqual(['message:one', 'two:{"n":2}']);
      expect(registry.count('f')).toBe(0);
      expect(await registry.countAll('f')).toBe(0);
    });

    it('reports itself up', () => {
      expect(transport.health()).toMatchObject({
        status: 'up',
        queuedSends: 0,
      });
    });

    it('once closed, refuses sends and history reads with an SseTransportError naming it, and keeps nothing', async () => {
      const watcher = member('shut');
      registry.publish('shut', { data: 'before' });
      await waitFor(() => watcher.received.length === 1, 'the first event');
      const head = registry.head;
      await transport.close();
      const name = new RegExp(transport.constructor.name);
      let refusal: unknown;
      try {
        registry.publish('shut', { data: 'after' });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(SseTransportError);
      expect((refusal as Error).message).toMatch(name);
      expect((refusal as Error).message).toMatch(/"shut"/);
      expect(transport.health().queuedSends).toBe(0);
      expect(registry.head).toBe(head);
      const read = registry.readAfter(['shut'], head - 1);
      await expect(read).rejects.toBeInstanceOf(SseTransportError);
      await expect(read).rejects.toThrow(name);
      expect(watcher.data).toEqual(['before']);
      // The module closes it once; a second close (the fixture's) does nothing.
      await transport.close();
    });

    it('is started by the module at init, and closed by it at shutdown', async () => {
      const own = fixture.create();
      const moduleRef = await Test.createTestingModule({
        imports: [SseModule.forRoot({ transport: own })],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      let closed = false;
      try {
        await app.init();
        expect(own.health().status).toBe('up');
        const channel = app.get(ChannelService).channel('boot');
        expect(() => channel.send({ data: 'running' })).not.toThrow();
        await app.close();
        closed = true;
        expect(() => channel.send({ data: 'closed' })).toThrow(
          SseTransportError,
        );
      } finally {
        if (!closed) await app.close();
        await fixture.stop(own);
      }
    });

    if (fixture.loseHistory)
      it('when its history is lost, starts a new one under a new epoch, tells the sink, and the old ids are unknown', async () => {
        let restarts = 0;
        registry.onRestart(() => restarts++);
        const watcher = member('r');
        registry.publish('r', { data: 'before' });
        await waitFor(() => watcher.received.length === 1, 'the first event');
        const [before] = watcher.received;
        const oldEpoch = transport.epoch;
        expect(parseEventId(before.id, oldEpoch)).toBe(before.position);

        await fixture.loseHistory!(transport);
        registry.publish('r', { data: 'after' });
        await waitFor(() => watcher.received.length === 2, 'the event after');

        expect(restarts).toBe(1);
        expect(transport.epoch).not.toBe(oldEpoch);
        const after = watcher.received[1];
        expect(after.id).toBe(formatEventId(registry.epoch, after.position));
        expect(parseEventId(after.id, transport.epoch)).toBe(after.position);
        // A client resuming from the old history is reset as 'unknown'.
        expect(parseEventId(before.id, registry.epoch)).toBeUndefined();
      });

    if (fixture.loseEvents)
      it('when its reader lost events the history no longer keeps, resets the members of their channel, then delivers on in order', async () => {
        const [watcher, other] = [member('gap'), member('other')];
        registry.publish('gap', { data: 'g0' });
        await waitFor(() => watcher.received.length === 1, 'the first event');
        await fixture.loseEvents!(transport, () => {
          // Ten events in a history of three: seven are lost for good.
          for (let i = 1; i <= 10; i++)
            registry.publish('gap', { data: `g${i}` });
        });
        registry.publish('other', { data: 'o1' });
        await waitFor(
          () => watcher.data.at(-1) === 'g10' && other.received.length === 1,
          'the events after the loss',
          15_000,
        );
        expect(watcher.log.indexOf('reset')).toBe(1);
        expect(watcher.resets).toBe(1);
        expect(watcher.data).toEqual(['g0', 'g8', 'g9', 'g10']);
        const positions = watcher.received.map((message) => message.position);
        expect(positions).toEqual([...positions].sort((p, q) => p - q));
        // Only the channel that lost events is reset.
        expect(other.resets).toBe(0);
      });

    if (fixture.loseEvents)
      it('when its reader lost events, resets the followers of their channel, though it has no connection, then delivers on in order', async () => {
        const followed = follower('gap');
        registry.publish('gap', { data: 'g0' });
        await waitFor(() => followed.length === 1, 'the first event');
        await fixture.loseEvents!(transport, () => {
          for (let i = 1; i <= 10; i++)
            registry.publish('gap', { data: `g${i}` });
        });
        await waitFor(
          () => followed.at(-1) === 'message:g10',
          'the events after the loss',
          15_000,
        );
        expect(followed).toEqual([
          'message:g0',
          'reset',
          'message:g8',
          'message:g9',
          'message:g10',
        ]);
      });
  });
}
