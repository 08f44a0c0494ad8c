import { StalledReader } from '../../support/stalled-reader.js';
import { feedAppForEachTest } from '../../support/feed-app.js';
import { ADAPTERS } from '../../support/test-app.js';
import { waitFor } from '../../support/wait-for.js';

const BUDGET = 1024 * 1024;

/**
 * Clients that stopped reading long ago hold the whole `maxPendingDataTotal`
 * budget when another client falls behind for a moment: the budget makes room
 * by dropping the client behind for the longest, not the one that fell
 * behind last.
 */
describe.each(ADAPTERS)('a full budget (%s)', (_adapter, createAdapter) => {
  const feed = feedAppForEachTest(createAdapter, {
    maxPendingDataTotal: BUDGET,
  });

  /** Sends 20 events of 10 KB to `name` per turn, numbered from `from`, until `done()`; returns the next number. */
  async function sendUntil(
    name: string,
    from: number,
    done: () => boolean,
  ): Promise<number> {
    const channel = feed.channels.channel(name);
    const padding = 'x'.repeat(10_000);
    let next = from;
    for (let round = 0; round < 1000 && !done(); round++) {
      for (let i = 0; i < 20; i++)
        channel.send({ type: 'n', data: `${next++}:${padding}` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    return next;
  }

  it('drops the clients stalled the longest to make room for one that paused, which then gets every event', async () => {
    // Endpoint limit 4M: only the budget (1M) can drop a client here.
    const stalled = await Promise.all(
      Array.from({ length: 10 }, () =>
        StalledReader.open(`${feed.running.url}/feed?channels=old`),
      ),
    );
    const paused = await StalledReader.open(
      `${feed.running.url}/feed?channels=new`,
    );
    await waitFor(
      () => feed.stats().connections.open === 11,
      'every client to connect',
    );
    expect(feed.stats().pendingData).toEqual({ characters: 0, limit: BUDGET });
    try {
      await sendUntil(
        'old',
        0,
        () => feed.stats().pendingData.characters > BUDGET * 0.9,
      );
      const droppedBefore = feed.stats().droppedSlowClients;
      // The paused client falls behind too; room must be made for it.
      const sent = await sendUntil(
        'new',
        0,
        () => feed.stats().droppedSlowClients > droppedBefore || paused.closed,
      );
      let text = '';
      paused.resume((chunk) => (text += chunk));
      await waitFor(
        () => text.includes(`data: ${sent - 1}:`) || paused.closed,
        'the paused client to catch up',
      );

      expect(paused.closed).toBe(false);
      const received = [...text.matchAll(/data: (\d+):/g)].map((match) =>
        Number(match[1]),
      );
      expect(received).toEqual(Array.from({ length: sent }, (_, i) => i));
      expect(feed.stats().droppedSlowClients).toBeGreaterThan(droppedBefore);
      expect(feed.stats().connections.open).toBeLessThan(11);
    } finally {
      paused.destroy();
      stalled.forEach((reader) => reader.destroy());
    }
  });
});
