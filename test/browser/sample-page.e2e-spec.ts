import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH, describeWithChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { SampleAppProcess } from '../support/sample-app-process.js';

/** Where the suite writes its screenshot (ignored by git; docs/images has the README's copy). */
const SCREENSHOT = 'test-results/sample-page.png';

const statusOf = (page: Page) =>
  page.locator('#status').getAttribute('data-state');
const postsTitled = (page: Page, title: string) =>
  page.locator('#posts .post-title', { hasText: title });

async function post(page: Page, title: string, author: string): Promise<void> {
  await page.fill('#post-form input[name="title"]', title);
  await page.fill('#post-form input[name="author"]', author);
  await page.click('#post-form button[type="submit"]');
}

// The sample page in a real browser: two tabs, a post from one appearing live in
// the other, and both recovering from a restart of the server as the no-loss
// issue describes (a reset reloads the feed; nothing shows twice).
describeWithChromium('the sample page in Chromium', () => {
  let app: SampleAppProcess;
  let browser: Browser;
  let first: Page;
  let second: Page;
  /** Per page: the resets its stream of /activity got (the page logs each). */
  const resets = new Map<Page, string[]>();

  beforeAll(async () => {
    app = new SampleAppProcess(await freePort());
    await app.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox'],
    });
    const url = `http://127.0.0.1:${app.port}/`;
    [first, second] = await Promise.all([browser.newPage(), browser.newPage()]);
    for (const page of [first, second]) {
      resets.set(page, []);
      page.on('console', (message) => {
        if (message.text().startsWith('Stream reset'))
          resets.get(page)!.push(message.text());
      });
    }
    await Promise.all([first.goto(url), second.goto(url)]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows a post made in one tab live in the other', async () => {
    for (const page of [first, second])
      await page
        .locator('#status[data-state="live"]')
        .waitFor({ timeout: 10_000 });
    await post(first, 'Hello from the first tab', 'ada');
    await postsTitled(second, 'Hello from the first tab').waitFor({
      timeout: 10_000,
    });
    expect(await postsTitled(second, 'Hello from the first tab').count()).toBe(
      1,
    );
    expect(await postsTitled(first, 'Hello from the first tab').count()).toBe(
      1,
    );
  });

  it('shows an order placed in one tab live in the other', async () => {
    await first.fill('#order-form input[name="product"]', 'tea');
    await first.fill('#order-form input[name="quantity"]', '3');
    await first.click('#order-form button[type="submit"]');
    const order = second.locator('#orders li', { hasText: '3 × tea' });
    await order.waitFor({ timeout: 10_000 });
    expect(await order.count()).toBe(1);
    expect(await first.locator('#order-form-message').textContent()).toBe(
      'Order placed; 2 stream(s) told.',
    );
  });

  it('recovers from a restart of the server: one reset, feed reloaded, a new post shown once', async () => {
    await app.stop();
    for (const page of [first, second]) {
      await page
        .locator('#status:not([data-state="live"])')
        .waitFor({ timeout: 10_000 });
    }
    await app.start();
    for (const page of [first, second])
      await page
        .locator('#status[data-state="live"]')
        .waitFor({ timeout: 20_000 });
    // The new process has a new history: the pages were reset and reloaded the
    // (now empty, in memory) feed, so the old post is gone from both.
    for (const page of [first, second])
      await postsTitled(page, 'Hello from the first tab').waitFor({
        state: 'detached',
        timeout: 10_000,
      });

    await post(second, 'After the restart', 'grace');
    await postsTitled(first, 'After the restart').waitFor({ timeout: 10_000 });
    for (const page of [first, second]) {
      expect(await postsTitled(page, 'After the restart').count()).toBe(1);
      expect(await page.locator('#posts .post').count()).toBe(1);
      // The old stream's id is from the previous process: one reset, then a
      // stream from the new feed's position, which needs none.
      expect(resets.get(page)).toEqual([
        'Stream reset (unknown): reloading the feed.',
      ]);
    }
    expect(await statusOf(first)).toBe('live');

    mkdirSync('test-results', { recursive: true });
    await first.setViewportSize({ width: 1200, height: 800 });
    await first.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 60_000);
});
