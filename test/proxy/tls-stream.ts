import https from 'node:https';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import { EventWaits } from '../support/wait-for.js';

/** How a stream through the proxy is requested. */
export interface TlsStreamOptions {
  /** The certificate the client trusts (the proxy's, self-signed). */
  ca: string;
  /** The client's own address, a loopback one (127.0.0.2, say): what the proxy sees as the client's. */
  localAddress?: string;
  headers?: Record<string, string>;
  /** How long to wait for the response's headers (an nginx that buffered the stream would hold them too). */
  timeoutMs?: number;
}

/** Rejects `reject` and runs `stop` if no response came within `timeoutMs`; returns the cancel. */
function headersTimeout(
  url: string,
  timeoutMs: number,
  stop: () => void,
  reject: (error: Error) => void,
): () => void {
  const timer = setTimeout(() => {
    stop();
    reject(
      new Error(
        `Timed out after ${timeoutMs} ms waiting for the response headers of ${url}`,
      ),
    );
  }, timeoutMs);
  return () => clearTimeout(timer);
}

/**
 * One response read over TLS as its bytes arrive, by HTTP/2 (as browsers
 * speak to the proxy) or HTTP/1.1: the exact body so far, and whether the
 * server ended it. `until()` wakes on each chunk, never by polling.
 */
export class TlsStream {
  status = 0;
  headers: IncomingHttpHeaders = {};
  body = '';
  /** The server ended the response (END_STREAM, or the last chunk). */
  ended = false;
  /** The response is over, ended or cut (a reset, a closed connection). */
  closed = false;
  private readonly waits = new EventWaits();

  /** Stops reading the response (set once it has arrived). */
  private pause: () => void = () => undefined;

  private constructor(
    readonly protocol: 'h2' | 'http/1.1',
    private readonly stop: () => void,
  ) {}

  /** GETs `url` over HTTP/2 (ALPN `h2`, on a connection of its own). */
  static h2(url: string, options: TlsStreamOptions): Promise<TlsStream> {
    const target = new URL(url);
    const session = http2.connect(target.origin, {
      createConnection: () =>
        tls.connect({
          // From the client's own address (tls.connect has no localAddress).
          socket: net.connect({
            host: target.hostname,
            port: Number(target.port),
            localAddress: options.localAddress,
          }),
          ca: options.ca,
          ALPNProtocols: ['h2'],
        }),
    });
    const stream = new TlsStream('h2', () => session.destroy());
    return new Promise((resolve, reject) => {
      const answered = headersTimeout(
        url,
        options.timeoutMs ?? 10_000,
        () => session.destroy(),
        reject,
      );
      session.once('error', reject);
      const request = session.request({
        ':path': target.pathname + target.search,
        accept: 'text/event-stream',
        ...options.headers,
      });
      request.once('error', reject);
      request.once('response', (headers) => {
        answered();
        stream.status = Number(headers[':status']);
        stream.pause = () => request.pause();
        stream.headers = headers;
        if (session.alpnProtocol !== 'h2')
          reject(new Error(`ALPN chose ${session.alpnProtocol}, not h2`));
        resolve(stream);
        stream.waits.notify();
      });
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => stream.received(chunk));
      request.once('end', () => (stream.ended = true));
      request.once('close', () => {
        stream.closed = true;
        stream.waits.notify();
        session.close();
      });
    });
  }

  /** GETs `url` over HTTPS/1.1 (a connection of its own). */
  static http1(url: string, options: TlsStreamOptions): Promise<TlsStream> {
    return new Promise((resolve, reject) => {
      const request = https.get(
        url,
        {
          ca: options.ca,
          localAddress: options.localAddress,
          agent: false,
          headers: { accept: 'text/event-stream', ...options.headers },
        },
        (response) => {
          answered();
          stream.status = response.statusCode ?? 0;
          stream.pause = () => response.pause();
          stream.headers = response.headers;
          resolve(stream);
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => stream.received(chunk));
          response.once('end', () => (stream.ended = true));
          response.once('close', () => {
            stream.closed = true;
            stream.waits.notify();
          });
        },
      );
      const stream = new TlsStream('http/1.1', () => request.destroy());
      const answered = headersTimeout(
        url,
        options.timeoutMs ?? 10_000,
        () => request.destroy(),
        reject,
      );
      request.once('error', reject);
    });
  }

  /** Resolves once `condition(body)` holds; rejects after `timeoutMs`, showing the body. */
  until(
    condition: (body: string) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    return this.waits.until(
      () => condition(this.body),
      () => `${what} (received ${JSON.stringify(this.body)})`,
      timeoutMs,
    );
  }

  /** Resolves once the response is over, ended by the server or cut. */
  untilClosed(what: string, timeoutMs = 10_000): Promise<void> {
    return this.waits.until(
      () => this.closed,
      () => `${what} (received ${JSON.stringify(this.body)})`,
      timeoutMs,
    );
  }

  /**
   * Stops reading for good, as a phone in a tunnel does: over HTTP/2 the
   * stream's flow-control window is no longer opened, so the server can
   * send it only what the window and the buffers on the way hold.
   */
  stopReading(): void {
    this.pause();
  }

  /** Closes the client's side (its connection). */
  close(): void {
    this.stop();
  }

  private received(chunk: string): void {
    this.body += chunk;
    this.waits.notify();
  }
}
