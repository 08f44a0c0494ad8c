import 'reflect-metadata';
import { SseStream } from '@nestjs/core/router/sse-stream.js';
import type { SseMessage } from './sse-message.js';
import { formatSseFrame } from './sse-frame.js';

/** What Nest's own `@Sse()` stream writes for `message`. */
function nestFrame(message: SseMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = new SseStream();
    let text = '';
    stream.on('data', (chunk: Buffer | string) => (text += chunk.toString()));
    stream.writeMessage({ ...message } as never, (err?: Error | null) =>
      err ? reject(err) : setImmediate(() => resolve(text)),
    );
  });
}

describe('formatSseFrame', () => {
  it.each<[string, SseMessage]>([
    ['data only', { id: 'e-1', data: 'hello' }],
    ['a type', { type: 'update', id: 'e-2', data: 'tick 1' }],
    ['a retry', { id: 'e-3', retry: 2500 }],
    ['LF lines', { type: 'text', id: 'e-4', data: 'a\nb\n\nd' }],
    ['CRLF and CR lines', { id: 'e-5', data: 'a\r\nb\rc' }],
    ['a trailing line break', { id: 'e-6', data: 'end\n' }],
    ['empty data', { id: 'e-7', data: '' }],
    ['JSON', { type: 'order', id: 'e-8', data: '{"id":1,"items":["a","b"]}' }],
    ['a comment', { comment: 'heartbeat' }],
    ['a multi-line comment', { comment: 'one\ntwo' }],
    ['everything', { type: 't', id: 'e-9', retry: 0, data: 'x' }],
    ['non-ASCII', { id: 'e-10', data: 'é🚀' }],
  ])('writes %s exactly as Nest does', async (_case, message) => {
    expect(formatSseFrame(message)).toBe(await nestFrame(message));
  });

  it('writes the exact text', () => {
    expect(formatSseFrame({ type: 'update', id: 'abc-3', data: 'a\nb' })).toBe(
      'event: update\nid: abc-3\ndata: a\ndata: b\n\n',
    );
    expect(formatSseFrame({ comment: 'heartbeat' })).toBe(': heartbeat\n\n');
  });
});
