import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Whether the server ended the response (rather than the client giving up). */
  ended: boolean;
}

/**
 * GETs `url` over a plain socket and returns the bytes of the body as they
 * arrived, until the server ends the response or `until(body)` holds. For
 * assertions on the exact wire text.
 */
export function readRaw(
  url: string,
  options: {
    until?: (body: string) => boolean;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      url,
      {
        headers: { accept: 'text/event-stream', ...options.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        let done = false;
        const finish = (ended: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            ended,
          });
          request.destroy();
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (options.until?.(body)) finish(false);
        });
        res.on('end', () => finish(true));
        res.on('error', () => finish(false));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`Timed out reading ${url}`));
    }, options.timeoutMs ?? 10_000);
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
