import { SseStats, type SseStatsSnapshot } from '../../../src/sse/index.js';
import { Gate, LateLeaversModule } from '../../fixtures/late-leavers.module.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ADAPTERS, startApp, type RunningApp } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';
import { WaitingRequests } from '../../support/waiting-requests.js';

/** Clients per scenario: as many as the issue measured (200 left behind during a guard). */
const CLIENTS = 200;

describe.each(ADAPTERS)(
  'clients that leave at each stage of a request (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp | undefined;
    let logger: RecordingLogger;
    let stats: SseStats;
    let gate: Gate;

    beforeEach(async () => {
      logger = new RecordingLogger();
      running = await startApp(
        LateLeaversModule.with({ heartbeatMs: 0, shutdownDrainMs: 0 }),
        createAdapter,
        (app) => app.useLogger(logger),
      );
      stats = running.app.get(SseStats);
      gate = running.app.get(Gate);
    });

    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    /** What users see of the registry: no stream open, none still being written. */
    const connectionsOf = (): SseStatsSnapshot['connections'] =>
      stats.snapshot().connections;

    /**
     * The registry must forget every one of them, and `app.close()` must find
     * nothing to wait for: a stream it thinks is still being written would make
     * it wait 5 s and then warn about it.
     */
    const expectNothingLeft = async () => {
      // Waits for the registry to empty, then shows what is left if it did not.
      await waitFor(
        () => connectionsOf().open === 0 && connectionsOf().responding === 0,
        'every stream to be forgotten',
        5_000,
      ).catch(() => undefined);
      expect(connectionsOf()).toEqual({
        open: 0,
        responding: 0,
        byEndpoint: {},
        clients: 0,
      });
      expect(stats.snapshot().pendingData.characters).toBe(0);
      expect(stats.snapshot().channels).toEqual({});
      await running!.close();
      running = undefined;
      expect(logger.at('warn')).toEqual([]);
      expect(logger.at('error')).toEqual([]);
    };

    it.each(['guard', 'pipe', 'handler'])(
      'forgets clients that left while an async %s ran',
      async (stage) => {
        const clients = new WaitingRequests(
          `${running!.url}/late/${stage}`,
          CLIENTS,
        );
        await waitFor(
          () => gate.arrived === CLIENTS,
          `every request to reach the ${stage}`,
        );
        if (stage === 'handler') expect(connectionsOf().open).toBe(CLIENTS);
        clients.destroyAll();
        await waitFor(
          () => gate.clientsGone === CLIENTS,
          'the server to see every client leave',
        );
        gate.open();
        await waitFor(
          () => gate.handlersRun === CLIENTS,
          'every handler to run',
        );
        await expectNothingLeft();
        expect(clients.bodies.every((body) => body === '')).toBe(true);
      },
    );

    it('forgets clients that left right after the first frame', async () => {
      const clients = new WaitingRequests(`${running!.url}/late/open`, CLIENTS);
      await clients.until(
        () => clients.bodies.every((body) => body.includes('event: ready')),
        'every client to get its first event',
      );
      expect(connectionsOf().open).toBe(CLIENTS);
      clients.destroyAll();
      await expectNothingLeft();
    });
  },
);
