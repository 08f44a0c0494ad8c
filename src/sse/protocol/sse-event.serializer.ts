import { SseEventError } from '../errors/sse-event.error.js';
import { MESSAGES } from '../sse.messages.js';
import type { SseEvent } from '../sse-event.interface.js';

// Both would end the field's line early; the rest of the line would become a
// field of its own. See https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
const LINE_BREAK = /[\r\n]/;
// A browser ignores an id that contains NUL, so the client would resume from
// an older position than the one it was sent.
const ID_FORBIDDEN = /[\r\n\0]/;

/** An event checked and serialized; `id` only if the caller set one (never on a channel event). */
export interface SerializedEvent {
  readonly type?: string;
  readonly id?: string;
  readonly retry?: number;
  readonly data: string;
}

/**
 * Validates an event and serializes it: JSON-encodes its `data` unless it is
 * a string. It writes no wire text (see `formatSseFrame`). Throws an
 * {@link SseEventError} naming the field that is wrong; nothing is written then.
 *
 * @param origin who sends it: a channel assigns the ids of its events, so an
 * `id` is refused there; a connection's own event may carry the caller's.
 * @param maxEventBytes the largest `data` accepted, in UTF-8 bytes.
 */
export function validateAndSerializeEvent(
  event: SseEvent,
  origin: 'channel' | 'connection',
  maxEventBytes: number,
): SerializedEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new SseEventError('event', MESSAGES.eventNotObject(event));
  }
  const { type, id, retry } = event;
  if (type !== undefined) {
    if (typeof type !== 'string')
      throw new SseEventError('type', MESSAGES.typeNotString(type));
    if (LINE_BREAK.test(type))
      throw new SseEventError('type', MESSAGES.typeHasLineBreak(type));
    // A lone surrogate has no UTF-8 encoding: it would go out as U+FFFD.
    if (!type.isWellFormed())
      throw new SseEventError('type', MESSAGES.typeNotWellFormed(type));
  }
  if (id !== undefined) {
    if (typeof id !== 'string')
      throw new SseEventError('id', MESSAGES.idNotString(id));
    if (ID_FORBIDDEN.test(id))
      throw new SseEventError('id', MESSAGES.idHasForbiddenCharacter(id));
    if (!id.isWellFormed())
      throw new SseEventError('id', MESSAGES.idNotWellFormed(id));
    if (origin === 'channel')
      throw new SseEventError('id', MESSAGES.channelEventId());
  }
  if (retry !== undefined && !(Number.isInteger(retry) && retry >= 0)) {
    throw new SseEventError('retry', MESSAGES.retryNotInteger(retry));
  }
  const data = encodeData(event.data);
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most events need no count.
  if (data.length * 3 > maxEventBytes) {
    const bytes = Buffer.byteLength(data);
    if (bytes > maxEventBytes)
      throw new SseEventError(
        'data',
        MESSAGES.dataTooLarge(bytes, maxEventBytes),
      );
  }
  return { type, id, retry, data };
}

function encodeData(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data === undefined)
    throw new SseEventError('data', MESSAGES.dataUndefined());
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (err) {
    throw new SseEventError(
      'data',
      MESSAGES.dataNotJson((err as Error).message),
    );
  }
  if (json === undefined) {
    throw new SseEventError(
      'data',
      MESSAGES.dataNotJson(`JSON has no encoding for ${typeof data} values`),
    );
  }
  return json;
}
