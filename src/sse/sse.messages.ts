/**
 * Every error and warning text of the module, so they read alike and can be
 * found in one place.
 */

/** Shows a rejected value in a message without flooding the log. */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    text = JSON.stringify(value);
  } else if (typeof value === 'bigint') {
    text = `${value}n`;
  } else if (typeof value === 'function') {
    text = 'a function';
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export const MESSAGES = {
  eventNotObject: (value: unknown) =>
    `An SSE event must be an object such as { type: 'update', data: ... }, got ${describeValue(value)}.`,
  typeNotString: (value: unknown) => `"type" must be a string, got ${describeValue(value)}.`,
  typeHasLineBreak: (value: string) =>
    `"type" must not contain CR or LF, as they end the "event:" line (got ${describeValue(value)}).`,
  idNotString: (value: unknown) => `"id" must be a string, got ${describeValue(value)}.`,
  idHasForbiddenCharacter: (value: string) =>
    `"id" must not contain CR, LF or NUL: browsers ignore or cut such ids (got ${describeValue(value)}).`,
  dataUndefined: () =>
    `"data" is undefined: pass a string, or any value JSON can encode (use null or '' for an event without a payload).`,
  dataNotJson: (reason: string) => `"data" cannot be encoded as JSON: ${reason}.`,
  retryNotInteger: (value: unknown) =>
    `"retry" must be a non-negative integer number of milliseconds, got ${describeValue(value)}.`,
  channelNameNotString: (value: unknown) => `A channel name must be a string, got ${describeValue(value)}.`,
  channelNameLength: (length: number, max: number) =>
    `A channel name must be 1 to ${max} characters long, got ${length}.`,
  channelNameControlCharacter: (value: string) =>
    `A channel name must not contain control characters (got ${describeValue(value)}).`,
  channelsOptionNotList: (endpoint: string, value: unknown) =>
    `The "channels" option of ${endpoint} must be an array of channel names or a function returning one, got ${describeValue(value)}.`,
  moduleNotImported: (endpoint: string) =>
    `${endpoint} is an @SseEndpoint() but SseModule is not part of this application: add SseModule (or SseModule.forRoot()) to the imports of your root module.`,
  onCloseCallbackFailed: (connectionId: string) =>
    `An onClose() callback of SSE connection ${connectionId} threw; the other callbacks still ran.`,
  shutdownTimedOut: (open: number, ms: number) =>
    `${open} SSE stream(s) had not ended ${ms} ms after shutdown began; the server closes their sockets.`,
} as const;

export const OPTION_MESSAGES = {
  notNonNegativeInteger: (option: string, value: unknown) =>
    `The "${option}" option must be a non-negative integer number of milliseconds, got ${describeValue(value)}.`,
} as const;
