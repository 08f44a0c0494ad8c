import { readLastEventId } from './connection-request.js';

describe('readLastEventId', () => {
  it('reads the header, or else the lastEventId query parameter', () => {
    expect(
      readLastEventId({ headers: { 'last-event-id': 'a-1' }, query: {} }),
    ).toBe('a-1');
    expect(
      readLastEventId({ headers: {}, query: { lastEventId: 'a-2' } }),
    ).toBe('a-2');
    expect(readLastEventId({ headers: {}, query: {} })).toBeUndefined();
  });

  it('prefers the header: a reconnecting EventSource resends the query parameter of its first request, stale by then', () => {
    expect(
      readLastEventId({
        headers: { 'last-event-id': 'a-9' },
        query: { lastEventId: 'a-1' },
      }),
    ).toBe('a-9');
  });

  it('does not read the query of a URL that has none: Express parses it anew on every read', () => {
    const request = {
      url: '/events',
      headers: {},
      get query(): never {
        throw new Error('the query was read');
      },
    };
    expect(readLastEventId(request)).toBeUndefined();
    expect(
      readLastEventId({
        url: '/events?lastEventId=a-3',
        headers: {},
        query: { lastEventId: 'a-3' },
      }),
    ).toBe('a-3');
  });
});
