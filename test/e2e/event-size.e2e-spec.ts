import { statsOf } from '../support/stats.js';
import {
  ChannelService,
  SseEventError,
  type SseEvent,
} from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { headPosition, idAt } from '../support/positions.js';
import { readRaw } from '../support/raw-stream.js';
import { openedClients } from '../support/opened-clients.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

/** The endpoint of these tests: the probe's plain one, on channel `sized`. */
const SIZED = '/probe/channels/dynamic?join=sized';
const LIMIT = 64 * 1024;
/** 1, 2, 3 and 4 UTF-8 bytes: ASCII, Latin, the euro sign and an emoji (a surrogate pair). */
const MIXED = 'aé€😀';
/** Exactly LIMIT bytes in UTF-8, far fewer characters. */
const AT_LIMIT = MIXED.repeat(6553) + 'xxxxxx';
/** One byte over, by a 2-byte character at the end. */
const OVER_LIMIT = MIXED.repeat(6553) + 'xxxxxé';

/** Compares two long strings without letting a failure print megabytes: it shows where they part. */
function expectSameText(actual: string, expected: string): void {
  if (actual === expected) return;
  let at = 0;
  while (
    at < Math.min(actual.length, expected.length) &&
    actual[at] === expected[at]
  )
    at++;
  throw new Error(
    `texts differ at character ${at} (lengths ${actual.length} and ${expected.length}): ` +
      `got ${JSON.stringify(actual.slice(at, at + 80))}, expected ${JSON.stringify(expected.slice(at, at + 80))}`,
  );
}

function refusal(act: () => unknown): SseEventError {
  let error: unknown;
  try {
    act();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(SseEventError);
  return error as SseEventError;
}

describe.each(ADAPTERS)('maxEventBytes (%s)', (adapter, createAdapter) => {
  describe('set to 64 KiB', () => {
    let running: RunningApp;
    let probe: ConnectionProbe;
    let channels: ChannelService;
    const clients = openedClients();

    beforeAll(async () => {
      running = await startApp(
        ProbeModule.with({ maxEventBytes: LIMIT, heartbeatMs: 0 }),
        createAdapter,
      );
      probe = running.app.get(ConnectionProbe);
      channels = running.app.get(ChannelService);
    });
    afterEach(() => clients.closeAll());
    afterAll(() => running.close());

    it('the test strings are what they claim', () => {
      expect(Buffer.byteLength(AT_LIMIT)).toBe(LIMIT);
      expect(AT_LIMIT.length).toBeLessThan(LIMIT);
      expect(Buffer.byteLength(OVER_LIMIT)).toBe(LIMIT + 1);
    });

    it('delivers an event of exactly the limit intact through a real EventSource, from send() and channel.send()', async () => {
      const key = `at-limit-${adapter}`;
      const client = await clients.connect(
        `${running.url}${SIZED}&probe=${key}`,
      );
      await client.waitForEvents(1);
      const connection = await probe.get(key);
      expect(connection.send({ type: 'big', data: AT_LIMIT })).toBe(true);
      expect(
        channels.channel('sized').send({ type: 'big', data: AT_LIMIT }),
      ).toBe(1);
      await client.waitForEvents(3);
      const big = client.dataOf('big');
      expect(big).toHaveLength(2);
      expectSameText(big[0], AT_LIMIT);
      expectSameText(big[1], AT_LIMIT);
      // Ended by the server, so the EventSource has no request of its own to abort.
      connection.close();
      await client.waitForError();
    });

    it('refuses one byte over in send() and channel.send(), naming data and the limit, and writes nothing of it', async () => {
      const key = `over-${adapter}`;
      const pending = readRaw(`${running.url}${SIZED}&probe=${key}`, {
        until: (body) => body.includes('data: after\n\n'),
      });
      const connection = await probe.get(key);
      const head = headPosition(running.app);

      const direct = refusal(() =>
        connection.send({ type: 'big', data: OVER_LIMIT }),
      );
      expect(direct.field).toBe('data');
      expect(direct.message).toBe(
        `[nestjs-sse-channels] "data" is ${LIMIT + 1} bytes long, over the ${LIMIT}-byte limit (the maxEventBytes option): send a reference the client can fetch instead.`,
      );
      const viaChannel = refusal(() =>
        channels.channel('sized').send({ type: 'big', data: OVER_LIMIT }),
      );
      expect(viaChannel.field).toBe('data');
      expect(viaChannel.message).toMatch(
        new RegExp(
          `"data" is ${LIMIT + 1} bytes long, over the ${LIMIT}-byte limit`,
        ),
      );
      // JSON data counts as encoded: the quotes and the key take it over.
      const json = refusal(() =>
        channels
          .channel('sized')
          .send({ data: { text: AT_LIMIT } } as SseEvent),
      );
      expect(json.field).toBe('data');
      expect(json.message).toMatch(
        new RegExp(
          `"data" is ${LIMIT + 11} bytes long, over the ${LIMIT}-byte limit`,
        ),
      );
      // A refused channel event took no position in the history either.
      expect(headPosition(running.app)).toBe(head);

      connection.send({ type: 'next', data: 'after' });
      const { body } = await pending;
      const id = idAt(running.app);
      expect(body).toBe(
        `\nevent: ready\nid: ${id}\ndata: sized\n\nevent: next\nid: ${id}\ndata: after\n\n`,
      );
    });
  });

  it('by default (1 MiB) delivers a 1 000 000-character string intact and refuses 1 MiB + 1 byte', async () => {
    const running = await startApp(
      ProbeModule.with({ heartbeatMs: 0 }),
      createAdapter,
    );
    try {
      const million = Array.from({ length: 1_000_000 }, (_, i) =>
        String.fromCharCode(33 + (i % 94)),
      ).join('');
      const key = `million-${adapter}`;
      const pending = readRaw(`${running.url}${SIZED}&probe=${key}`, {
        until: (body) => body.endsWith('data: done\n\n'),
      });
      const connection = await running.app.get(ConnectionProbe).get(key);
      expect(connection.send({ type: 'big', data: million })).toBe(true);
      const over = refusal(() =>
        connection.send({ data: 'x'.repeat(1024 * 1024 + 1) }),
      );
      expect(over.field).toBe('data');
      expect(over.message).toMatch(
        /"data" is 1048577 bytes long, over the 1048576-byte limit/,
      );
      connection.send({ type: 'end', data: 'done' });
      const { body } = await pending;
      const id = idAt(running.app);
      expectSameText(
        body,
        `\nevent: ready\nid: ${id}\ndata: sized\n\nevent: big\nid: ${id}\ndata: ${million}\n\nevent: end\nid: ${id}\ndata: done\n\n`,
      );
      await waitFor(
        () => statsOf(running.app)().connections.open === 0,
        'the stream to be released',
      );
    } finally {
      await running.close();
    }
  });

  // A regression test: while the default maxPendingDataLength was 1M characters, an event of the
  // largest size maxEventBytes accepts (1 MiB; it counts with its type and id) could not wait in
  // the connection's outbox at all. So when it had to wait behind an earlier write (here a
  // 20 000-character event, more than the socket's 16 KiB high-water mark), a client that reads
  // at full speed was dropped as slow (droppedSlow 1) and lost both events.
  it('by default, an event of the largest accepted size reaches a client that reads, even right behind another event', async () => {
    const running = await startApp(
      ProbeModule.with({ heartbeatMs: 0 }),
      createAdapter,
    );
    try {
      const stats = statsOf(running.app);
      const key = `largest-${adapter}`;
      const pending = readRaw(`${running.url}${SIZED}&probe=${key}`, {
        until: (body) => body.endsWith('data: done\n\n'),
      });
      const connection = await running.app.get(ConnectionProbe).get(key);
      const page = 'p'.repeat(20_000);
      const largest = 'x'.repeat(1024 * 1024);
      expect(connection.send({ type: 'page', data: page })).toBe(true);
      expect(connection.send({ type: 'big', data: largest })).toBe(true);
      connection.send({ type: 'end', data: 'done' });
      const { body } = await pending;
      const id = idAt(running.app);
      expect(stats().droppedSlowClients).toBe(0);
      expectSameText(
        body,
        `\nevent: ready\nid: ${id}\ndata: sized\n\n` +
          `event: page\nid: ${id}\ndata: ${page}\n\n` +
          `event: big\nid: ${id}\ndata: ${largest}\n\n` +
          `event: end\nid: ${id}\ndata: done\n\n`,
      );
    } finally {
      await running.close();
    }
  });
});
