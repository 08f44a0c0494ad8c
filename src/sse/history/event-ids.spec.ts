import { EventIds } from './event-ids.js';

describe('EventIds', () => {
  const ids = new EventIds('0123456789ab');

  it('formats positions with the epoch, in characters that need no CORS preflight', () => {
    expect(ids.format(42)).toBe('0123456789ab-42');
    expect(new EventIds().format(9_007_199_254_740_991)).toMatch(
      /^[A-Za-z0-9._~-]{1,128}$/,
    );
  });

  it('reads back its own ids', () => {
    expect(ids.parse('0123456789ab-0')).toBe(0);
    expect(ids.parse('0123456789ab-42')).toBe(42);
  });

  it.each([
    ['another epoch', 'ffffffffffff-42'],
    ['no position', '0123456789ab-'],
    ['a negative position', '0123456789ab--1'],
    ['a leading zero', '0123456789ab-042'],
    ['an absurdly large position', `0123456789ab-${'9'.repeat(16)}`],
    ['10 kB', 'x'.repeat(10_000)],
    ['NUL', '0123456789ab-4\u00002'],
    ['non-ASCII', '0123456789ab-４２'],
    ['an empty id', ''],
    ['a plain number', '42'],
  ])('refuses %s', (_case, id) => {
    expect(ids.parse(id)).toBeUndefined();
  });
});
