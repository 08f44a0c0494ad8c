import { jest } from '@jest/globals';
import { SseEventError } from '../errors/sse-event.error.js';
import { validateAndSerializeEvent } from './sse-event.serializer.js';

describe('validateAndSerializeEvent', () => {
  it('keeps string data as it is, line breaks included', () => {
    expect(
      validateAndSerializeEvent(
        { type: 'update', data: 'tick 1\ntick 2' },
        'connection',
        1024,
      ),
    ).toEqual({
      type: 'update',
      retry: undefined,
      data: 'tick 1\ntick 2',
    });
  });

  it('JSON-encodes any other data, once', () => {
    const data = { toJSON: jest.fn(() => ({ total: 3 })) };
    expect(validateAndSerializeEvent({ data }, 'connection', 1024).data).toBe(
      '{"total":3}',
    );
    expect(data.toJSON).toHaveBeenCalledTimes(1);
    expect(
      validateAndSerializeEvent({ data: null }, 'connection', 1024).data,
    ).toBe('null');
    expect(
      validateAndSerializeEvent({ data: 0 }, 'connection', 1024).data,
    ).toBe('0');
    expect(
      validateAndSerializeEvent({ data: false }, 'connection', 1024).data,
    ).toBe('false');
    expect(
      validateAndSerializeEvent({ data: [1, 'a'] }, 'connection', 1024).data,
    ).toBe('[1,"a"]');
    expect(
      validateAndSerializeEvent({ data: '' }, 'connection', 1024).data,
    ).toBe('');
  });

  it('passes retry through', () => {
    expect(
      validateAndSerializeEvent({ retry: 0, data: 'x' }, 'connection', 1024),
    ).toMatchObject({ retry: 0 });
  });

  it('refuses an id on a channel event, where channels assign ids, and keeps a connection event’s', () => {
    expect(() =>
      validateAndSerializeEvent({ id: 'order-7', data: 'x' }, 'channel', 1024),
    ).toThrow(
      '[nestjs-sse-channels] "id" cannot be set on a channel event: channels assign ids, so that a client that reconnects with Last-Event-ID resumes where it stopped. Put your own identifier in "data".',
    );
    expect(
      validateAndSerializeEvent(
        { id: 'order-7', data: 'x' },
        'connection',
        1024,
      ).id,
    ).toBe('order-7');
  });

  it('refuses data over maxEventBytes, counted in UTF-8 bytes', () => {
    expect(
      validateAndSerializeEvent({ data: 'é'.repeat(512) }, 'channel', 1024)
        .data,
    ).toHaveLength(512);
    expect(() =>
      validateAndSerializeEvent({ data: 'é'.repeat(513) }, 'channel', 1024),
    ).toThrow(
      '[nestjs-sse-channels] "data" is 1026 bytes long, over the 1024-byte limit (the maxEventBytes option): send a reference the client can fetch instead.',
    );
    expect(() =>
      validateAndSerializeEvent(
        { data: { text: 'x'.repeat(1100) } },
        'channel',
        1024,
      ),
    ).toThrow(SseEventError);
  });

  it.each([
    [
      { type: 'a\nb', data: 1 },
      'type',
      '"type" must not contain CR or LF, as they end the "event:" line (got "a\\nb").',
    ],
    [
      { id: 'a\u0000', data: 1 },
      'id',
      '"id" must not contain CR, LF or NUL: browsers ignore or cut such ids (got "a\\u0000").',
    ],
    [
      { type: 'room\ud800', data: 1 },
      'type',
      '"type" must be well-formed UTF-16, but it has a lone surrogate (got "room\\ud800"): it would be written as U+FFFD, and no listener would match it.',
    ],
    [
      { type: '\udc00', data: 1 },
      'type',
      '"type" must be well-formed UTF-16, but it has a lone surrogate (got "\\udc00"): it would be written as U+FFFD, and no listener would match it.',
    ],
    [
      { id: '7-\udbff', data: 1 },
      'id',
      '"id" must be well-formed UTF-16, but it has a lone surrogate (got "7-\\udbff"): it would be written as U+FFFD, and the browser would send back a Last-Event-ID that is not this id.',
    ],
    [
      { data: undefined },
      'data',
      '"data" is undefined: pass a string, or any value JSON can encode (use null or \'\' for an event without a payload).',
    ],
    [
      { data: Symbol('s') },
      'data',
      '"data" cannot be encoded as JSON: JSON has no encoding for symbol values.',
    ],
    [
      { data: 1, retry: -5 },
      'retry',
      '"retry" must be a non-negative integer number of milliseconds, got -5.',
    ],
    [
      null,
      'event',
      "An SSE event must be an object such as { type: 'update', data: ... }, got null.",
    ],
  ])('refuses %j naming the field', (event, field, message) => {
    let error: SseEventError | undefined;
    try {
      validateAndSerializeEvent(event as never, 'connection', 1024);
    } catch (err) {
      error = err as SseEventError;
    }
    expect(error).toBeInstanceOf(SseEventError);
    expect(error!.field).toBe(field);
    expect(error!.message).toBe(`[nestjs-sse-channels] ${message}`);
  });

  it('accepts a type and an id with characters outside the BMP (surrogate pairs)', () => {
    expect(
      validateAndSerializeEvent(
        { type: 'ré😀', id: '😀-1', data: '😀' },
        'connection',
        64,
      ),
    ).toEqual({ type: 'ré😀', id: '😀-1', retry: undefined, data: '😀' });
  });

  it('shortens a long rejected value in the message', () => {
    expect(() =>
      validateAndSerializeEvent(
        { type: `${'x'.repeat(100)}\n`, data: 1 },
        'connection',
        1024,
      ),
    ).toThrow(/got "x{56}\.\.\.\)/);
  });

  it('never shortens a rejected value in the middle of a surrogate pair', () => {
    let message = '';
    try {
      validateAndSerializeEvent(
        { type: `${'x'.repeat(55)}😀\n`, data: 1 },
        'connection',
        1024,
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`got "${'x'.repeat(55)}...)`);
    expect(message.isWellFormed()).toBe(true);
  });
});
