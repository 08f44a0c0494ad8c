/** Metadata key of an `@SseEndpoint()`'s route plan (its name and options), on the route function. */
export const SSE_ENDPOINT_METADATA = 'nestjs-sse-channels:endpoint';

/** Metadata key of the `@SseSend()`, `@SseClose()` and `@SseConnection()` parameters of a handler. */
export const SSE_PARAMS_METADATA = 'nestjs-sse-channels:params';

/** Metadata key of an `@SsePosition()`'s channels, on the route function. */
export const SSE_POSITION_METADATA = 'nestjs-sse-channels:position';

/**
 * The response header `@SsePosition()` sets: the id of "now" for the
 * response's channels, which the page passes as `?lastEventId=` when it opens
 * its stream. Listed in `Access-Control-Expose-Headers` too, so that a page
 * of another origin can read it.
 * @publicApi
 */
export const SSE_POSITION_HEADER = 'SSE-Position';

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

/**
 * Events each channel keeps for replay, unless configured otherwise: enough
 * for a client that drops for a few seconds on a busy channel to resume
 * without a reset, while a thousand small events cost well under a megabyte.
 */
export const DEFAULT_HISTORY_SIZE = 1000;

/** Type of the event that tells a reconnecting client to refetch its state. */
export const DEFAULT_RESET_EVENT_TYPE = 'reset';

/**
 * Largest `data` of one event, in UTF-8 bytes. An event goes to every
 * subscriber and stays in the history: past a megabyte, sending a reference
 * the client fetches is cheaper for everyone.
 */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Characters of events that may wait for one client that stopped reading
 * before it is dropped: Nest's own default. It leaves room for a few events of
 * the largest size (`maxEventBytes`), which wait a moment even for a client
 * that reads; for a live feed of small events it is minutes of them, and a
 * dropped client loses nothing, as it resumes with `Last-Event-ID`.
 */
export const DEFAULT_MAX_PENDING_DATA_LENGTH = 4 * 1024 * 1024;

/**
 * Characters of events that may wait for all slow clients together: sixteen
 * clients at their full default limit, so that a crowd of stalled clients
 * costs a bounded amount of memory (about 128 MB of UTF-16 at most).
 */
export const DEFAULT_MAX_PENDING_DATA_TOTAL = 64 * 1024 * 1024;

/**
 * Window over which streams are ended on shutdown: long enough that their
 * reconnections do not reach the other instances all at once, short enough
 * to fit in the grace period orchestrators give (Kubernetes: 30 s).
 */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 2_000;

/** Without a `retryMs`, the base of the jittered hint sent on shutdown: about what browsers wait by default. */
export const DEFAULT_RECONNECT_MS = 3_000;
