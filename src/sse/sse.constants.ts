/** Metadata key of the options given to `@SseEndpoint()`, on the route function. */
export const SSE_ENDPOINT_METADATA = 'nestjs-sse-channels:endpoint';

/** Metadata key of the `@SseSend()`, `@SseClose()` and `@SseConnection()` parameters of a handler. */
export const SSE_PARAMS_METADATA = 'nestjs-sse-channels:params';

/**
 * Default interval between two heartbeat comments, in milliseconds. Proxies and
 * load balancers commonly drop a response that stays silent for 30 to 60 seconds;
 * 15 seconds stays well below that.
 */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** The longest channel name accepted. Names end up in logs and metrics labels. */
export const MAX_CHANNEL_NAME_LENGTH = 200;

/**
 * How long `app.close()` waits for the open streams to end once they were told
 * to close. Each ends as soon as Nest has flushed it; the bound only protects
 * shutdown from a response that never finishes.
 */
export const SHUTDOWN_CLOSE_TIMEOUT_MS = 5_000;
