/** Where an open connection comes from: its client and its endpoint. */
interface Origin {
  readonly clientKey: string;
  readonly endpoint: string;
}

/**
 * The open connections of one application, counted per client key (for
 * `maxConnectionsPerClient`) and per endpoint (for the statistics).
 */
export class ConnectionCensus<TConnection extends object> {
  /** Each open connection, with its origin. */
  private readonly open = new Map<TConnection, Origin>();
  private readonly perClient = new Map<string, number>();
  private readonly perEndpoint = new Map<string, number>();

  /** Counts `connection` as open. */
  add(connection: TConnection, clientKey: string, endpoint: string): void {
    this.open.set(connection, { clientKey, endpoint });
    increment(this.perClient, clientKey);
    increment(this.perEndpoint, endpoint);
  }

  /** Stops counting `connection`; `false` if it was not counted. */
  remove(connection: TConnection): boolean {
    const origin = this.open.get(connection);
    if (!origin) return false;
    this.open.delete(connection);
    decrement(this.perClient, origin.clientKey);
    decrement(this.perEndpoint, origin.endpoint);
    return true;
  }

  /** Number of open connections. */
  get size(): number {
    return this.open.size;
  }

  /** Number of distinct clients with an open connection. */
  get clientCount(): number {
    return this.perClient.size;
  }

  /** Open connections of the client with key `clientKey`. */
  countOf(clientKey: string): number {
    return this.perClient.get(clientKey) ?? 0;
  }

  /** Open connections per endpoint (`Controller.method`). */
  byEndpoint(): Record<string, number> {
    return Object.fromEntries(this.perEndpoint);
  }

  /** The open connections, in the order they opened. */
  connections(): IterableIterator<TConnection> {
    return this.open.keys();
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Takes one from `key`'s count, forgetting it at zero. */
function decrement(counts: Map<string, number>, key: string): void {
  const remaining = (counts.get(key) ?? 1) - 1;
  if (remaining > 0) counts.set(key, remaining);
  else counts.delete(key);
}
