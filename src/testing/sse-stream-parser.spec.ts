import { SseStreamParser, type ParsedSseEvent } from './sse-stream-parser.js';

function parse(...chunks: string[]): {
  events: ParsedSseEvent[];
  parser: SseStreamParser;
} {
  const events: ParsedSseEvent[] = [];
  const parser = new SseStreamParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return { events, parser };
}

describe('SseStreamParser', () => {
  it('reads events as EventSource does: types, multi-line data, ids, comments', () => {
    const { events } = parse(
      ': hello\n\nevent: a\nid: 1\ndata: x\ndata: y\n\ndata:no space\n\n',
    );
    expect(events).toEqual([
      { type: 'a', data: 'x\ny', lastEventId: '1' },
      { type: 'message', data: 'no space', lastEventId: '1' },
    ]);
  });

  it('takes every line ending, across chunk boundaries', () => {
    const { events } = parse('data: a\r', '\ndata: b\r\r', 'data: c\n', '\n');
    expect(events.map((event) => event.data)).toEqual(['a\nb', 'c']);
  });

  it('keeps an id from an event without data, ignores one with NUL, and reads retry', () => {
    const { events, parser } = parse(
      'id: 7\nretry: 1500\n\ndata: after\n\nid: bad\0\ndata: x\n\n',
    );
    expect(events).toEqual([
      { type: 'message', data: 'after', lastEventId: '7' },
      { type: 'message', data: 'x', lastEventId: '7' },
    ]);
    expect(parser.retry).toBe(1500);
  });

  it('dispatches nothing for an event that has not ended', () => {
    expect(parse('data: unfinished\n').events).toEqual([]);
  });
});
