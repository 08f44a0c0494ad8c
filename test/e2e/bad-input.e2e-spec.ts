import {
  ChannelService,
  SseChannelNameError,
  SseEventError,
  type SseEvent,
} from '../../src/sse/index.js';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { ProbeModule } from '../fixtures/probe.module.js';
import { readRaw } from '../support/raw-stream.js';
import { idAt } from '../support/positions.js';
import { ADAPTERS, startApp, type RunningApp } from '../support/test-app.js';

const circular: Record<string, unknown> = {};
circular.self = circular;

/** Each bad event, and the words its error must contain. */
const BAD_EVENTS: Array<[string, unknown, RegExp]> = [
  [
    'a type with LF',
    { type: 'a\nb', data: 'x' },
    /"type" must not contain CR or LF/,
  ],
  [
    'a type with CR',
    { type: 'a\rb', data: 'x' },
    /"type" must not contain CR or LF/,
  ],
  [
    'a type that is not a string',
    { type: 7, data: 'x' },
    /"type" must be a string/,
  ],
  [
    'an id with LF',
    { id: '1\n2', data: 'x' },
    /"id" must not contain CR, LF or NUL/,
  ],
  [
    'an id with CR',
    { id: '1\r2', data: 'x' },
    /"id" must not contain CR, LF or NUL/,
  ],
  [
    'an id with NUL',
    { id: '1\u00002', data: 'x' },
    /"id" must not contain CR, LF or NUL/,
  ],
  [
    'a type with a lone surrogate',
    { type: 'a\ud800', data: 'x' },
    /"type" must be well-formed UTF-16, but it has a lone surrogate \(got "a\\ud800"\)/,
  ],
  [
    'an id with a lone surrogate',
    { id: '1\udc00', data: 'x' },
    /"id" must be well-formed UTF-16, but it has a lone surrogate \(got "1\\udc00"\)/,
  ],
  ['undefined data', { type: 'x', data: undefined }, /"data" is undefined/],
  ['missing data', { type: 'x' }, /"data" is undefined/],
  [
    'circular data',
    { data: circular },
    /"data" cannot be encoded as JSON: .*circular/i,
  ],
  [
    'BigInt data',
    { data: { n: 10n } },
    /"data" cannot be encoded as JSON: .*BigInt/,
  ],
  ['function data', { data: () => 1 }, /"data" cannot be encoded as JSON/],
  [
    'a negative retry',
    { data: 'x', retry: -1 },
    /"retry" must be a non-negative integer/,
  ],
  [
    'a fractional retry',
    { data: 'x', retry: 1.5 },
    /"retry" must be a non-negative integer/,
  ],
  [
    'a string retry',
    { data: 'x', retry: '100' },
    /"retry" must be a non-negative integer/,
  ],
  [
    'a NaN retry',
    { data: 'x', retry: NaN },
    /"retry" must be a non-negative integer/,
  ],
  ['no event at all', 'hello', /An SSE event must be an object/],
];

/** Channels assign the ids of their events. */
const BAD_CHANNEL_EVENTS: Array<[string, unknown, RegExp]> = [
  ...BAD_EVENTS,
  [
    'an id of the caller’s',
    { id: 'mine', data: 'x' },
    /"id" cannot be set on a channel event: channels assign ids/,
  ],
];

const BAD_NAMES: Array<[string, unknown, RegExp]> = [
  ['an empty name', '', /1 to 200 characters long, got 0/],
  [
    'a 201-character name',
    'x'.repeat(201),
    /1 to 200 characters long, got 201/,
  ],
  ['a name with LF', 'orders\nadmin', /must not contain control characters/],
  ['a name with NUL', 'a\u0000b', /must not contain control characters/],
  ['a name with DEL', 'a\u007fb', /must not contain control characters/],
  [
    'a name with a lone surrogate',
    'room:\ud800',
    /must be well-formed UTF-16, but it has a lone surrogate \(got "room:\\ud800"\)/,
  ],
  ['a name that is not a string', 42, /must be a string, got 42/],
];

describe.each(ADAPTERS)(
  'bad input is refused loudly and writes nothing (%s)',
  (_adapter, createAdapter) => {
    let running: RunningApp;
    let probe: ConnectionProbe;
    let channels: ChannelService;
    let sequence = 0;

    beforeAll(async () => {
      running = await startApp(ProbeModule.with(), createAdapter);
      probe = running.app.get(ConnectionProbe);
      channels = running.app.get(ChannelService);
    });
    afterAll(() => running.close());

    /** Opens a raw stream on channel `alpha`, runs `act`, then sends a marker and returns the bytes up to it. */
    async function bytesAround(
      act: (key: string) => void,
    ): Promise<{ body: string }> {
      const key = `bad-${sequence++}`;
      const pending = readRaw(
        `${running.url}/probe/channels/static?probe=${key}`,
        { until: (body) => body.includes('data: marker') },
      );
      const connection = await probe.get(key);
      act(key);
      connection.send({ type: 'end', data: 'marker' });
      return { body: (await pending).body };
    }

    it.each(BAD_EVENTS)('send() refuses %s', async (_case, event, message) => {
      const id = idAt(running.app);
      const { body } = await bytesAround((key) => {
        const connection = probe.connections.get(key)!;
        let error: unknown;
        try {
          connection.send(event as SseEvent);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(SseEventError);
        expect((error as Error).message).toMatch(message);
        expect(connection.closed).toBe(false);
      });
      expect(body).toBe(
        `\nevent: ready\nid: ${id}\ndata: alpha,beta\n\nevent: end\nid: ${id}\ndata: marker\n\n`,
      );
    });

    it.each(BAD_CHANNEL_EVENTS)(
      'channel.send() refuses %s and reaches no subscriber',
      async (_case, event, message) => {
        const id = idAt(running.app);
        const other = readRaw(
          `${running.url}/probe/channels/static?probe=other-${sequence}`,
          {
            until: (body) => body.includes('data: marker'),
          },
        );
        const otherConnection = await probe.get(`other-${sequence}`);
        const { body } = await bytesAround(() => {
          expect(channels.channel('alpha').count()).toBe(2);
          expect(() =>
            channels.channel('alpha').send(event as SseEvent),
          ).toThrow(SseEventError);
          expect(() =>
            channels.channel('alpha').send(event as SseEvent),
          ).toThrow(message);
        });
        otherConnection.send({ data: 'marker' });
        expect(body).toBe(
          `\nevent: ready\nid: ${id}\ndata: alpha,beta\n\nevent: end\nid: ${id}\ndata: marker\n\n`,
        );
        expect((await other).body).toBe(
          `\nevent: ready\nid: ${id}\ndata: alpha,beta\n\nid: ${id}\ndata: marker\n\n`,
        );
      },
    );

    it.each(BAD_NAMES)(
      'channel() and subscribe() refuse %s',
      async (_case, name, message) => {
        const id = idAt(running.app);
        expect(() => channels.channel(name as string)).toThrow(
          SseChannelNameError,
        );
        expect(() => channels.channel(name as string)).toThrow(message);
        const { body } = await bytesAround((key) => {
          const connection = probe.connections.get(key)!;
          expect(() => connection.subscribe(name as string)).toThrow(message);
          expect(connection.channels).toEqual(['alpha', 'beta']);
        });
        expect(body).toBe(
          `\nevent: ready\nid: ${id}\ndata: alpha,beta\n\nevent: end\nid: ${id}\ndata: marker\n\n`,
        );
      },
    );

    it('accepts a name of exactly 200 characters, and any printable Unicode', () => {
      expect(channels.channel('x'.repeat(200)).name).toHaveLength(200);
      expect(channels.channel('commandes:été:🚀').send({ data: 'x' })).toBe(0);
    });

    it('names the field in the error: SseEventError.field', () => {
      expect(() =>
        channels.channel('alpha').send({ type: 'x\n', data: 1 }),
      ).toThrow(
        expect.objectContaining({ field: 'type', name: 'SseEventError' }),
      );
      expect(() => channels.channel('')).toThrow(
        expect.objectContaining({
          field: 'channel',
          name: 'SseChannelNameError',
        }),
      );
    });
  },
);
