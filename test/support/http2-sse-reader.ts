import http2 from 'node:http2';
import { EventWaits } from './wait-for.js';

const MB = 1024 * 1024;
const CHROMIUM_STREAM_WINDOW = 6 * MB;
const CHROMIUM_CONNECTION_WINDOW = 15 * MB;

/**
 * One HTTP/2 connection (session) to a TLS origin, over which the suites open
 * SSE streams as a browser does: every stream to the origin shares it.
 */
export class Http2Origin {
  private readonly session: http2.ClientHttp2Session;
  /** The error code of the GOAWAY the server sent (`NGHTTP2_NO_ERROR`, 0, for a graceful close), if it sent one. */
  goAwayCode: number | undefined;
  /** The streams opened on this session, in order. */
  readonly streams: Http2SseStream[] = [];
  private readonly waits = new EventWaits();

  /** @param ca the server's self-signed certificate, trusted for this session only. */
  constructor(origin: string, ca: string) {
    // Chromium's flow-control windows (6 MB a stream, 15 MB the connection),
    // rather than Node's 64 KB: what a server meets from browsers.
    this.session = http2.connect(origin, {
      ca,
      settings: { initialWindowSize: CHROMIUM_STREAM_WINDOW },
    });
    this.session.once('connect', () =>
      this.session.setLocalWindowSize(CHROMIUM_CONNECTION_WINDOW),
    );
    this.session.on('goaway', (code: number) => {
      this.goAwayCode = code;
      this.waits.notify();
    });
    // A failed session fails its streams, which the tests see.
    this.session.on('error', () => undefined);
  }

  /** Resolves once the server has sent GOAWAY. */
  untilGoAway(): Promise<void> {
    return this.waits.until(
      () => this.goAwayCode !== undefined,
      () => 'the server to send GOAWAY',
    );
  }

  /** Opens an SSE stream to `path` on this session; resolves once its response headers arrived. */
  async open(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Http2SseStream> {
    const stream = this.request(path, headers);
    await stream.until(() => stream.headers !== undefined, 'response headers');
    return stream;
  }

  /** Sends the request of an SSE stream to `path` on this session, without waiting for its answer. */
  request(path: string, headers: Record<string, string> = {}): Http2SseStream {
    const stream = new Http2SseStream(
      this.session.request({
        ':method': 'GET',
        ':path': path,
        accept: 'text/event-stream',
        ...headers,
      }),
    );
    this.streams.push(stream);
    return stream;
  }

  /** Closes the session and its streams. */
  close(): void {
    this.session.destroy();
  }
}

/**
 * One SSE stream read over HTTP/2: its response headers and the exact bytes of
 * its DATA frames, for assertions on the wire text.
 */
export class Http2SseStream {
  headers: http2.IncomingHttpHeaders | undefined;
  /** The body as received, byte for byte (decoded as UTF-8 once complete). */
  private readonly chunks: Buffer[] = [];
  /** Whether the server ended the stream (END_STREAM) rather than resetting it. */
  ended = false;
  /** Whether the stream closed, whatever the way. */
  closed = false;
  /** The RST_STREAM code the stream closed with (`NGHTTP2_NO_ERROR`, 0, for an orderly end). */
  rstCode: number | undefined;
  private readonly waits = new EventWaits();

  constructor(private readonly request: http2.ClientHttp2Stream) {
    request.on('response', (headers) => {
      this.headers = headers;
      this.waits.notify();
    });
    request.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.waits.notify();
    });
    request.on('end', () => {
      this.ended = true;
      this.waits.notify();
    });
    request.on('close', () => {
      this.closed = true;
      this.rstCode = request.rstCode;
      this.waits.notify();
    });
    request.on('error', () => undefined);
  }

  /** The body received so far. */
  get body(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Resolves once `condition()` holds, checked at each frame and at the end; rejects after `timeoutMs`. */
  until(
    condition: () => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<void> {
    return this.waits.until(
      condition,
      () => `${what} (body so far: ${JSON.stringify(this.body)})`,
      timeoutMs,
    );
  }

  /** Resolves once the body includes `text`. */
  untilBodyIncludes(text: string): Promise<void> {
    return this.until(
      () => this.body.includes(text),
      `the stream to receive ${JSON.stringify(text)}`,
    );
  }

  /**
   * Stops reading the stream for good, as a phone in a tunnel does: once its
   * flow-control window is spent, the server can send it nothing more, while
   * the other streams of the connection go on.
   */
  stall(): void {
    this.request.pause();
  }

  /** Cancels the stream from the client side (RST_STREAM CANCEL), as a closed tab does. */
  cancel(): void {
    this.request.close(http2.constants.NGHTTP2_CANCEL);
  }
}
