import type { Page } from 'playwright-core';

const TIMEOUT_MS = 10_000;
/** Waits poll the page this often (rather than on every frame, which a busy page delays). */
const POLL_MS = 20;

/** What the sample page showed once caught up: posts missing, and posts shown twice or more. */
export interface ShownPosts {
  lost: number[];
  duplicated: number[];
}

/** Waits until the sample page's stream of /activity is open (its posts are shown by then). */
export const live = (page: Page) =>
  page.waitForFunction(
    `document.querySelector('#status').dataset.state === 'live'`,
    null,
    { polling: POLL_MS, timeout: TIMEOUT_MS },
  );

const shownIds = (page: Page) =>
  page
    .locator('#posts .post')
    .evaluateAll((posts) =>
      posts.map((post) => Number(post.getAttribute('data-post-id'))),
    );

/**
 * Waits until the sample page shows every post from 1 to `id` (with two
 * writers over Redis, the order of the events is the order Redis took them,
 * not that of the ids), then says which of them it does not show, and which
 * posts it shows twice; posts still missing after 10 s are lost.
 */
export async function caughtUp(page: Page, id: number): Promise<ShownPosts> {
  const showsAll = `(() => {
    const shown = new Set([...document.querySelectorAll('#posts .post')].map((post) => Number(post.dataset.postId)));
    for (let id = 1; id <= ${id}; id++) if (!shown.has(id)) return false;
    return true;
  })()`;
  await page
    .waitForFunction(showsAll, null, { polling: POLL_MS, timeout: TIMEOUT_MS })
    .catch(() => undefined); // reported as lost below
  const shown = await shownIds(page);
  const times = new Map<number, number>();
  for (const id of shown) times.set(id, (times.get(id) ?? 0) + 1);
  // Posts after `id` may still be on their way.
  const ids = Array.from({ length: id }, (_, i) => i + 1);
  return {
    lost: ids.filter((id) => !times.has(id)),
    duplicated: [...times].filter(([, n]) => n > 1).map(([id]) => id),
  };
}
