import { constants } from 'node:http2';
import type { OutboxSocket } from './connection-outbox.js';
import type { TrackedSocket } from './response-tracker.js';

/** An HTTP/2 stream (Node's `Http2Stream`), as far as a connection needs it. */
interface Http2Stream {
  readonly writableNeedDrain: boolean;
  readonly writableCorked: number;
  readonly destroyed: boolean;
  readonly session?: { readonly destroyed: boolean; close(): void };
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  close(code: number): void;
}

/**
 * The HTTP/2 stream of a response, as flow control and shutdown see it, in
 * place of the socket an HTTP/1.1 response has to itself.
 *
 * Under HTTP/2, `response.socket` stands for the TLS socket the whole session
 * shares (Node's compatibility layer forwards most of it there). That socket
 * backs up only when the whole connection does, and never for a stream whose
 * client stopped reading: HTTP/2 flow control keeps that stream's data in the
 * stream, without limit. So a connection is paced by its own stream.
 *
 * Node corks an HTTP/1.1 response's socket for the turn of its first write,
 * which is what tells a burst (one turn's sends) from a client that does not
 * read (see `ConnectionOutbox`); nothing does for an HTTP/2 stream, so this
 * does, before each write ({@link beforeWrite}).
 *
 * On shutdown, "ending the socket" of a response that ended closes its
 * session gracefully (GOAWAY): the streams still open on it go on, and the
 * browser opens its next request, its reconnection, on a new connection
 * (to another instance), as with the HTTP/1.1 socket that is ended.
 */
export class Http2ResponseStream implements OutboxSocket, TrackedSocket {
  /** Kept: a stream forgets its session once it is closed, which is when shutdown ends it. */
  private readonly session: Http2Stream['session'];

  constructor(private readonly stream: Http2Stream) {
    this.session = stream.session;
  }

  get writableNeedDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  get writableCorked(): number {
    return this.stream.writableCorked;
  }

  /** Whether the session is gone (there is nothing left to end then). */
  get destroyed(): boolean {
    return this.session?.destroyed ?? true;
  }

  /** Corks the stream until the end of the turn, as Node does an HTTP/1.1 response's socket. */
  beforeWrite(): void {
    const stream = this.stream;
    if (stream.writableCorked || stream.destroyed) return;
    stream.cork();
    process.nextTick(uncork, stream);
  }

  once(event: 'drain', listener: () => void): unknown {
    return this.stream.once(event, listener);
  }

  removeListener(event: 'drain', listener: () => void): unknown {
    return this.stream.removeListener(event, listener);
  }

  /** Closes the session gracefully: no new stream on it, those open go on. */
  end(): void {
    this.session?.close();
  }

  /**
   * Resets this stream only (RST_STREAM CANCEL), as destroying an HTTP/1.1
   * response's socket does; the other streams of the session go on. A
   * destroyed stream would be reset with NO_ERROR, which a client may take
   * for the end of a stream it has not read to the end.
   */
  destroy(): void {
    this.stream.close(constants.NGHTTP2_CANCEL);
  }
}

function uncork(stream: Http2Stream): void {
  stream.uncork();
}

/** The HTTP/2 stream of Node's request `rawRequest`, if it came over HTTP/2. */
export function http2StreamOf(
  rawRequest: any,
): Http2ResponseStream | undefined {
  if (!((rawRequest?.httpVersionMajor ?? 1) > 1)) return undefined;
  const stream = rawRequest.stream;
  return stream ? new Http2ResponseStream(stream) : undefined;
}
