import {
  ForgottenHistories,
  MAX_RECENTLY_FORGOTTEN,
} from './forgotten-histories.js';

describe('ForgottenHistories', () => {
  it('remembers where each forgotten channel ended, and nothing for the others', () => {
    const forgotten = new ForgottenHistories();
    forgotten.add('user:42', 7);
    forgotten.add('user:43', 0);
    expect(forgotten.lostUpTo('user:42')).toBe(7);
    expect(forgotten.lostUpTo('user:43')).toBe(0);
    expect(forgotten.lostUpTo('orders')).toBe(0);
    expect(forgotten.take('user:42')).toBe(7);
    expect(forgotten.lostUpTo('user:42')).toBe(0);
  });

  it(`remembers at most ${MAX_RECENTLY_FORGOTTEN} channels by name, and never forgets that an older one lost events`, () => {
    const forgotten = new ForgottenHistories();
    const channels = 2 * MAX_RECENTLY_FORGOTTEN;
    for (let i = 1; i <= channels; i++) forgotten.add(`user:${i}`, i);
    expect(forgotten.size).toBe(MAX_RECENTLY_FORGOTTEN);
    let missed = 0;
    for (let i = 1; i <= channels; i++)
      if (forgotten.lostUpTo(`user:${i}`) < i) missed++;
    expect(missed).toBe(0);
    // Another channel is reset by mistake only for a client that comes back
    // from before the channels remembered by name, on a slot collision.
    const sinceRemembered = channels - MAX_RECENTLY_FORGOTTEN;
    let mistaken = 0;
    for (let i = 0; i < 1000; i++)
      if (forgotten.lostUpTo(`orders:${i}`) > sinceRemembered) mistaken++;
    expect(mistaken).toBe(0);
  });
});
