import { ChannelService } from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { FeedModule } from '../fixtures/feed.module.js';
import { idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

describe.each(ADAPTERS)(
  'when replay is impossible: one reset event, then live (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let channels: ChannelService;
    let probe: ConnectionProbe;
    let sequence = 0;

    beforeAll(async () => {
      running = await startApp(
        FeedModule.with({ history: { size: 5 }, resetEventType: 'refetch' }),
        createAdapter,
      );
      channels = running.app.get(ChannelService);
      probe = running.app.get(ConnectionProbe);
    });
    afterAll(() => running.close());

    /**
     * Connects to channel `r` with the given Last-Event-ID (header or query),
     * sends one live event once connected, and returns the body up to it.
     */
    async function resumeWith(lastEventId: {
      header?: string;
      query?: string;
    }): Promise<{ status: number; body: string; liveId: string }> {
      const key = `reset-${sequence++}`;
      const query =
        lastEventId.query === undefined
          ? ''
          : `&lastEventId=${lastEventId.query}`;
      const pending = readRaw(
        `${running.url}/feed?channels=r&probe=${key}${query}`,
        {
          headers:
            lastEventId.header === undefined
              ? {}
              : { 'Last-Event-ID': lastEventId.header },
          until: (body) => body.includes('data: live'),
        },
      );
      await probe.get(key);
      const connectedAt = idAt(running.app);
      channels.channel('r').send({ type: 'r', data: 'live' });
      const { status, body } = await pending;
      return { status, body, liveId: connectedAt };
    }

    function expectResetThenLive(
      result: { status: number; body: string; liveId: string },
      reason: string,
    ): void {
      expect(result.status).toBe(200);
      const at = result.liveId;
      const live = idAt(running.app);
      expect(result.body).toBe(
        `\nevent: refetch\nid: ${at}\ndata: ${reason}\n\nevent: hello\nid: ${at}\ndata: feed\n\nevent: r\nid: ${live}\ndata: live\n\n`,
      );
    }

    it('resets a client whose missed events were evicted from the history', async () => {
      const before = idAt(running.app);
      for (let i = 0; i < 6; i++)
        channels.channel('r').send({ type: 'r', data: `old ${i}` });
      const result = await resumeWith({ header: before });
      // Eviction is found when the history is read, once the handler has greeted
      // (at the position the client gave); the reset then moves it to the present.
      expect(result.body).toBe(
        `\nevent: hello\nid: ${before}\ndata: feed\n\nevent: refetch\nid: ${result.liveId}\ndata: evicted\n\nevent: r\nid: ${idAt(running.app)}\ndata: live\n\n`,
      );
    });

    it('replays, with no reset, a client whose missed events are all still kept', async () => {
      for (let i = 0; i < 3; i++)
        channels.channel('r').send({ type: 'r', data: `kept ${i}` });
      const from = idAt(running.app);
      channels.channel('r').send({ type: 'r', data: 'missed' });
      const { body } = await resumeWith({ header: from });
      expect(body).not.toContain('refetch');
      expect(body).toMatch(/data: missed\n\n.*data: live\n\n$/s);
    });

    it('resets a client that comes back with an id from a previous instance of the app', async () => {
      const previous = await startApp(FeedModule.with(), createAdapter);
      const oldId = idAt(previous.app, 3);
      await previous.close();
      expectResetThenLive(await resumeWith({ header: oldId }), 'unknown');
    });

    it.each([
      ['10 kB long', { header: 'x'.repeat(10_000) }],
      ['a NUL', { query: `${'0'.repeat(12)}-1%00` }],
      ['non-ASCII', { query: encodeURIComponent('épоch-１') }],
      ['negative', { header: '-1' }],
      ['negative after our epoch', { epochRelative: '-5' }],
      ['absurdly large', { epochRelative: '9'.repeat(30) }],
      ['from the future', { epochRelative: '999999' }],
      ['empty', { header: '' }],
    ])(
      'resets a client whose id is %s, and never answers 500',
      async (_case, given) => {
        const epoch = idAt(running.app, 0).split('-')[0];
        const lastEventId =
          'epochRelative' in given
            ? { header: `${epoch}-${given.epochRelative}` }
            : given;
        expectResetThenLive(
          await resumeWith(lastEventId as { header?: string; query?: string }),
          'unknown',
        );
      },
    );
  },
);
