import {
  DEFAULT_SSE_DELIVERY_MODE,
  isSseDeliveryMode,
  type SseDeliveryMode,
} from './sse-delivery-mode.js';
import type { HistoryLimits } from './history/history-limits.js';
import type { SseHistoryOptions } from './history/history-options.interface.js';
import { SseOptionsError } from './errors/sse-options.error.js';
import type { SseModuleOptions } from './sse-module-options.interface.js';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HISTORY_SIZE,
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_PENDING_DATA_TOTAL,
  DEFAULT_RESET_EVENT_TYPE,
  DEFAULT_SHUTDOWN_DRAIN_MS,
} from './sse.constants.js';
import { OPTION_MESSAGES } from './sse.messages.js';

export type { HistoryLimits };

/**
 * The module's options with their defaults, checked once at startup so that a
 * typo fails the boot with a message instead of misbehaving later (an
 * {@link SseOptionsError}). The options of each `@SseEndpoint()` are checked
 * at startup too, when the endpoints are discovered (see
 * `resolved-endpoint-options.ts`), and a channel's when it is configured.
 */
export class ResolvedSseOptions {
  readonly heartbeatMs: number;
  readonly retryMs: number | undefined;
  readonly history: HistoryLimits;
  readonly resetEventType: string;
  readonly maxEventBytes: number;
  readonly maxPendingDataTotal: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly clientKey: (request: any) => string;
  readonly shutdownDrainMs: number;
  readonly delivery: SseDeliveryMode;

  constructor(options: SseModuleOptions = {}) {
    this.heartbeatMs =
      checkCount('heartbeatMs', options.heartbeatMs) ?? DEFAULT_HEARTBEAT_MS;
    this.retryMs = checkCount('retryMs', options.retryMs);
    this.history = resolveHistory('history', options.history, {
      size: DEFAULT_HISTORY_SIZE,
      maxAgeMs: undefined,
    });
    this.resetEventType = options.resetEventType ?? DEFAULT_RESET_EVENT_TYPE;
    if (
      typeof this.resetEventType !== 'string' ||
      this.resetEventType === '' ||
      /[\r\n]/.test(this.resetEventType) ||
      !this.resetEventType.isWellFormed()
    ) {
      throw new SseOptionsError(
        OPTION_MESSAGES.resetEventType(this.resetEventType),
      );
    }
    this.maxEventBytes =
      checkCount('maxEventBytes', options.maxEventBytes) ??
      DEFAULT_MAX_EVENT_BYTES;
    this.maxPendingDataTotal =
      checkCount('maxPendingDataTotal', options.maxPendingDataTotal) ??
      DEFAULT_MAX_PENDING_DATA_TOTAL;
    this.maxConnections =
      checkCount('maxConnections', options.maxConnections) ?? Infinity;
    this.maxConnectionsPerClient =
      checkCount('maxConnectionsPerClient', options.maxConnectionsPerClient) ??
      Infinity;
    if (
      options.clientKey !== undefined &&
      typeof options.clientKey !== 'function'
    ) {
      throw new SseOptionsError(
        OPTION_MESSAGES.notFunction('clientKey', options.clientKey),
      );
    }
    this.clientKey = options.clientKey ?? remoteAddress;
    this.shutdownDrainMs =
      checkCount('shutdownDrainMs', options.shutdownDrainMs) ??
      DEFAULT_SHUTDOWN_DRAIN_MS;
    this.delivery =
      checkDelivery('delivery', options.delivery) ?? DEFAULT_SSE_DELIVERY_MODE;
  }
}

/** Checks a channel's or the module's history option, filling in from `defaults`. */
export function resolveHistory(
  option: string,
  history: SseHistoryOptions | undefined,
  defaults: HistoryLimits,
): HistoryLimits {
  if (history === undefined) return defaults;
  if (typeof history !== 'object' || history === null) {
    throw new SseOptionsError(OPTION_MESSAGES.notObject(option, history));
  }
  return {
    size: checkCount(`${option}.size`, history.size) ?? defaults.size,
    maxAgeMs:
      history.maxAgeMs === undefined
        ? defaults.maxAgeMs
        : checkCount(`${option}.maxAgeMs`, history.maxAgeMs),
  };
}

/** Checks a non-negative integer option (a count, a size or milliseconds). */
export function checkCount(
  option: string,
  value: number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new SseOptionsError(
      OPTION_MESSAGES.notNonNegativeInteger(option, value),
    );
  return value;
}

/** Checks a `delivery` option. */
export function checkDelivery(
  option: string,
  value: unknown,
): SseDeliveryMode | undefined {
  if (value === undefined || isSseDeliveryMode(value)) return value;
  throw new SseOptionsError(OPTION_MESSAGES.delivery(option, value));
}

function remoteAddress(request: any): string {
  return String(
    request?.ip ??
      (request?.raw ?? request)?.socket?.remoteAddress ??
      'unknown',
  );
}
