import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../src/redis/index.js';
import { ChannelRegistry } from '../../src/sse/channels/channel.registry.js';
import { ResolvedSseOptions } from '../../src/sse/resolved-sse-options.js';
import { RecordingMember } from '../support/recording-member.js';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
  connectionsNamed,
} from '../support/redis.js';
import { waitFor, waitForAsync } from '../support/wait-for.js';

describeWithRedis(
  'an instance whose reader was cut off longer than the shared stream reaches back',
  () => {
    let prefix: string;
    let admin: Redis;
    let template: Redis;
    let a: RedisTransport;
    let b: RedisTransport;
    let onA: ChannelRegistry;
    let onB: ChannelRegistry;

    beforeAll(async () => {
      // The transport warns about the cut and the skipped events, as it should; not in the test output.
      Logger.overrideLogger(false);
      prefix = uniquePrefix();
      admin = new Redis(REDIS_URL);
      // B reconnects 700 ms after a drop, long enough for A to send past the shared stream's reach.
      template = new Redis(REDIS_URL, {
        lazyConnect: true,
        retryStrategy: () => 700,
      });
      a = new RedisTransport({
        url: REDIS_URL,
        keyPrefix: prefix,
        backlogSize: 1,
      });
      b = new RedisTransport({
        client: template,
        keyPrefix: prefix,
        backlogSize: 1,
      });
      const options = new ResolvedSseOptions();
      onA = new ChannelRegistry(options, a);
      onB = new ChannelRegistry(options, b);
      await Promise.all([a.start(), b.start()]);
      for (const registry of [onA, onB])
        registry.configure('short', { history: { size: 10 } });
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
      template.disconnect();
      await admin.quit();
      await deleteKeys(prefix);
    });

    it('replays what channel histories still have, and resets the members of a channel whose history lost some', async () => {
      const kept = new RecordingMember();
      const short = new RecordingMember();
      onB.join('kept', kept);
      onB.join('short', short);
      onA.publish('kept', { data: 'kept 0' });
      onA.publish('short', { data: 'short 0' });
      await waitFor(
        () => kept.log.length === 1 && short.log.length === 1,
        'the first events on B',
      );

      const readers = await connectionsNamed(
        `${prefix}${(b as unknown as { instanceId: string }).instanceId}:reader`,
      );
      expect(readers).toHaveLength(1);
      await admin.client('KILL', 'ID', readers[0].id);
      await waitFor(
        () => b.health().status === 'down',
        "B's reader to be down",
      );

      for (let i = 1; i <= 150; i++) {
        onA.publish('kept', { data: `kept ${i}` });
        onA.publish('short', { data: `short ${i}` });
      }
      await waitForAsync(
        async () => (await admin.xlen(`${prefix}events`)) < 300,
        'the shared stream to be trimmed',
      );
      await waitFor(
        () => kept.log.length === 151 && short.data.at(-1) === 'short 150',
        'B to catch up',
        15_000,
      );

      expect(kept.log).not.toContain('reset');
      expect(kept.data).toEqual(
        Array.from({ length: 151 }, (_, i) => `kept ${i}`),
      );
      // "short" keeps 10 events: its member is told it missed some, then gets what is left, in order.
      const resetAt = short.log.indexOf('reset');
      expect(resetAt).toBe(1);
      const after = short.data
        .slice(1)
        .map((data) => Number(data.split(' ')[1]));
      expect(after.length).toBeGreaterThanOrEqual(10);
      expect(after).toEqual(
        Array.from({ length: after.length }, (_, i) => 151 - after.length + i),
      );
      const positions = short.received.map((message) => message.position);
      expect(positions).toEqual([...positions].sort((p, q) => p - q));
    });
  },
);
