import { SSE_POSITION_HEADER } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import { freePort } from '../support/free-port.js';
import { getJson, postJson } from '../support/http.js';
import { describeWithRedis, uniquePrefix } from '../support/redis.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { SampleAppProcess } from '../support/sample-app-process.js';
import { waitForAsync } from '../support/wait-for.js';

interface FeedPost {
  id: number;
  title: string;
  comments: Array<{ id: number; body: string }>;
}

const titles = (posts: FeedPost[]) =>
  posts.map((post) => `${post.id} ${post.title}`);

// The sample app's posts with two instances over Redis: each serves the posts
// it followed on `activity`, loaded from Redis when it starts, and loads them
// again when Redis loses its data (its follower is reset). The test has a
// Redis of its own to flush.
describeWithRedis(
  'the sample app on two instances over Redis: the posts each serves',
  () => {
    let redis: RedisServerProcess;
    let a: SampleAppProcess;
    let b: SampleAppProcess | undefined;
    let urlOf: (app: SampleAppProcess) => string;

    beforeAll(async () => {
      redis = await RedisServerProcess.start();
      const env = { REDIS_URL: redis.url, SAMPLE_REDIS_PREFIX: uniquePrefix() };
      a = new SampleAppProcess(await freePort(), env);
      b = new SampleAppProcess(await freePort(), env);
      urlOf = (app) => `http://127.0.0.1:${app.port}`;
      await a.start();
    }, 60_000);
    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await redis?.remove();
    });

    it('lists, on an instance started later, the posts made before it started; then what both follow', async () => {
      const first = await postJson(`${urlOf(a)}/api/posts`, {
        title: 'first',
        author: 'ada',
      });
      await postJson(`${urlOf(a)}/api/posts/${first.body.id}/comments`, {
        author: 'bob',
        body: 'nice',
      });
      await postJson(`${urlOf(a)}/api/posts`, {
        title: 'second',
        author: 'ada',
      });
      await b!.start();

      const listed = await fetch(`${urlOf(b!)}/api/posts`);
      const posts = (await listed.json()) as FeedPost[];
      expect(titles(posts)).toEqual(['1 first', '2 second']);
      expect(posts[0].comments.map((comment) => comment.body)).toEqual([
        'nice',
      ]);

      // A page on B from there: the next post on its stream, then in the list at its position.
      const position = listed.headers.get(SSE_POSITION_HEADER)!;
      const page = await SseTestClient.connect(
        urlOf(b!),
        `/activity?lastEventId=${encodeURIComponent(position)}`,
      );
      try {
        await postJson(`${urlOf(a)}/api/posts`, {
          title: 'third',
          author: 'ada',
        });
        await page.waitForEvents(1, 'new_post');
        const after = await fetch(`${urlOf(b!)}/api/posts`);
        expect(after.headers.get(SSE_POSITION_HEADER)).toBe(page.lastEventId);
        expect(titles((await after.json()) as FeedPost[])).toEqual([
          '1 first',
          '2 second',
          '3 third',
        ]);
      } finally {
        page.close();
      }
    });

    it('loads the posts again when Redis loses its data: the old ones are gone from both', async () => {
      await redis.command('FLUSHALL');
      // Neither instance sends: each notices by itself, and reloads an empty store.
      for (const app of [a, b!])
        await waitForAsync(
          async () =>
            (await getJson(`${urlOf(app)}/api/posts`)).body.length === 0,
          `${urlOf(app)} to serve no post`,
        );
      await postJson(`${urlOf(a)}/api/posts`, {
        title: 'after',
        author: 'ada',
      });
      for (const app of [a, b!])
        await waitForAsync(
          async () =>
            (await getJson(`${urlOf(app)}/api/posts`)).body.length === 1,
          `${urlOf(app)} to serve the new post`,
        );
      // The store numbers from 1 again: the new post 1, not the old one.
      expect(titles((await getJson(`${urlOf(b!)}/api/posts`)).body)).toEqual([
        '1 after',
      ]);
    });
  },
);
