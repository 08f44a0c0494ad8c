import http from 'node:http';

/**
 * Plain GETs whose responses may not have started: for handlers that have
 * not resolved yet. Each records the body it received and whether its
 * connection closed.
 */
export class WaitingRequests {
  readonly bodies: string[] = [];
  readonly closed: boolean[] = [];
  private readonly requests: http.ClientRequest[] = [];

  constructor(
    url: string,
    count: number,
    headers: Record<string, string> = {},
  ) {
    for (let i = 0; i < count; i++) {
      this.bodies.push('');
      this.closed.push(false);
      const request = http.get(url, {
        agent: false,
        headers: { accept: 'text/event-stream', ...headers },
      });
      request.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (this.bodies[i] += chunk));
        res.on('error', () => undefined);
      });
      request.on('error', () => undefined);
      request.on('close', () => (this.closed[i] = true));
      this.requests.push(request);
    }
  }

  /** Leaves, as vanished browsers would. */
  destroyAll(): void {
    for (const request of this.requests) request.destroy();
  }
}
