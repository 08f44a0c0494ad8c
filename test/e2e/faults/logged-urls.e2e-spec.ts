import { ChannelService } from '../../../src/sse/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { StalledReader } from '../../support/stalled-reader.js';
import { startFeedApp } from '../../support/feed-app.js';
import { ADAPTERS, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

// Pages that cannot set headers put their token in the query string
// (`new EventSource('/events?token=...')`): the module's log lines name the
// path of a connection, never its query.
describe.each(ADAPTERS)(
  'what is logged of a connection (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    const logger = new RecordingLogger();

    beforeEach(async () => {
      ({ running } = await startFeedApp(createAdapter, {}, (app) =>
        app.useLogger(logger),
      ));
    });
    afterEach(() => running.close());

    it('a dropped slow client is logged by its path, without the token in its query, with the limit it passed', async () => {
      const slow = await StalledReader.open(
        `${running.url}/firehose?token=SECRET-TOKEN`,
      );
      const firehose = running.app.get(ChannelService).channel('firehose');
      const padding = 'x'.repeat(16 * 1024);
      try {
        // Over several turns, so the socket stays backed up from one to the next.
        const dropped = () =>
          logger.at('warn').some((line) => line.includes('Dropped a client'));
        for (let turn = 0; turn < 200 && !dropped(); turn++) {
          for (let i = 0; i < 8; i++)
            firehose.send({ type: 'tick', data: padding });
          await new Promise((resolve) => setImmediate(resolve));
        }
        await waitFor(dropped, 'the stalled client to be dropped');
        const line = logger
          .at('warn')
          .find((message) => message.includes('Dropped a client'))!;
        expect(line).toContain('/firehose ');
        expect(line).not.toContain('SECRET-TOKEN');
        expect(line).not.toContain('?');
        // /firehose's maxPendingDataLength.
        expect(line).toContain('past the connection limit (262144)');
      } finally {
        slow.destroy();
      }
    });
  },
);
