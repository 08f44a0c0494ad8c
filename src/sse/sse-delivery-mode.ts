/**
 * The values of the `delivery` option, the default first: `'pipeline'` writes
 * events through Nest's `@Sse()` pipeline, `'direct'` writes a channel event's
 * wire text, made once, to every connection's response. Tools (the benchmark,
 * a config validator) read the list from here rather than from the types.
 * @publicApi
 */
export const SSE_DELIVERY_MODES = ['pipeline', 'direct'] as const;

/**
 * One of {@link SSE_DELIVERY_MODES}.
 * @publicApi
 */
export type SseDeliveryMode = (typeof SSE_DELIVERY_MODES)[number];

/**
 * The delivery of an application that sets none.
 * @publicApi
 */
export const DEFAULT_SSE_DELIVERY_MODE: SseDeliveryMode = SSE_DELIVERY_MODES[0];

/** Whether `value` is one of {@link SSE_DELIVERY_MODES}. */
export function isSseDeliveryMode(value: unknown): value is SseDeliveryMode {
  return (SSE_DELIVERY_MODES as readonly unknown[]).includes(value);
}
