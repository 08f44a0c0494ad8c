import { jest } from '@jest/globals';
import { SseEventError } from '../errors/sse-event.error.js';
import { encodeSseEvent } from './sse-event.encoder.js';

describe('encodeSseEvent', () => {
  it('keeps string data as it is, line breaks included', () => {
    expect(encodeSseEvent({ type: 'update', data: 'tick 1\ntick 2' })).toEqual({
      type: 'update',
      id: undefined,
      retry: undefined,
      data: 'tick 1\ntick 2',
    });
  });

  it('JSON-encodes any other data, once', () => {
    const data = { toJSON: jest.fn(() => ({ total: 3 })) };
    expect(encodeSseEvent({ data }).data).toBe('{"total":3}');
    expect(data.toJSON).toHaveBeenCalledTimes(1);
    expect(encodeSseEvent({ data: null }).data).toBe('null');
    expect(encodeSseEvent({ data: 0 }).data).toBe('0');
    expect(encodeSseEvent({ data: false }).data).toBe('false');
    expect(encodeSseEvent({ data: [1, 'a'] }).data).toBe('[1,"a"]');
    expect(encodeSseEvent({ data: '' }).data).toBe('');
  });

  it('passes id and retry through', () => {
    expect(encodeSseEvent({ id: 'order-7', retry: 0, data: 'x' })).toMatchObject({ id: 'order-7', retry: 0 });
  });

  it.each([
    [{ type: 'a\nb', data: 1 }, 'type', '"type" must not contain CR or LF, as they end the "event:" line (got "a\\nb").'],
    [{ id: 'a\u0000', data: 1 }, 'id', '"id" must not contain CR, LF or NUL: browsers ignore or cut such ids (got "a\\u0000").'],
    [{ data: undefined }, 'data', '"data" is undefined: pass a string, or any value JSON can encode (use null or \'\' for an event without a payload).'],
    [{ data: Symbol('s') }, 'data', '"data" cannot be encoded as JSON: JSON has no encoding for symbol values.'],
    [{ data: 1, retry: -5 }, 'retry', '"retry" must be a non-negative integer number of milliseconds, got -5.'],
    [null, 'event', "An SSE event must be an object such as { type: 'update', data: ... }, got null."],
  ])('refuses %j naming the field', (event, field, message) => {
    let error: SseEventError | undefined;
    try {
      encodeSseEvent(event as never);
    } catch (err) {
      error = err as SseEventError;
    }
    expect(error).toBeInstanceOf(SseEventError);
    expect(error!.field).toBe(field);
    expect(error!.message).toBe(`[nestjs-sse-channels] ${message}`);
  });

  it('shortens a long rejected value in the message', () => {
    expect(() => encodeSseEvent({ type: `${'x'.repeat(100)}\n`, data: 1 })).toThrow(/got "x{56}\.\.\.\)/);
  });
});
