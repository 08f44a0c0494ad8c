import type { SseConnection } from '../connection/sse-connection.js';
import {
  resolveSlowClient,
  type ConflateKey,
} from '../connection/slow-client-policy.js';
import { SseOptionsError } from '../errors/sse-options.error.js';
import {
  checkCount,
  checkDelivery,
  type ResolvedSseOptions,
} from '../resolved-sse-options.js';
import type { SseEndpointOptions } from './sse-endpoint-options.interface.js';
import { DEFAULT_MAX_PENDING_DATA_LENGTH } from '../sse.constants.js';
import { MESSAGES, OPTION_MESSAGES } from '../sse.messages.js';

/** The channels an endpoint's connections join: a list, or a function of the connection. */
export type EndpointChannels =
  readonly string[] | ((connection: SseConnection) => readonly string[]);

/**
 * The options of one `@SseEndpoint()`, checked and merged with the module's
 * once, when the endpoints are discovered at startup: a bad option fails
 * `app.init()` with an {@link SseOptionsError} naming the endpoint, not its
 * first request.
 */
export interface ResolvedSseEndpoint {
  /** `Controller.method`, for messages and the statistics. */
  readonly name: string;
  /** The channels every connection joins before the handler runs. */
  readonly channels: EndpointChannels;
  /** Characters that may wait for one client (`Infinity` for no limit). */
  readonly maxPendingDataLength: number;
  /** The conflation key for events whose channel has none; `undefined` to disconnect slow clients. */
  readonly conflateKey: ConflateKey;
  /** Whether events are written to the response directly (`delivery: 'direct'`). */
  readonly direct: boolean;
  /** The base of the `retry:` hint a stream opens with, if any (jittered per connection). */
  readonly retryMs: number | undefined;
}

/** Every option `@SseEndpoint()` takes: any other key is a typo. */
const ENDPOINT_OPTIONS: ReadonlySet<string> = new Set<keyof SseEndpointOptions>(
  [
    'channels',
    'maxPendingDataLength',
    'slowClient',
    'delivery',
    'retryMs',
    'events',
  ],
);

/**
 * Checks the options of endpoint `name` and fills in the module's. Throws an
 * {@link SseOptionsError} naming the endpoint and the option.
 */
export function resolveEndpointOptions(
  name: string,
  options: SseEndpointOptions,
  module: ResolvedSseOptions,
): ResolvedSseEndpoint {
  if (typeof options !== 'object' || options === null)
    throw new SseOptionsError(
      OPTION_MESSAGES.endpointOptionsNotObject(name, options),
    );
  for (const key of Object.keys(options)) {
    if (!ENDPOINT_OPTIONS.has(key))
      throw new SseOptionsError(
        OPTION_MESSAGES.unknownEndpointOption(
          name,
          key,
          [...ENDPOINT_OPTIONS].join(', '),
        ),
      );
  }
  const channels = options.channels ?? [];
  if (typeof channels !== 'function' && !Array.isArray(channels))
    throw new SseOptionsError(MESSAGES.channelsOptionNotList(name, channels));
  checkCount(`maxPendingDataLength of ${name}`, options.maxPendingDataLength);
  return {
    name,
    channels,
    maxPendingDataLength: maxPendingDataLengthOf(options),
    conflateKey: resolveSlowClient(name, options.slowClient),
    direct:
      (checkDelivery(`delivery of ${name}`, options.delivery) ??
        module.delivery) === 'direct',
    retryMs:
      checkCount(`retryMs of ${name}`, options.retryMs) ?? module.retryMs,
  };
}

/**
 * The endpoint's pending-data limit, as Nest's `@Sse()` gets it too: the
 * default when unset, `Infinity` for `0`.
 */
export function maxPendingDataLengthOf(options: SseEndpointOptions): number {
  const value = options.maxPendingDataLength;
  if (value === undefined) return DEFAULT_MAX_PENDING_DATA_LENGTH;
  return value === 0 ? Infinity : value;
}

/**
 * The channels a new connection of `endpoint` joins. A function's answer is
 * checked here, as it can only be known per connection.
 */
export function channelsOf(
  endpoint: ResolvedSseEndpoint,
  connection: SseConnection,
): readonly string[] {
  const { channels } = endpoint;
  if (typeof channels !== 'function') return channels;
  const joined = channels(connection);
  if (!Array.isArray(joined))
    throw new SseOptionsError(
      MESSAGES.channelsOptionNotList(endpoint.name, joined),
    );
  return joined;
}
