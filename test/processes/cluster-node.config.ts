/**
 * How a cluster node is set up, from its environment: the tests start several
 * as separate processes against one Redis and give each its settings this way.
 */
export interface ClusterNodeConfig {
  /** REDIS_URL (required): the Redis all nodes of the test share. */
  readonly redisUrl: string;
  /** KEY_PREFIX (required): the test's own prefix, so tests never see each other's keys. */
  readonly keyPrefix: string;
  /** PORT (default 0: a free port, printed once listening). */
  readonly port: number;
  /** INSTANCE_TTL_MS (default: the transport's). */
  readonly instanceTtlMs?: number;
  /** MAX_QUEUED_SENDS (default: the transport's). */
  readonly maxQueuedSends?: number;
  /** BACKLOG_SIZE (default: the transport's). */
  readonly backlogSize?: number;
  /** HEARTBEAT_MS (default: the module's). */
  readonly heartbeatMs?: number;
  /** HISTORY_SIZE (default: the module's). */
  readonly historySize?: number;
  /** SHUTDOWN_DRAIN_MS (default 100: tests that stop a node need not wait for a spread-out drain). */
  readonly shutdownDrainMs: number;
  /** SSE_DELIVERY (`pipeline` or `direct`; default: the module's). */
  readonly delivery?: 'pipeline' | 'direct';
}

/** What a node prints, followed by its address, once it listens: the line its launcher waits for. */
export const LISTENING_LINE = 'cluster node listening on';

/** Reads the node's settings; a missing or malformed one stops the node with a message that names it. */
export function readClusterNodeConfig(
  env: NodeJS.ProcessEnv = process.env,
): ClusterNodeConfig {
  const delivery = env.SSE_DELIVERY;
  if (
    delivery !== undefined &&
    delivery !== 'pipeline' &&
    delivery !== 'direct'
  ) {
    throw new Error(
      `SSE_DELIVERY must be "pipeline" or "direct", got "${delivery}"`,
    );
  }
  return {
    redisUrl: required(env, 'REDIS_URL'),
    keyPrefix: required(env, 'KEY_PREFIX'),
    port: integer(env, 'PORT') ?? 0,
    instanceTtlMs: integer(env, 'INSTANCE_TTL_MS'),
    maxQueuedSends: integer(env, 'MAX_QUEUED_SENDS'),
    backlogSize: integer(env, 'BACKLOG_SIZE'),
    heartbeatMs: integer(env, 'HEARTBEAT_MS'),
    historySize: integer(env, 'HISTORY_SIZE'),
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS') ?? 100,
    delivery,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return number;
}
