import { RedisTransport } from '../../src/redis/index.js';
import { RoomsModule, listenToRoom } from '../fixtures/rooms.module.js';
import { postJson } from '../support/http.js';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_URL,
  uniquePrefix,
} from '../support/redis.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

/** The wire text without its ids, which Redis numbers. */
const withoutIds = (body: string) => body.replace(/^id: .*$/gm, 'id: _');

describeWithRedis('a channel name with a lone surrogate, through Redis', () => {
  describe.each(ADAPTERS)('(%s)', (_adapter, createAdapter) => {
    let prefix: string;
    let running: RunningApp;

    beforeAll(async () => {
      prefix = uniquePrefix();
      running = await startApp(
        RoomsModule.with({
          transport: new RedisTransport({ url: REDIS_URL, keyPrefix: prefix }),
        }),
        createAdapter,
      );
    });
    afterAll(async () => {
      await running?.close();
      await deleteKeys(prefix);
    });

    it('is refused, so room:\\ud800 never reaches the clients of room:\\ufffd (its key in Redis if it were written)', async () => {
      const listener = await listenToRoom(
        running.url,
        'room:\ufffd',
        'data: after',
      );
      const refused = await postJson(
        `${running.url}/rooms/messages`,
        { room: 'room:\ud800', type: 'msg', text: 'crossed' },
        null,
      );
      const sent = await postJson(
        `${running.url}/rooms/messages`,
        { room: 'room:\ufffd', type: 'msg', text: 'after' },
        null,
      );
      // What the client got first: a crossed event would come before `after`.
      expect(withoutIds(await listener.body)).toBe(
        `\nevent: joined\nid: _\ndata: room:\ufffd\n\nevent: msg\nid: _\ndata: after\n\n`,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe('channel');
      expect(sent.status).toBe(202);
    });
  });
});
