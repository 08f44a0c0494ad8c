import { ChannelService } from '../../../src/sse/index.js';
import { FeedModule } from '../../fixtures/feed.module.js';
import { headPosition, idAt } from '../../support/positions.js';
import { readRaw } from '../../support/raw-stream.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';

/** The frames of a stream's body, each without its closing blank line; Nest opens the body with one `\n`. */
function framesOf(body: string): string[] {
  return body.replace(/^\n/, '').split('\n\n').slice(0, -1);
}

/**
 * The id an EventSource holds after dispatching `frames`: the spec sets the
 * last event ID string at every dispatch, even of a frame with no data (a
 * `retry:` hint), from the last `id:` field seen so far.
 */
function lastEventIdAfter(frames: string[], from: string): string {
  let id = from;
  for (const frame of frames)
    for (const line of frame.split('\n'))
      if (line.startsWith('id: ')) id = line.slice(4);
  return id;
}

describe.each(ADAPTERS)(
  'the retry hint of a resuming client (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let channels: ChannelService;

    beforeAll(async () => {
      running = await startApp(
        FeedModule.with({
          retryMs: 1000,
          heartbeatMs: 0,
          history: { size: 100 },
        }),
        createAdapter,
      );
      channels = running.app.get(ChannelService);
    });
    afterAll(() => running.close());

    /** Sends `a<from>`…`a<to>` on channel `a`. */
    const send = (from: number, to: number) => {
      for (let i = from; i <= to; i++)
        channels.channel('a').send({ type: 'a', data: `a${i}` });
    };

    it('carries no id past the resume position before the replayed events', async () => {
      const resumeAt = headPosition(running.app);
      const resumeId = idAt(running.app, resumeAt);
      send(1, 3);
      const raw = await readRaw(`${running.url}/feed?channels=a`, {
        headers: { 'Last-Event-ID': resumeId },
        until: (body) => body.includes('data: a3\n\n'),
      });
      const replayed = [1, 2, 3]
        .map(
          (i) =>
            `event: a\nid: ${idAt(running.app, resumeAt + i)}\ndata: a${i}\n\n`,
        )
        .join('');
      expect(raw.body).toMatch(
        new RegExp(
          `^\nid: ${resumeId}\nretry: \\d+\n\nevent: hello\nid: ${resumeId}\ndata: feed\n\n${replayed}$`,
        ),
      );
    });

    it('replays every missed event to a client that dropped right after the first frame', async () => {
      const resumeId = idAt(running.app);
      send(11, 15);
      const dropped = await readRaw(`${running.url}/feed?channels=a`, {
        headers: { 'Last-Event-ID': resumeId },
        until: (body) => framesOf(body).length >= 1,
      });
      const [first] = framesOf(dropped.body);
      expect(first).toMatch(/^(id: .*\n)?retry: \d+$/);
      const heldId = lastEventIdAfter([first], resumeId);

      send(16, 16); // so that the read below ends whatever it is given
      const again = await readRaw(`${running.url}/feed?channels=a`, {
        headers: { 'Last-Event-ID': heldId },
        until: (body) => body.includes('data: a16\n\n'),
      });
      const received = framesOf(again.body)
        .filter((frame) => /^event: (a|reset)\n/.test(frame))
        .map((frame) => /data: (.*)$/.exec(frame)![1]);
      expect(received).toEqual(['a11', 'a12', 'a13', 'a14', 'a15', 'a16']);
    });

    it('puts the retry hint of a client whose id cannot be resumed on its reset: no frame comes before the reset', async () => {
      send(21, 21);
      const raw = await readRaw(`${running.url}/feed?channels=a`, {
        headers: { 'Last-Event-ID': 'not-an-id-of-this-history' },
        until: (body) => framesOf(body).length >= 1,
      });
      expect(framesOf(raw.body)[0]).toMatch(
        new RegExp(
          `^event: reset\nid: ${idAt(running.app)}\nretry: \\d+\ndata: unknown$`,
        ),
      );
    });
  },
);
