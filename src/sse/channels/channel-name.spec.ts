import { assertChannelName } from './channel-name.js';
import { SseChannelNameError } from '../errors/sse-channel-name.error.js';

describe('assertChannelName', () => {
  it('accepts names of any script, characters outside the BMP included', () => {
    for (const name of ['orders', 'user:42', 'salon:café', 'chat:😀', '频道'])
      expect(() => assertChannelName(name)).not.toThrow();
  });

  it.each([
    ['a lone high surrogate', 'room:\ud800', 'room:\\ud800'],
    ['a lone low surrogate', 'room:\udfff', 'room:\\udfff'],
    ['a pair in the wrong order', 'room:\udc00\ud800', 'room:\\udc00\\ud800'],
    ['a high surrogate at the end', 'chat:😀\ud83d', 'chat:😀\\ud83d'],
  ])(
    'refuses %s, which UTF-8 (and so Redis) would write as U+FFFD',
    (_case, name, shown) => {
      let error: unknown;
      try {
        assertChannelName(name);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SseChannelNameError);
      expect((error as SseChannelNameError).field).toBe('channel');
      expect((error as Error).message).toBe(
        `[nestjs-sse-channels] A channel name must be well-formed UTF-16, but it has a lone surrogate (got "${shown}"): UTF-8, and so Redis, can only write it as U+FFFD, which would make it the same channel as another name.`,
      );
    },
  );

  it('keeps a name with U+FFFD itself: it is well-formed', () => {
    expect(() => assertChannelName('room:\ufffd')).not.toThrow();
  });
});
