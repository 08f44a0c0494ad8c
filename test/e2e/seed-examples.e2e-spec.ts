import { AppModule } from '../../sample-app/app.module.js';
import { getJson, postJson } from '../support/http.js';
import { readRaw } from '../support/raw-stream.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { idAt } from '../support/positions.js';
import { waitForAsync } from '../support/wait-for.js';

// Every example of the seed document, through the sample app, as a browser sees it.
describe.each(ADAPTERS)(
  'seed examples in the sample app (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    const clients = openedClients();
    const connect = (path: string) => clients.connect(`${running.url}${path}`);

    beforeAll(async () => {
      running = await startApp(AppModule, createAdapter);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it('/events sends "connected", ten updates, then ends the stream (exact wire text)', async () => {
      // No channel event reaches /events: every event carries the position at which it connected.
      const id = idAt(running.app);
      const response = await readRaw(`${running.url}/events`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream');
      expect(response.headers['cache-control']).toContain('no-cache');
      expect(response.headers['x-accel-buffering']).toBe('no');
      expect(response.ended).toBe(true);
      const ticks = Array.from(
        { length: 10 },
        (_, i) => `event: update\nid: ${id}\ndata: tick ${i}\n\n`,
      ).join('');
      expect(response.body).toBe(
        `\nevent: connected\nid: ${id}\ndata: Welcome\n\n${ticks}`,
      );
    });

    it('/events reaches an EventSource listener by listener, in order', async () => {
      const client = await connect('/events');
      await client.waitForEvents(11);
      expect(
        client.events
          .slice(0, 11)
          .map((event) => `${event.type}:${event.data}`),
      ).toEqual([
        'connected:Welcome',
        ...Array.from({ length: 10 }, (_, i) => `update:tick ${i}`),
      ]);
      // close() ended the stream: the browser reports it and will reconnect.
      await client.waitForError();
    });

    it('/order-updates greets, then receives every order POSTed to /api/orders', async () => {
      const first = await connect('/order-updates');
      const second = await connect('/order-updates');
      await first.waitForEvents(1);
      await second.waitForEvents(1);
      expect(first.events[0]).toMatchObject({
        type: 'connected',
        data: 'Listening for order updates',
      });

      const created = await postJson(
        `${running.url}/api/orders`,
        { item: 'coffee', quantity: 2 },
        null,
      );
      expect(created.status).toBe(201);
      expect(created.headers.get('x-sse-notified')).toBe('2');

      for (const client of [first, second]) {
        await client.waitForEvents(2);
        expect(JSON.parse(client.dataOf('new_order')[0])).toEqual(created.body);
      }
    });

    it('/activity streams new posts and comments; the POSTs need the bearer token', async () => {
      const feed = await connect('/activity');
      await feed.waitForEvents(1);
      expect(feed.events[0]).toMatchObject({
        type: 'init',
        data: 'Connected to activity feed',
      });

      expect(
        (
          await postJson(
            `${running.url}/api/posts`,
            { title: 'x', author: 'y' },
            null,
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await postJson(
            `${running.url}/api/posts`,
            { title: 'x', author: 'y' },
            'wrong',
          )
        ).status,
      ).toBe(401);

      const post = await postJson(`${running.url}/api/posts`, {
        title: 'Hello',
        author: 'ada',
      });
      expect(post.status).toBe(201);
      const comment = await postJson(
        `${running.url}/api/posts/${post.body.id}/comments`,
        { author: 'bob', body: 'Nice' },
      );
      expect(comment.status).toBe(201);
      expect(
        (
          await postJson(`${running.url}/api/posts/abc/comments`, {
            author: 'bob',
            body: 'x',
          })
        ).status,
      ).toBe(400);

      await feed.waitForEvents(3);
      expect(JSON.parse(feed.dataOf('new_post')[0])).toEqual({
        id: post.body.id,
        title: 'Hello',
        author: 'ada',
      });
      expect(JSON.parse(feed.dataOf('new_comment')[0])).toEqual({
        id: comment.body.id,
        post_id: post.body.id,
        author: 'bob',
        body: 'Nice',
      });

      const list = await getJson(`${running.url}/api/posts`);
      // The feed's position rides along: the newest event, the comment.
      const listed = await fetch(`${running.url}/api/posts`);
      expect(listed.headers.get('sse-position')).toBe(feed.lastEventId);
      expect(
        list.body.find(
          (candidate: { id: number }) => candidate.id === post.body.id,
        ).comments,
      ).toHaveLength(1);
    });

    it('/users/:id/notifications runs its guard and pipe, then joins the user channel', async () => {
      expect(
        (await readRaw(`${running.url}/users/7/notifications`)).status,
      ).toBe(401);
      const badId = await readRaw(
        `${running.url}/users/seven/notifications?token=demo-token`,
      );
      expect(badId.status).toBe(400);
      expect(JSON.parse(badId.body)).toMatchObject({ statusCode: 400 });

      const user7 = await connect('/users/7/notifications?token=demo-token');
      const user8 = await connect('/users/8/notifications?token=demo-token');
      await user7.waitForEvents(1);
      await user8.waitForEvents(1);
      const sent = await postJson(`${running.url}/api/users/7/notifications`, {
        message: 'You have a new message',
      });
      expect(sent.body).toEqual({ delivered: 1 });
      await user7.waitForEvents(2);
      expect(user7.dataOf('notification')).toEqual(['You have a new message']);
      expect(user8.dataOf('notification')).toEqual([]);
    });

    it('serves the activity page at /', async () => {
      const page = await fetch(`${running.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain("openSseStream('/activity'");
    });

    it('counts listeners: a client that leaves is no longer counted', async () => {
      const client = await connect('/order-updates');
      await client.waitForEvents(1);
      const before = await postJson(
        `${running.url}/api/orders`,
        { item: 'tea' },
        null,
      );
      expect(before.headers.get('x-sse-notified')).toBe('1');
      client.close();
      await waitForAsync(
        async () =>
          (
            await postJson(`${running.url}/api/orders`, { item: 'tea' }, null)
          ).headers.get('x-sse-notified') === '0',
        'the closed client to leave channel "orders"',
      );
    });
  },
);
