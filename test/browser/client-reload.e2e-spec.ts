import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH, describeWithChromium } from '../support/chromium.js';
import { freePort } from '../support/free-port.js';
import { SampleAppProcess } from '../support/sample-app-process.js';
import { EventWaits } from '../support/wait-for.js';

/**
 * A page of the sample app's origin (served by the test) that loads the
 * client from the sample app with `<script type="module">` and reports each
 * `new_post` title and each state to the test.
 */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script type="module">
  import { openSseStream } from '/sse-client/index.js';
  const stream = openSseStream('/activity');
  stream.on('new_post', (event) => window.recordPost(event.json().title));
  stream.onStateChange((state) => window.recordState(state));
</script>`;

// nestjs-sse-channels/client in Chromium, as a page uses it: a reload in the
// middle of a stream of posts neither loses nor repeats one (the last event id
// is kept in sessionStorage and sent as ?lastEventId= by the reloaded page).
describeWithChromium('the client in Chromium across a page reload', () => {
  let app: SampleAppProcess;
  let browser: Browser;
  let page: Page;
  let base = '';
  const titles: string[] = [];
  const states: string[] = [];
  const waits = new EventWaits();
  /** Called while the reloaded page loads the client: the posts it must not miss. */
  let whileReloading: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    app = new SampleAppProcess(await freePort());
    await app.start();
    base = `http://127.0.0.1:${app.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox'],
    });
    page = await browser.newPage();
    await page.exposeFunction('recordPost', (title: string) => {
      titles.push(title);
      waits.notify();
    });
    await page.exposeFunction('recordState', (state: string) => {
      states.push(state);
      waits.notify();
    });
    await page.route(`${base}/client-reload.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: PAGE }),
    );
    // The reloaded page asks for the client once the old page is gone (its
    // document replaced): what is sent meanwhile reaches no page.
    await page.route(`${base}/sse-client/index.js`, async (route) => {
      const pending = whileReloading;
      whileReloading = undefined;
      await pending?.();
      await route.continue();
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function createPost(title: string): Promise<void> {
    const response = await fetch(`${base}/api/posts`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer demo-token',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title, author: 'test' }),
    });
    expect(response.status).toBe(201);
  }

  const opened = (count: number) =>
    waits.until(
      () => states.filter((state) => state === 'open').length >= count,
      () => `the page's stream to open (${count}), states: ${states}`,
    );

  it('receives every post once, those sent while the page reloaded included', async () => {
    await page.goto(`${base}/client-reload.html`);
    await opened(1);
    const sent: string[] = [];
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const title = `post ${sent.length}`;
        sent.push(title);
        await createPost(title);
      }
    };
    await send(5);
    await waits.until(
      () => titles.length >= 5,
      () => `5 posts before the reload, got ${titles}`,
    );
    // Posts made after the page unloaded and before the reloaded one connected.
    whileReloading = () => send(5);
    await page.reload();
    await opened(2);
    await send(5);
    await waits.until(
      () => titles.includes(sent.at(-1)!),
      () => `the last post, got ${titles}`,
    );

    expect(titles).toEqual(sent);
    expect(states).toEqual(['open', 'open']);
  }, 60_000);
});
