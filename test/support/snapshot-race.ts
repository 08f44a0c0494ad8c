import { SSE_POSITION_HEADER } from '../../src/sse/index.js';
import { SseTestClient } from '../../src/testing/index.js';
import type { SnapshotPost } from '../fixtures/snapshot-posts.module.js';

/**
 * How a page loads: `snapshot` reads the posts and their position in one
 * response, then opens the stream from that position (the documented
 * pattern); `naive` loads the posts, then opens the stream from
 * now, as pages did before positions existed.
 */
export type PageLoad = 'snapshot' | 'naive';

/** What a race of page loads against a stream of posts gave. */
export interface SnapshotRaceResult {
  /** Posts created, the closing one included. */
  posts: number;
  /** Per load: the posts it never got (in neither its snapshot nor its stream). */
  lost: number[][];
  /** Per load: the posts it got more than once. */
  duplicated: number[][];
  /** Per load: the posts its stream delivered, in order. */
  streamed: number[][];
}

/**
 * `loads` fresh page loads, one after the other, while a post is created
 * every `everyMs` (round-robin on `writers`); on a fast machine the loads go
 * on until `minPosts` posts were created meanwhile, so that there is always
 * a race (50 loads took 210 ms alone: 10 posts). Load `i` reads its snapshot
 * from `pages[i % n]` and streams from `streams[i % n]`. Once they are all
 * open, the posts stop, one closing post is created, and every stream is
 * read up to it (events arrive in order, so each then has all the posts
 * before it): for each load, (posts in its snapshot) + (posts on its stream)
 * should be every post exactly once.
 */
export async function raceSnapshots(options: {
  writers: string[];
  pages: string[];
  streams: string[];
  load: PageLoad;
  loads?: number;
  everyMs?: number;
  minPosts?: number;
}): Promise<SnapshotRaceResult> {
  const {
    writers,
    pages,
    streams,
    load,
    loads = 50,
    everyMs = 20,
    minPosts = 20,
  } = options;
  const created: Array<Promise<SnapshotPost>> = [];
  let n = 0;
  const producer = setInterval(
    () => created.push(createPost(writers[n++ % writers.length])),
    everyMs,
  );
  const opened: Array<{ snapshot: SnapshotPost[]; client: SseTestClient }> = [];
  try {
    for (let i = 0; i < loads || created.length < minPosts; i++) {
      opened.push(
        await loadPage(
          pages[i % pages.length],
          streams[i % streams.length],
          load,
        ),
      );
    }
  } finally {
    clearInterval(producer);
  }
  try {
    await Promise.all(created);
    const closing = await createPost(writers[0]);
    await Promise.all(
      opened.map(({ client }) =>
        client.waitUntil(
          () => postsOn(client).includes(closing.id),
          `post ${closing.id} on the stream`,
        ),
      ),
    );
    const lost: number[][] = [];
    const duplicated: number[][] = [];
    const streamed = opened.map(({ client }) => postsOn(client));
    for (const { snapshot, client } of opened) {
      const times = new Map<number, number>();
      for (const id of [...snapshot.map((post) => post.id), ...postsOn(client)])
        times.set(id, (times.get(id) ?? 0) + 1);
      const ids = Array.from({ length: closing.id }, (_, i) => i + 1);
      lost.push(ids.filter((id) => !times.has(id)));
      duplicated.push(ids.filter((id) => (times.get(id) ?? 0) > 1));
    }
    return { posts: closing.id, lost, duplicated, streamed };
  } finally {
    opened.forEach(({ client }) => client.close());
  }
}

async function loadPage(
  page: string,
  stream: string,
  load: PageLoad,
): Promise<{ snapshot: SnapshotPost[]; client: SseTestClient }> {
  const options = { timeoutMs: 10_000 };
  if (load === 'naive') {
    const snapshot = await readPosts(await fetch(`${page}/posts`));
    const client = await SseTestClient.connect(stream, '/activity', options);
    return { snapshot, client };
  }
  const response = await fetch(`${page}/posts`);
  const position = response.headers.get(SSE_POSITION_HEADER);
  if (!position) throw new Error(`GET ${page}/posts has no position`);
  const snapshot = await readPosts(response);
  const client = await SseTestClient.connect(
    stream,
    `/activity?lastEventId=${encodeURIComponent(position)}`,
    options,
  );
  return { snapshot, client };
}

async function readPosts(response: Response): Promise<SnapshotPost[]> {
  if (!response.ok) throw new Error(`GET /posts answered ${response.status}`);
  return (await response.json()) as SnapshotPost[];
}

async function createPost(writer: string): Promise<SnapshotPost> {
  const response = await fetch(`${writer}/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'racing' }),
  });
  if (!response.ok) throw new Error(`POST /posts answered ${response.status}`);
  return (await response.json()) as SnapshotPost;
}

/** The ids of the posts `client` received, in the order it received them. */
function postsOn(client: SseTestClient): number[] {
  return client.events
    .filter((event) => event.type === 'new_post')
    .map((event) => (event.json() as SnapshotPost).id);
}
