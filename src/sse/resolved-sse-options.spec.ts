import { SseError } from './errors/sse.error.js';
import { ResolvedSseOptions } from './resolved-sse-options.js';

describe('ResolvedSseOptions', () => {
  it.each([
    ['empty', ''],
    ['with LF', 'reset\n'],
    ['with a lone surrogate', 'reset\ud800'],
  ])(
    'refuses a resetEventType %s, which no listener could match',
    (_case, value) => {
      expect(() => new ResolvedSseOptions({ resetEventType: value })).toThrow(
        SseError,
      );
      expect(() => new ResolvedSseOptions({ resetEventType: value })).toThrow(
        /"resetEventType" option must be a non-empty, well-formed string without CR or LF/,
      );
    },
  );

  it('keeps a resetEventType outside the BMP', () => {
    expect(
      new ResolvedSseOptions({ resetEventType: 'reset😀' }).resetEventType,
    ).toBe('reset😀');
  });
});
