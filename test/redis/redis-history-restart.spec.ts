import { Logger } from '@nestjs/common';
import { RedisTransport } from '../../src/redis/index.js';
import { parseEventId } from '../../src/sse/index.js';
import { ChannelRegistry } from '../../src/sse/channels/channel.registry.js';
import { ResolvedSseOptions } from '../../src/sse/resolved-sse-options.js';
import { RecordingMember } from '../support/recording-member.js';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { waitFor } from '../support/wait-for.js';

describeWithRedis(
  'a Redis that lost its data (a flush, or a restart without persistence)',
  () => {
    let prefix: string;
    let transport: RedisTransport;
    let registry: ChannelRegistry;

    beforeAll(async () => {
      Logger.overrideLogger(false);
      prefix = uniquePrefix();
      transport = new RedisTransport({ url: REDIS_URL, keyPrefix: prefix });
      registry = new ChannelRegistry(new ResolvedSseOptions(), transport);
      await transport.start();
    });
    afterAll(async () => {
      await transport.close();
      await deleteKeys(prefix);
    });

    it('starts a new history under a new epoch: connections are told, and events read on from its start', async () => {
      let restarts = 0;
      registry.onRestart(() => restarts++);
      const member = new RecordingMember();
      registry.join('r', member);
      registry.publish('r', { data: 'before' });
      await waitFor(() => member.received.length === 1, 'the first event');
      const before = member.received[0];
      const oldEpoch = transport.epoch;

      await deleteKeys(prefix);
      registry.publish('r', { data: 'after 1' });
      registry.publish('r', { data: 'after 2' });
      await waitFor(
        () => member.received.length === 3,
        'the events after the loss',
      );

      expect(restarts).toBe(1);
      expect(transport.epoch).not.toBe(oldEpoch);
      expect(before.id).toBe(`${oldEpoch}-${before.position}`);
      expect(
        member.received.slice(1).map((message) => [message.data, message.id]),
      ).toEqual([
        ['after 1', `${transport.epoch}-1`],
        ['after 2', `${transport.epoch}-2`],
      ]);
      // An id of the old history means nothing in the new one.
      expect(parseEventId(before.id, registry.epoch)).toBeUndefined();
    });
  },
);
