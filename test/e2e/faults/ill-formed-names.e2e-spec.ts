import { RoomsModule, listenToRoom } from '../../fixtures/rooms.module.js';
import { postJson } from '../../support/http.js';
import { headPosition, idAt } from '../../support/positions.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';

/**
 * A lone surrogate in a name taken from a request body: `JSON.parse` makes one
 * of `"\ud800"`. UTF-8 has no encoding for it, so Redis would store U+FFFD
 * instead, and `room:\ud800` would be the same channel as `room:\ufffd`.
 */
describe.each(ADAPTERS)(
  'names and fields that are not well-formed UTF-16, from a JSON body (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp(RoomsModule.with(), createAdapter);
    });
    afterAll(() => running.close());

    it('answers 400 naming the field, and delivers nothing to anyone', async () => {
      const head = headPosition(running.app);
      const id = (offset: number) => idAt(running.app, head + offset);
      const replacement = await listenToRoom(
        running.url,
        'room:\ufffd',
        'data: after',
      );
      const other = await listenToRoom(running.url, 'room:a', 'data: after');

      const badName = await postJson(
        `${running.url}/rooms/messages`,
        { room: 'room:\ud800', text: 'crossed' },
        null,
      );
      expect(badName.status).toBe(400);
      expect(badName.body).toMatchObject({
        field: 'channel',
        message:
          '[nestjs-sse-channels] A channel name must be well-formed UTF-16, but it has a lone surrogate (got "room:\\ud800"): UTF-8, and so Redis, can only write it as U+FFFD, which would make it the same channel as another name.',
      });
      for (const [field, message] of [
        ['type', { room: 'room:\ufffd', type: 'msg\udc00', text: 'bad type' }],
        ['type', { room: 'room:a', type: '\ud83d', text: 'bad type' }],
      ] as const) {
        const refused = await postJson(
          `${running.url}/rooms/messages`,
          message,
          null,
        );
        expect(refused.status).toBe(400);
        expect(refused.body.field).toBe(field);
        expect(refused.body.message).toMatch(
          /"type" must be well-formed UTF-16, but it has a lone surrogate/,
        );
      }

      for (const room of ['room:\ufffd', 'room:a']) {
        const sent = await postJson(
          `${running.url}/rooms/messages`,
          { room, type: 'msg', text: 'after' },
          null,
        );
        expect(sent.status).toBe(202);
      }
      expect(await replacement.body).toBe(
        `\nevent: joined\nid: ${id(0)}\ndata: room:\ufffd\n\nevent: msg\nid: ${id(1)}\ndata: after\n\n`,
      );
      expect(await other.body).toBe(
        `\nevent: joined\nid: ${id(0)}\ndata: room:a\n\nevent: msg\nid: ${id(2)}\ndata: after\n\n`,
      );
    });
  },
);
