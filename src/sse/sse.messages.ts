import { SSE_DELIVERY_MODES } from './sse-delivery-mode.js';

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
  if (text.length <= 60) return text;
  // Never cut a surrogate pair in two: the message would not be well-formed.
  const cut = isHighSurrogate(text.charCodeAt(56)) ? 56 : 57;
  return `${text.slice(0, cut)}...`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** What the events of a dropped connection were waiting for. */
export type BacklogCause = 'client' | 'start' | 'replay';

const BACKLOG_CAUSES: Record<BacklogCause, string> = {
  client: 'that stopped reading',
  start: 'whose stream had not started (its handler had not resolved)',
  replay: 'whose replay was under way (read, or written to it)',
};

/** Texts of the runtime's errors, warnings and log lines. */
export const MESSAGES = {
  eventNotObject: (value: unknown) =>
    `An SSE event must be an object such as { type: 'update', data: ... }, got ${describeValue(value)}.`,
  typeNotString: (value: unknown) =>
    `"type" must be a string, got ${describeValue(value)}.`,
  typeHasLineBreak: (value: string) =>
    `"type" must not contain CR or LF, as they end the "event:" line (got ${describeValue(value)}).`,
  typeNotWellFormed: (value: string) =>
    `"type" must be well-formed UTF-16, but it has a lone surrogate (got ${describeValue(value)}): it would be written as U+FFFD, and no listener would match it.`,
  idNotString: (value: unknown) =>
    `"id" must be a string, got ${describeValue(value)}.`,
  idHasForbiddenCharacter: (value: string) =>
    `"id" must not contain CR, LF or NUL: browsers ignore or cut such ids (got ${describeValue(value)}).`,
  idNotWellFormed: (value: string) =>
    `"id" must be well-formed UTF-16, but it has a lone surrogate (got ${describeValue(value)}): it would be written as U+FFFD, and the browser would send back a Last-Event-ID that is not this id.`,
  channelEventId: () =>
    `"id" cannot be set on a channel event: channels assign ids, so that a client that reconnects with Last-Event-ID resumes where it stopped. Put your own identifier in "data".`,
  dataTooLarge: (bytes: number, max: number) =>
    `"data" is ${bytes} bytes long, over the ${max}-byte limit (the maxEventBytes option): send a reference the client can fetch instead.`,
  dataUndefined: () =>
    `"data" is undefined: pass a string, or any value JSON can encode (use null or '' for an event without a payload).`,
  dataNotJson: (reason: string) =>
    `"data" cannot be encoded as JSON: ${reason}.`,
  retryNotInteger: (value: unknown) =>
    `"retry" must be a non-negative integer number of milliseconds, got ${describeValue(value)}.`,
  channelNameNotString: (value: unknown) =>
    `A channel name must be a string, got ${describeValue(value)}.`,
  channelNameLength: (length: number, max: number) =>
    `A channel name must be 1 to ${max} characters long, got ${length}.`,
  channelNameControlCharacter: (value: string) =>
    `A channel name must not contain control characters (got ${describeValue(value)}).`,
  channelNameNotWellFormed: (value: string) =>
    `A channel name must be well-formed UTF-16, but it has a lone surrogate (got ${describeValue(value)}): UTF-8, and so Redis, can only write it as U+FFFD, which would make it the same channel as another name.`,
  positionWithoutChannel:
    "position() needs the channels the snapshot covers, at least one: channels.position('activity').",
  channelsOptionNotList: (endpoint: string, value: unknown) =>
    `The "channels" option of ${endpoint} must be an array of channel names or a function returning one, got ${describeValue(value)}.`,
  moduleNotImported: (endpoint: string) =>
    `${endpoint} is an @SseEndpoint() but SseModule is not part of this application: add SseModule (or SseModule.forRoot()) to the imports of your root module.`,
  onCloseCallbackFailed: (connectionId: string) =>
    `An onClose() callback of SSE connection ${connectionId} threw; the other callbacks still ran.`,
  followListenerNotFunctions: (channel: string, listener: unknown) =>
    `channel("${channel}").follow() takes { event: (event) => ..., reset: () => ... }, two functions, got ${describeValue(listener)}.`,
  followListenerFailed: (channel: string, what: 'event' | 'reset') =>
    `A follower of channel "${channel}" threw in its ${what}() listener; ${what === 'event' ? 'the connections and the other followers still got the event' : 'the others were still reset'}, and it goes on following.`,
  noContentTooLate: () =>
    `noContent() must be called before the handler sends or closes: once the stream has started, its status is 200. Send a final event the client closes its EventSource on instead.`,
  replayFailed: (connectionId: string, err: unknown) =>
    `Reading the history for SSE connection ${connectionId} failed (${err instanceof Error ? err.message : String(err)}); it gets a reset event instead.`,
  slowClientDropped: (
    endpoint: string,
    waitingFor: BacklogCause,
    reason: string,
    pending: number,
    limit: number,
  ) =>
    `Dropped a client of ${endpoint} ${BACKLOG_CAUSES[waitingFor]}: ${pending} characters of events waited for it, past the ${reason} (${limit}). It reconnects and is replayed what it missed.`,
  connectionRefused: (endpoint: string, reason: string, client?: string) =>
    `Refused a connection to ${endpoint}: ${reason}${client ? ` (client ${client})` : ''}. The client was told to come back later.`,
  // The reasons below are written to the refused client too: never a client key in them.
  refusedShuttingDown: () => 'the application is shutting down',
  refusedMaxConnections: (max: number) =>
    `maxConnections (${max}) streams are open`,
  refusedMaxConnectionsPerClient: (max: number) =>
    `this client has maxConnectionsPerClient (${max}) streams open`,
  shutdownTimedOut: (open: number, ms: number) =>
    `${open} SSE stream(s) had not ended ${ms} ms after shutdown began; the server closes their sockets.`,
} as const;

/** Texts of `SseOptionsError`: what was wrong with an option, and what it takes. */
export const OPTION_MESSAGES = {
  notNonNegativeInteger: (option: string, value: unknown) =>
    `The "${option}" option must be a non-negative integer, got ${describeValue(value)}.`,
  notObject: (option: string, value: unknown) =>
    `The "${option}" option must be an object, got ${describeValue(value)}.`,
  notFunction: (option: string, value: unknown) =>
    `The "${option}" option must be a function, got ${describeValue(value)}.`,
  delivery: (option: string, value: unknown) =>
    `The "${option}" option must be one of ${SSE_DELIVERY_MODES.map((mode) => `'${mode}'`).join(', ')}, got ${describeValue(value)}.`,
  resetEventType: (value: unknown) =>
    `The "resetEventType" option must be a non-empty, well-formed string without CR or LF, got ${describeValue(value)}.`,
  conflateKeyMissing: (where: string) =>
    `The slowClient option of ${where} has policy 'conflate' but no conflateKey function: give one, such as (event) => event.data.symbol.`,
  unknownEndpointOption: (endpoint: string, option: string, known: string) =>
    `@SseEndpoint() ${endpoint} has an option "${option}" that endpoints do not take (a typo?); they take ${known}.`,
  endpointOptionsNotObject: (endpoint: string, value: unknown) =>
    `The options of @SseEndpoint() ${endpoint} must be an object, got ${describeValue(value)}.`,
  slowClientPolicy: (where: string, value: unknown) =>
    `The slowClient policy of ${where} must be 'disconnect' or 'conflate', got ${describeValue(value)}.`,
} as const;
