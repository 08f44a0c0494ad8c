import {
  describePart,
  idOutOfOrder,
  silentGapIn,
  type ReceivedEvent,
} from './received-sends.js';

// The checks the cluster suites rely on: each must catch what it names.
const event = (sequence: number, id = `e-${sequence}`): ReceivedEvent => ({
  type: 'message',
  data: `t:${sequence}`,
  lastEventId: id,
});
const reset = (id = 'e-0'): ReceivedEvent => ({
  type: 'reset',
  data: 'evicted',
  lastEventId: id,
});
const events = (...sequences: number[]) =>
  sequences.map((sequence) => event(sequence));
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const laterOnly = { afterReset: 'later-only' } as const;

describe('silentGapIn', () => {
  const accepted = range(1, 10);

  it('accepts every event in order, skipping those that were refused', () => {
    expect(
      silentGapIn(events(...range(1, 10)), 't', accepted, laterOnly),
    ).toBeUndefined();
    expect(
      silentGapIn(events(1, 2, 5), 't', [1, 2, 5], laterOnly),
    ).toBeUndefined();
  });

  it.each([
    [
      'a gap',
      events(1, 2, 4, 5, 6, 7, 8, 9, 10),
      /a gap, a repeat or a swap after t:2/,
    ],
    [
      'a repeat',
      events(1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10),
      /a gap, a repeat or a swap after t:2/,
    ],
    [
      'a swap',
      events(1, 3, 2, 4, 5, 6, 7, 8, 9, 10),
      /a gap, a repeat or a swap after t:1/,
    ],
    [
      'a missing start',
      events(...range(2, 10)),
      /the first events are missing/,
    ],
    ['a missing end', events(...range(1, 9)), /the last events are missing/],
    ['nothing', [], /the last events are missing/],
    [
      'a refused send',
      events(...range(1, 10), 11),
      /t:11 was received but never accepted/,
    ],
  ])('finds %s', (_case, received, why) => {
    expect(silentGapIn(received, 't', accepted, laterOnly)).toMatch(why);
  });

  it('accepts a reset followed by only later events, to the last', () => {
    expect(
      silentGapIn(
        [...events(1, 2, 3), reset(), ...events(7, 8, 9, 10)],
        't',
        accepted,
        laterOnly,
      ),
    ).toBeUndefined();
    expect(
      silentGapIn(
        [...events(1, 2, 3), reset(), ...events(8, 10)],
        't',
        accepted,
        laterOnly,
      ),
    ).toMatch(/a gap/);
    expect(
      silentGapIn(
        [...events(1, 2, 3), reset(), ...events(7, 8, 9)],
        't',
        accepted,
        laterOnly,
      ),
    ).toMatch(/last events/);
  });

  it('takes an event again after a reset only when the history restarted', () => {
    const repeated = [...events(1, 2, 3), reset(), ...events(...range(3, 10))];
    expect(silentGapIn(repeated, 't', accepted, laterOnly)).toMatch(
      /an event came again after a reset/,
    );
    expect(
      silentGapIn(repeated, 't', accepted, { afterReset: 'may-repeat' }),
    ).toBeUndefined();
  });

  it('requires every send from mustInclude on in the last part', () => {
    const lost = [...events(1, 2, 3), reset(), ...events(...range(6, 10))];
    expect(
      silentGapIn(lost, 't', accepted, {
        afterReset: 'may-repeat',
        mustInclude: 6,
      }),
    ).toBeUndefined();
    expect(
      silentGapIn(lost, 't', accepted, {
        afterReset: 'may-repeat',
        mustInclude: 5,
      }),
    ).toMatch(/sends from t:5 on are missing/);
  });

  it('ignores the events of other runs', () => {
    const other: ReceivedEvent = {
      type: 'message',
      data: 'u:1',
      lastEventId: 'e-11',
    };
    expect(
      silentGapIn(
        [...events(1, 2, 3, 4, 5), other, ...events(6, 7, 8, 9, 10)],
        't',
        accepted,
        laterOnly,
      ),
    ).toBeUndefined();
  });
});

describe('describePart', () => {
  it('shows runs of consecutive accepted sends', () => {
    expect(describePart([1, 2, 3, 5, 9, 4], [1, 2, 3, 4, 5, 9])).toBe(
      '1-3, 5-9, 4',
    );
    expect(describePart([1, 7], [1, 2])).toBe('1, ?7');
    expect(describePart([], [1])).toBe('(none)');
  });
});

describe('idOutOfOrder', () => {
  it('finds an id that does not move on, but lets a reset repeat one or start a new epoch', () => {
    expect(
      idOutOfOrder([
        event(1, 'e-1'),
        event(2, 'e-2'),
        reset('e-2'),
        event(3, 'f-1'),
      ]),
    ).toBeUndefined();
    expect(
      idOutOfOrder([event(1, 'e-1'), reset('f-0'), event(1, 'f-1')]),
    ).toBeUndefined();
    expect(idOutOfOrder([event(1, 'e-2'), event(2, 'e-2')])).toEqual(
      event(2, 'e-2'),
    );
    expect(idOutOfOrder([event(1, 'e-2'), reset('e-1')])).toEqual(reset('e-1'));
  });
});
