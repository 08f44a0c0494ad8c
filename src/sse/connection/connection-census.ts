/** Where an open connection comes from: its endpoint, and its client once its key is known. */
interface Origin {
  readonly endpoint: string;
  /** `undefined` until the key is asked for (see {@link ConnectionCensus}). */
  clientKey: string | undefined;
}

/**
 * The open connections of one application, counted per client key (for
 * `maxConnectionsPerClient`) and per endpoint (for the statistics).
 *
 * A connection's client key is worked out only when something needs it: at
 * once when `maxConnectionsPerClient` is set (admission asks for it), else
 * the first time the number of clients is read (the statistics). The default
 * key, the remote address (`request.ip`), costs a `getpeername` system call
 * and Express's `X-Forwarded-For` parsing: in a profile of 3 000 connections
 * opening at once, about half as much time as all of the module's own code
 * on that path (bench/README.md, "The reconnect storm"). An application
 * that reads no statistics does not pay it.
 */
export class ConnectionCensus<TConnection extends object> {
  /** Each open connection, with its origin. */
  private readonly open = new Map<TConnection, Origin>();
  private readonly perClient = new Map<string, number>();
  private readonly perEndpoint = new Map<string, number>();
  /** Open connections counted without their client key yet. */
  private unkeyed = 0;

  /** @param keyOf the client key of an open connection, asked at most once per connection. */
  constructor(private readonly keyOf: (connection: TConnection) => string) {}

  /** Counts `connection` as open; its client key is asked for later when not given (see above). */
  add(connection: TConnection, endpoint: string, clientKey?: string): void {
    this.open.set(connection, { endpoint, clientKey });
    if (clientKey === undefined) this.unkeyed++;
    else increment(this.perClient, clientKey);
    increment(this.perEndpoint, endpoint);
  }

  /** Stops counting `connection`; `false` if it was not counted. */
  remove(connection: TConnection): boolean {
    const origin = this.open.get(connection);
    if (!origin) return false;
    this.open.delete(connection);
    if (origin.clientKey === undefined) this.unkeyed--;
    else decrement(this.perClient, origin.clientKey);
    decrement(this.perEndpoint, origin.endpoint);
    return true;
  }

  /** Number of open connections. */
  get size(): number {
    return this.open.size;
  }

  /** Number of distinct clients with an open connection. */
  get clientCount(): number {
    this.settleKeys();
    return this.perClient.size;
  }

  /** Open connections of the client with key `clientKey`. */
  countOf(clientKey: string): number {
    this.settleKeys();
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

  /**
   * Asks for the client key of every open connection counted without one.
   * It looks at every open connection (a list of the ones without a key
   * would keep those that closed meanwhile, for as long as nothing asks):
   * about a millisecond for 10 000, each time new ones have opened.
   */
  private settleKeys(): void {
    if (this.unkeyed === 0) return;
    for (const [connection, origin] of this.open) {
      if (origin.clientKey !== undefined) continue;
      origin.clientKey = this.keyOf(connection);
      increment(this.perClient, origin.clientKey);
    }
    this.unkeyed = 0;
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
