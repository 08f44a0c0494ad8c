import { setTimeout as delay } from 'node:timers/promises';
import { ChannelService, SSE_POSITION_HEADER } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import {
  InMemorySnapshotPosts,
  SnapshotPostsModule,
  SnapshotPostsStore,
  type SnapshotPost,
} from '../fixtures/snapshot-posts.module.js';
import { raceSnapshots } from '../support/snapshot-race.js';
import { statsOf } from '../support/stats.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

/**
 * How long the store takes to answer, as a database query does: long enough
 * that posts are created while a snapshot reads it (a page that read this
 * store with its position got a post twice in a few loads of 50).
 */
const STORE_MS = 3;

/** Posts in memory behind an I/O wait: the shared store of an app, as far as timing goes. */
class DelayedSnapshotPosts extends SnapshotPostsStore {
  private readonly posts = new InMemorySnapshotPosts();

  async list(): Promise<SnapshotPost[]> {
    await delay(STORE_MS);
    return this.posts.list();
  }

  async add(title: string): Promise<SnapshotPost> {
    await delay(STORE_MS);
    return this.posts.add(title);
  }
}

// A service that follows `activity` (SseChannel.follow) and serves the posts
// it followed: what it serves and its position are one cut, though its store
// answers only after an I/O wait.
describe.each(ADAPTERS)(
  'serving state followed from a channel, in memory (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;

    beforeAll(async () => {
      running = await startApp(
        SnapshotPostsModule.followed(new DelayedSnapshotPosts()),
        createAdapter,
      );
    });
    afterAll(() => running.close());

    it('lists a post as soon as its event is sent, at the position of that event; the follower is no connection', async () => {
      const client = await SseTestClient.connect(running.url, '/activity');
      try {
        const created = await fetch(`${running.url}/posts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: 'hello' }),
        });
        const post = (await created.json()) as SnapshotPost;
        await client.waitForEvents(1, 'new_post');
        const listed = await fetch(`${running.url}/posts`);
        expect(listed.headers.get(SSE_POSITION_HEADER)).toBe(
          client.lastEventId,
        );
        expect(await listed.json()).toContainEqual(post);
        expect(statsOf(running.app)().channels).toEqual({ activity: 1 });
        expect(
          running.app.get(ChannelService).channel('activity').count(),
        ).toBe(1);
      } finally {
        client.close();
      }
    });

    it('loses and repeats nothing: 50 page loads while posts are created every 20 ms', async () => {
      const { lost, duplicated } = await raceSnapshots({
        writers: [running.url],
        pages: [running.url],
        streams: [running.url],
        load: 'snapshot',
      });
      expect(lost.flat()).toEqual([]);
      expect(duplicated.flat()).toEqual([]);
    });
  },
);
