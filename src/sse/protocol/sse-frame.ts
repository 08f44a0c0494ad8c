import type { SseMessage } from './sse-message.js';

// The line breaks of the event stream format: a CRLF pair, a lone LF or a lone CR.
// See https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The wire text of one message, byte for byte what Nest's `@Sse()` pipeline
 * writes for it (`event:`, `id:`, `retry:`, comment lines, one `data:` line per
 * line of data, then a blank line). The message was checked by the encoder, so
 * no field but `data` and `comment` can hold a line break.
 */
export function formatSseFrame(message: SseMessage): string {
  let frame = message.type ? `event: ${message.type}\n` : '';
  if (message.id !== undefined && message.id !== null)
    frame += `id: ${message.id}\n`;
  if (message.retry !== undefined && message.retry !== null)
    frame += `retry: ${message.retry}\n`;
  if (message.comment !== undefined && message.comment !== null)
    frame += prefixLines(message.comment, ': ');
  if (message.data !== undefined && message.data !== null)
    frame += prefixLines(message.data, 'data: ');
  return `${frame}\n`;
}

function prefixLines(text: string, prefix: string): string {
  // Most values are one line: no split, no array.
  if (!LINE_BREAK.test(text)) return `${prefix}${text}\n`;
  let lines = '';
  for (const line of text.split(LINE_BREAK)) lines += `${prefix}${line}\n`;
  return lines;
}
