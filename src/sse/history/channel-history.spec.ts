import type { ChannelMessage } from '../protocol/sse-message.js';
import { ChannelHistory } from './channel-history.js';

const message = (position: number): ChannelMessage => ({
  id: String(position),
  data: `e${position}`,
  position,
  source: { data: position },
});
const positions = (messages: ChannelMessage[] | undefined) =>
  messages?.map((entry) => entry.position);

describe('ChannelHistory', () => {
  it('keeps the last `size` events and knows what it evicted', () => {
    const history = new ChannelHistory(3, undefined);
    for (const position of [2, 4, 6, 8, 10])
      history.append(message(position), 0);
    expect(history.evictedUpTo).toBe(4);
    expect(positions(history.readAfter(4, 0))).toEqual([6, 8, 10]);
    expect(positions(history.readAfter(7, 0))).toEqual([8, 10]);
    expect(positions(history.readAfter(10, 0))).toEqual([]);
    expect(history.readAfter(3, 0)).toBeUndefined();
  });

  it('drops events older than maxAgeMs', () => {
    const history = new ChannelHistory(10, 1000);
    history.append(message(1), 0);
    history.append(message(2), 500);
    expect(positions(history.readAfter(0, 999))).toEqual([1, 2]);
    expect(history.readAfter(0, 1001)).toBeUndefined();
    expect(positions(history.readAfter(1, 1001))).toEqual([2]);
    expect(history.isEmpty).toBe(false);
    history.evictExpired(1501);
    expect(history.isEmpty).toBe(true);
    expect(history.evictedUpTo).toBe(2);
  });

  it('keeps nothing with size 0, but remembers the last position', () => {
    const history = new ChannelHistory(0, undefined);
    history.append(message(5), 0);
    expect(history.isEmpty).toBe(true);
    expect(history.readAfter(4, 0)).toBeUndefined();
    expect(positions(history.readAfter(5, 0))).toEqual([]);
  });

  it('shrinks and grows when reconfigured', () => {
    const history = new ChannelHistory(5, undefined);
    for (let position = 1; position <= 5; position++)
      history.append(message(position), 0);
    history.configure(2, undefined, 0);
    expect(positions(history.readAfter(3, 0))).toEqual([4, 5]);
    expect(history.readAfter(2, 0)).toBeUndefined();
    history.configure(4, undefined, 0);
    history.append(message(6), 0);
    expect(positions(history.readAfter(3, 0))).toEqual([4, 5, 6]);
  });

  it('finds where a client resumes without scanning: a long history and any position', () => {
    const history = new ChannelHistory(100_000, undefined);
    for (let position = 1; position <= 100_000; position++)
      history.append(message(position), 0);
    expect(history.readAfter(99_998, 0)!.length).toBe(2);
    expect(history.readAfter(Number.MAX_SAFE_INTEGER, 0)).toEqual([]);
  });
});
