import { formatEventId, newEventEpoch, parseEventId } from './event-id.js';

describe('event ids', () => {
  const epoch = '0123456789ab';

  it('formats positions with the epoch, in characters that need no CORS preflight', () => {
    expect(formatEventId(epoch, 42)).toBe('0123456789ab-42');
    expect(formatEventId(newEventEpoch(), 9_007_199_254_740_991)).toMatch(
      /^[A-Za-z0-9._~-]{1,128}$/,
    );
  });

  it('makes a new epoch each time', () => {
    expect(newEventEpoch()).toMatch(/^[0-9a-f]{12}$/);
    expect(newEventEpoch()).not.toBe(newEventEpoch());
  });

  it('reads back its own ids', () => {
    expect(parseEventId('0123456789ab-0', epoch)).toBe(0);
    expect(parseEventId('0123456789ab-42', epoch)).toBe(42);
    expect(parseEventId(formatEventId(epoch, 7), epoch)).toBe(7);
  });

  it.each([
    ['another epoch', 'ffffffffffff-42'],
    ['an epoch that only starts like this one', '0123456789abc-42'],
    ['no position', '0123456789ab-'],
    ['a negative position', '0123456789ab--1'],
    ['a leading zero', '0123456789ab-042'],
    ['an absurdly large position', `0123456789ab-${'9'.repeat(16)}`],
    ['10 kB', 'x'.repeat(10_000)],
    ['NUL', '0123456789ab-4\u00002'],
    ['non-ASCII', '0123456789ab-４２'],
    ['an empty id', ''],
    ['a plain number', '42'],
    ['no id', undefined],
  ])('refuses %s', (_case, id) => {
    expect(parseEventId(id, epoch)).toBeUndefined();
  });
});
